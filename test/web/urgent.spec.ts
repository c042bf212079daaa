import type { BrowserContext, Page, Worker } from 'playwright-core';
import request from 'supertest';
import webpush from 'web-push';
import { TestDepartment, type TestMember } from '../support/factories';
import { describeInBrowser, logIn, personIn } from './support/browser';
import { useServerAndBrowser } from './support/rig';

const MEMBER_PASSWORD = 'member-password';
const ADMIN_PASSWORD = 'admin-password';
const vapid = webpush.generateVAPIDKeys();

describeInBrowser('urgent messages and notifications in a real browser', () => {
  const rig = useServerAndBrowser({ env: { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUSH_WORKERS: 'off' } });

  const sendUrgent = async (dept: TestDepartment, to: TestMember, subject: string) =>
    (
      await dept
        .asAdmin()
        .post('/api/messages')
        .send({ subject, body: '<p>Move to the staging area</p>', priority: 'urgent', sendMode: 'specific', userIds: [to.id] })
        .expect(201)
    ).body.id as number;

  /** A member signed in with notifications allowed, and the app's service worker running. */
  async function memberWithWorker(dept: TestDepartment): Promise<{ member: TestMember; context: BrowserContext; page: Page; worker: Worker }> {
    const member = await dept.newMember({ name: 'Officer Reyes' });
    const { context, page } = await personIn(rig.browser, rig.server.baseUrl);
    await context.grantPermissions(['notifications'], { origin: rig.server.baseUrl });
    await logIn(page, member.email, MEMBER_PASSWORD);
    const scope = await page.evaluate(async () => (await (globalThis as any).navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${rig.server.baseUrl}/`);
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    // The token reaches the worker after the app signs in; the acknowledge button needs it.
    await expectEventually(() => worker.evaluate(async () => !!(await (await (globalThis as any).caches.open('session')).match('/session/token'))));
    return { member, context, page, worker };
  }

  async function expectEventually(check: () => Promise<boolean>, timeoutMs = 20_000) {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition did not hold in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A Web Push as the server sends it, delivered to the page's service worker through the DevTools protocol. */
  async function deliverPush(context: BrowserContext, page: Page, payload: object) {
    const cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${rig.server.baseUrl}/` && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registered;
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: rig.server.baseUrl, registrationId, data: JSON.stringify(payload) });
    await cdp.detach();
  }

  const shownNotifications = (page: Page) =>
    page.evaluate(async () =>
      (await (await (globalThis as any).navigator.serviceWorker.ready).getNotifications()).map((n: any) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        requireInteraction: n.requireInteraction,
        actions: ((n as unknown as { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
      })),
    );

  /** What the person's tap does: the worker's own `notificationclick` handler runs (with the button tapped, if any). */
  const tapNotification = (worker: Worker, action = '') =>
    worker.evaluate(async (action) => {
      const sw = globalThis as any;
      const [notification] = await sw.registration.getNotifications();
      sw.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification, action }));
    }, action);

  it('is installable: the page links a manifest with icons that the server serves', async () => {
    const page = await request(rig.server.baseUrl).get('/inbox').expect(200);
    expect(page.text).toContain('rel="manifest" href="/manifest.webmanifest"');
    const manifest = await request(rig.server.baseUrl).get('/manifest.webmanifest').expect(200);
    const body = JSON.parse(manifest.text);
    expect(body).toMatchObject({ name: 'Department messages', display: 'standalone', start_url: '/inbox' });
    for (const icon of body.icons) {
      const res = await request(rig.server.baseUrl).get(icon.src).expect(200);
      expect(res.headers['content-type']).toBe('image/png');
    }
    const worker = await request(rig.server.baseUrl).get('/sw.js').expect(200);
    expect(worker.headers['content-type']).toMatch(/javascript/);
    expect(worker.headers['cache-control']).toBe('no-cache');
  });

  it('registers the service worker; a push shows an insistent notification whose click opens the message, and a clearing push removes it', async () => {
    const dept = await TestDepartment.create(rig.server);
    const { context, page, worker } = await memberWithWorker(dept);
    // Closed whatever happens, so a failure here leaves no page behind for the next test's lookups.
    try {
      await page.goto('/inbox');
      await page.getByRole('navigation', { name: 'Main' }).waitFor();

      await deliverPush(context, page, { kind: 'message', title: 'Evacuate east wing', preview: 'Move to the staging area', ids: { messageId: 4242 }, urgent: true });
      await expectEventually(async () => (await shownNotifications(page)).length === 1);
      expect(await shownNotifications(page)).toEqual([
        { title: 'Urgent: Evacuate east wing', body: 'Move to the staging area', tag: 'message-4242', requireInteraction: true, actions: ['ack'] },
      ]);

      await tapNotification(worker);
      await page.waitForURL(`${rig.server.baseUrl}/messages/4242`);

      await deliverPush(context, page, { kind: 'message', title: 'Reminder: Evacuate east wing', preview: '', ids: { messageId: 4242 }, urgent: true, reminder: 1 });
      await expectEventually(async () => (await shownNotifications(page)).length === 1);
      await deliverPush(context, page, { kind: 'clear', title: '', preview: '', ids: { messageId: 4242 } });
      await expectEventually(async () => (await shownNotifications(page)).length === 0);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("acknowledges an urgent message from the notification's button", async () => {
    const dept = await TestDepartment.create(rig.server);
    const { member, context, page, worker } = await memberWithWorker(dept);
    const id = await sendUrgent(dept, member, 'Report to station 3');
    await deliverPush(context, page, { kind: 'message', title: 'Report to station 3', preview: '', ids: { messageId: id }, urgent: true });
    await expectEventually(async () => (await shownNotifications(page)).length === 1);

    await tapNotification(worker, 'ack');
    await expectEventually(async () => {
      const detail = await dept.asAdmin().get(`/api/messages/${id}`);
      return detail.body.delivery?.acknowledged === 1;
    });
    expect(await shownNotifications(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it("shows the urgent banner until it is acknowledged, while the sender's delivery view fills in without a reload", async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember({ name: 'Firefighter Okafor' });
    const crew = await rig.signedIn(member, MEMBER_PASSWORD);
    const sender = await rig.signedIn(dept.admin, ADMIN_PASSWORD);

    const id = await sendUrgent(dept, member, 'Mayday on floor 4');
    await sender.page.goto(`/messages/${id}`);
    const summary = sender.page.locator('.delivery-summary');
    await summary.filter({ hasText: '0 of 1 acknowledged' }).waitFor();

    const banner = crew.page.getByRole('alert', { name: 'Urgent messages' });
    await banner.getByText('Mayday on floor 4').waitFor();
    // On another screen the banner stays.
    await crew.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat' }).click();
    await banner.getByText('Mayday on floor 4').waitFor();
    // The crew member's app confirmed the arrival: the sender sees it reached them in the app.
    await sender.page.locator('tr[data-state="reached"]').getByText('Firefighter Okafor').waitFor();

    await banner.getByRole('button', { name: 'Acknowledge' }).click();
    await banner.waitFor({ state: 'detached' });
    await summary.filter({ hasText: '1 of 1 acknowledged' }).waitFor();
    await sender.page.locator('tr[data-state="acknowledged"]').getByText('Firefighter Okafor').waitFor();
    await crew.context.close();
    await sender.context.close();
  }, 60_000);

  it('sends an urgent line from the chat composer, marked for the crew and acknowledged from their banner', async () => {
    const dept = await TestDepartment.create(rig.server);
    const [officer, medic] = await Promise.all([dept.newMember({ name: 'Officer Reyes' }), dept.newMember({ name: 'Medic Lund' })]);
    const id: number = (await dept.as(officer).post('/api/conversations').send({ title: 'Ladder 3', memberIds: [medic.id] }).expect(201)).body.id;
    const a = await rig.signedIn(officer, MEMBER_PASSWORD);
    const b = await rig.signedIn(medic, MEMBER_PASSWORD, { phone: true });
    await a.page.goto(`/chat/${id}`);
    await b.page.goto(`/chat/${id}`);
    await b.page.getByRole('heading', { name: 'Ladder 3' }).waitFor();

    const toggle = a.page.getByRole('button', { name: 'Urgent', exact: true });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await a.page.getByRole('textbox', { name: 'Message to Ladder 3' }).fill('Evacuate the east wing now');
    await a.page.getByRole('button', { name: 'Send urgent' }).click();
    // The switch falls back after the send, so the next line is not urgent by mistake.
    await a.page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');

    const line = b.page.getByRole('log').locator('.bubble', { hasText: 'Evacuate the east wing now' });
    await line.getByText('Urgent', { exact: true }).waitFor();
    const banner = b.page.getByRole('alert', { name: 'Urgent messages' });
    await banner.getByText('Evacuate the east wing now').waitFor();
    await banner.getByRole('button', { name: 'Acknowledge' }).click();
    await banner.waitFor({ state: 'detached' });

    const history = await dept.as(officer).get(`/api/conversations/${id}/messages?after=0`).expect(200);
    const sent = history.body.items.find((m: { body: string }) => m.body === 'Evacuate the east wing now');
    expect(sent.priority).toBe('urgent');
    const record = await dept.as(officer).get(`/api/conversations/${id}/messages/${sent.seq}/delivery`).expect(200);
    expect(record.body.summary).toMatchObject({ recipients: 1, acknowledged: 1 });
    await a.context.close();
    await b.context.close();
  }, 60_000);

  it('offers to turn notifications on after login, and can be put off', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember();
    const { context, page } = await rig.signedIn(member, MEMBER_PASSWORD);
    const prompt = page.getByRole('region', { name: 'Notifications' });
    await prompt.getByRole('button', { name: 'Turn on notifications' }).waitFor();
    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });
    await context.close();
  });

  it('says what to do when the browser blocks notifications', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember();
    const { context, page } = await personIn(rig.browser, rig.server.baseUrl);
    const cdp = await rig.browser.newBrowserCDPSession();
    // This person's browser (its DevTools context) refuses notifications, as after a "Block".
    await page.goto('/');
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'page' && t.url.startsWith(rig.server.baseUrl));
    await cdp.send('Browser.setPermission', {
      permission: { name: 'notifications' },
      setting: 'denied',
      origin: rig.server.baseUrl,
      browserContextId: target?.browserContextId,
    });
    expect(await page.evaluate(() => (globalThis as unknown as { Notification: { permission: string } }).Notification.permission)).toBe('denied');
    await logIn(page, member.email, MEMBER_PASSWORD);
    const prompt = page.getByRole('region', { name: 'Notifications' });
    await prompt.getByText(/Notifications are blocked for this site/).waitFor();
    expect(await prompt.textContent()).toMatch(/set Notifications to Allow, then reload/);
    await cdp.detach();
    await context.close();
  });
});
