import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import { MessagesPermission } from '../../src/messages/messages.permissions';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow, logIn, personIn } from './support/browser';
import { useServerAndBrowser } from './support/rig';

const ADMIN_PASSWORD = 'admin-password';
const MEMBER_PASSWORD = 'member-password';

/** The Admin tab, then one of the console's sections. */
async function openAdmin(page: Page, section: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: section, exact: true }).click();
}

/** The page's document, inside functions that run in the browser (the tests' types know no DOM). */
interface PageDocument {
  title: string;
  activeElement: { tagName: string; id: string; textContent: string | null } | null;
}
/** Waits until the focused element is the page's level-one heading with this text. */
const headingFocused = (page: Page, text: string) =>
  page.waitForFunction(
    ({ text }) => {
      const focused = (globalThis as unknown as { document: PageDocument }).document.activeElement;
      return focused?.tagName === 'H1' && focused.textContent === text;
    },
    { text },
    { timeout: 5_000 },
  );

/** Presses Tab until this control has the focus (at most 30 times): it is reachable from the keyboard. */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 30; i++) {
    if (await target.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

describeInBrowser('the admin console in a real browser', () => {
  const rig = useServerAndBrowser();

  flow(
    'an admin withdraws and grants permissions, and the member’s open page follows without a reload',
    ['PATCH /api/department/members/:id', 'GET /api/department/members'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const member = await dept.newMember({ name: 'Morgan Medic' });
      const m = await rig.signedIn(member, MEMBER_PASSWORD, { phone: true });
      const memberNav = m.page.getByRole('navigation', { name: 'Main' });
      await memberNav.getByRole('link', { name: 'Compose' }).waitFor();

      const a = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
      await openAdmin(a.page, 'Members');
      const row = a.page.getByRole('row', { name: /Morgan Medic/ });
      await row.getByText('Messages_View, Messages_Create, Messages_Delete').waitFor();
      await row.getByRole('link', { name: 'Morgan Medic' }).click();
      await a.page.getByRole('heading', { level: 1, name: 'Morgan Medic' }).waitFor();
      const permissions = a.page.getByRole('group', { name: 'Permissions' });
      // Every permission of the server's catalog is offered, the dispatch module's too.
      for (const name of [...Object.values(MessagesPermission), ...Object.values(DispatchPermission)]) await permissions.getByLabel(name, { exact: true }).waitFor();

      // Withdraw Messages_Create, from the keyboard.
      await permissions.getByLabel(MessagesPermission.Create, { exact: true }).focus();
      await a.page.keyboard.press('Space');
      await a.page.getByRole('button', { name: 'Save changes' }).click();
      await a.page.getByText('Saved: Morgan Medic holds Messages_View, Messages_Delete.').waitFor();
      const afterWithdraw = await dept.asAdmin().get('/api/department/members').expect(200);
      expect(afterWithdraw.body.find((x: { id: number }) => x.id === member.id).permissions).toEqual([MessagesPermission.View, MessagesPermission.Delete]);

      // The member's page, still open, loses Compose and is told why.
      await memberNav.getByRole('link', { name: 'Compose' }).waitFor({ state: 'detached', timeout: 10_000 });
      await m.page.getByRole('status').filter({ hasText: 'you no longer hold Messages_Create' }).waitFor();
      await m.page.goto('/dispatches');
      await m.page.getByRole('heading', { level: 1, name: 'Dispatches' }).waitFor();
      expect(await m.page.getByRole('button', { name: 'New dispatch' }).count()).toBe(0);

      // Grant it back with Dispatches_Manage: Compose returns, and the dispatch form appears on the open page.
      await permissions.getByLabel(MessagesPermission.Create, { exact: true }).check();
      await permissions.getByLabel(DispatchPermission.Manage, { exact: true }).check();
      await a.page.getByRole('button', { name: 'Save changes' }).click();
      await a.page.getByText(/^Saved: Morgan Medic holds .*Dispatches_Manage/).waitFor();
      await m.page.getByRole('button', { name: 'New dispatch' }).waitFor({ timeout: 10_000 });
      await memberNav.getByRole('link', { name: 'Compose' }).waitFor();
      await m.page.getByRole('status').filter({ hasText: 'you now hold' }).filter({ hasText: DispatchPermission.Manage }).waitFor();
      // The socket stayed open through both changes.
      await m.page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 20_000 });

      // Withdrawing Messages_View closes the member's socket (session:ended); the page reads its access again and says so.
      await permissions.getByLabel(MessagesPermission.View, { exact: true }).uncheck();
      await a.page.getByRole('button', { name: 'Save changes' }).click();
      await a.page.getByText(/^Saved: Morgan Medic holds (?!.*Messages_View)/).waitFor();
      await m.page.getByRole('status').filter({ hasText: 'you no longer hold Messages_View' }).waitFor({ timeout: 10_000 });
      await m.page.getByRole('img', { name: /^Live updates off/ }).waitFor();
      await m.context.close();
      await a.context.close();
    },
  );

  flow(
    'an admin creates shifts with schedules, sees which is on duty now, and changes a schedule and its members',
    ['POST /api/shifts', 'GET /api/shifts', 'PUT /api/shifts/:id/schedule', 'PUT /api/shifts/:id/members'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const crew = await dept.newMember({ name: 'Casey Crew' });
      const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
      await openAdmin(page, 'Shifts');
      const form = page.getByRole('form', { name: 'New shift' });

      // Around the clock: on duty now, whatever the hour.
      await form.getByLabel('Name').fill('A-shift');
      await form.getByLabel('Start time').fill('07:00');
      await form.getByLabel('Length (hours)').fill('24');
      await form.getByLabel('Days on').fill('1');
      await form.getByLabel('Days off').fill('0');
      await form.getByLabel('First on-day (anchor date)').fill('2026-01-05');
      await form.getByLabel('Time zone').selectOption('America/Chicago');
      await form.getByRole('button', { name: 'Create shift' }).click();
      await form.getByText('The shift A-shift was created.').waitFor();
      const a = page.getByRole('listitem', { name: 'A-shift' });
      await a.getByText('On duty now').waitFor();
      await a.getByText('24 hours from 07:00 (America/Chicago), 1 day on, 0 days off, from 2026-01-05').waitFor();

      // One hour a day, twelve hours from now (UTC): off duty now.
      const later = new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 13);
      await form.getByLabel('Name').fill('Night desk');
      await form.getByLabel('Start time').fill(`${later}:00`);
      await form.getByLabel('Length (hours)').fill('1');
      await form.getByLabel('Days on').fill('1');
      await form.getByLabel('Days off').fill('0');
      await form.getByLabel('Time zone').selectOption('UTC');
      await form.getByRole('button', { name: 'Create shift' }).click();
      const night = page.getByRole('listitem', { name: 'Night desk' });
      await night.getByText('Off duty now').waitFor();

      const listed = await dept.asAdmin().get('/api/shifts').expect(200);
      const byName = new Map(listed.body.map((s: { name: string }) => [s.name, s]));
      expect(byName.get('A-shift')).toMatchObject({ schedule: { startTime: '07:00', lengthHours: 24, onDays: 1, offDays: 0, anchorDate: '2026-01-05', timeZone: 'America/Chicago' }, onDutyNow: true });
      expect(byName.get('Night desk')).toMatchObject({ schedule: { startTime: `${later}:00`, lengthHours: 1, timeZone: 'UTC' }, onDutyNow: false });

      // A 24-hour tour covers now: the list says so after the save.
      await night.getByRole('button', { name: 'Edit schedule of Night desk' }).click();
      const schedule = page.getByRole('form', { name: 'Schedule of Night desk' });
      await schedule.getByLabel('Length (hours)').fill('24');
      await schedule.getByRole('button', { name: 'Save schedule' }).click();
      await schedule.getByText('Saved the schedule of Night desk.').waitFor();
      await night.getByText('On duty now').waitFor();

      await night.getByRole('button', { name: 'Edit members of Night desk' }).click();
      await night.getByRole('group', { name: /^Members of Night desk/ }).getByLabel('Casey Crew').check();
      await night.getByRole('button', { name: 'Save', exact: true }).click();
      await night.getByText('1 member', { exact: true }).waitFor();
      const after = await dept.asAdmin().get('/api/shifts').expect(200);
      expect(after.body.find((s: { name: string }) => s.name === 'Night desk')).toMatchObject({ memberIds: [crew.id], onDutyNow: true, schedule: { lengthHours: 24 } });
      await context.close();
    },
  );

  flow(
    'an admin reads who removed a message from which inbox and outbox, by its id',
    ['POST /api/messages', 'DELETE /api/messages/inbox/:id', 'DELETE /api/messages/outbox/:id', 'GET /api/messages/:id/audit'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const sender = await dept.newMember({ name: 'Sam Sender' });
      const reader = await dept.newMember({ name: 'Riley Reader' });
      const keeper = await dept.newMember({ name: 'Kim Keeper' });
      const sent = await dept
        .as(sender)
        .post('/api/messages')
        .send({ subject: 'Hydrant 12 out of service', body: '<p>Use 14.</p>', sendMode: 'specific', userIds: [reader.id, keeper.id], groupIds: [], roleIds: [], excludeShiftIds: [] })
        .expect(201);
      const id: number = sent.body.id;
      await dept.as(reader).delete(`/api/messages/inbox/${id}`).expect((r) => expect(r.status).toBeLessThan(300));
      await dept.as(sender).delete(`/api/messages/outbox/${id}`).expect((r) => expect(r.status).toBeLessThan(300));

      const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
      await openAdmin(page, 'Audit');
      await page.getByLabel('Message id').fill(String(id + 1000));
      await page.getByRole('button', { name: 'Show audit' }).click();
      await page.getByRole('alert').filter({ hasText: `Message ${id + 1000} not found` }).waitFor();

      await page.getByLabel('Message id').fill(String(id));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: `Message ${id}` }).waitFor();
      await page.getByText('Sent by Sam Sender').filter({ hasText: 'to 2 people' }).waitFor();
      const rows = page.getByRole('table', { name: `Removals of message ${id}, oldest first` }).getByRole('row');
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(3);
      expect(await rows.nth(1).locator('td').allTextContents()).toEqual(['Inbox', 'Riley Reader', 'Riley Reader', expect.any(String)]);
      expect(await rows.nth(2).locator('td').allTextContents()).toEqual(['Outbox', 'Sam Sender', 'Sam Sender', expect.any(String)]);
      expect(await page.getByText('Kim Keeper').count()).toBe(0);
      await context.close();
    },
  );

  flow(
    'an admin adds a member, authorizes them in a zone and sets it as their current one, deactivates, reactivates and sets a password',
    ['POST /api/department/members', 'PATCH /api/department/members/:id', 'POST /api/zones', 'PUT /api/zones/:id/members', 'PUT /api/department/members/:id/password'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const login = (email: string, password: string) => request(rig.server.baseUrl).post('/api/auth/login').send({ email, password });
      const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);

      await openAdmin(page, 'Members');
      await page.getByText('Add a member').click();
      const add = page.getByRole('form', { name: 'Add a member' });
      await add.getByLabel('Name').fill('Jordan New');
      await add.getByLabel('Email').fill('jordan.new@test.example');
      await add.getByLabel('First password (at least 8 characters)').fill('first-password');
      await add.getByLabel(MessagesPermission.MassText, { exact: true }).check();
      await add.getByRole('button', { name: 'Add member' }).click();
      await add.getByText('Jordan New was added.').waitFor();
      const row = page.getByRole('row', { name: /Jordan New/ });
      await row.getByText('Messages_View, Messages_Create, Messages_Delete, Messages_MassText').waitFor();
      await login('jordan.new@test.example', 'first-password').expect(200);

      await openAdmin(page, 'Zones');
      await page.getByRole('form', { name: 'New zone' }).getByLabel('Name').fill('Harbor');
      await page.getByRole('button', { name: 'Create zone' }).click();
      await page.getByText('The zone Harbor was created.').waitFor();
      const picker = page.getByRole('group', { name: /^Authorized of Harbor/ });
      await picker.getByLabel('Jordan New').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Authorized: Jordan New').waitFor();

      await openAdmin(page, 'Members');
      await page.getByRole('row', { name: /Jordan New/ }).getByRole('link', { name: 'Jordan New' }).click();
      await page.getByLabel('Current zone').selectOption({ label: 'Harbor' });
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText(/^Saved: Jordan New/).waitFor();
      const members = await dept.asAdmin().get('/api/department/members').expect(200);
      const jordan = members.body.find((m: { email: string }) => m.email === 'jordan.new@test.example');
      const zones = await dept.asAdmin().get('/api/zones').expect(200);
      const harbor = zones.body.find((z: { name: string }) => z.name === 'Harbor');
      expect(jordan.currentZoneId).toBe(harbor.id);
      expect(harbor.memberIds).toEqual([jordan.id]);

      await page.getByRole('button', { name: 'Deactivate Jordan New' }).click();
      await page.getByText('Jordan New is deactivated and was signed out everywhere.').waitFor();
      await login('jordan.new@test.example', 'first-password').expect(403);
      await page.getByRole('button', { name: 'Reactivate Jordan New' }).click();
      await page.getByText('Jordan New is active again and can sign in.').waitFor();
      await login('jordan.new@test.example', 'first-password').expect(200);

      await page.getByLabel('New password for Jordan New (at least 8 characters)').fill('second-password');
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByText('Jordan New has a new password and was signed out everywhere.').waitFor();
      await login('jordan.new@test.example', 'second-password').expect(200);

      await openAdmin(page, 'Members');
      await page.getByRole('row', { name: /Jordan New/ }).getByText('Harbor').waitFor();
      await context.close();
    },
  );

  flow(
    'an admin creates a group and a role and chooses who is in them; each admin section fits a phone',
    ['POST /api/groups', 'PUT /api/groups/:id/members', 'POST /api/roles', 'PUT /api/roles/:id/members'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const [ana, ben] = await Promise.all([dept.newMember({ name: 'Ana Engine' }), dept.newMember({ name: 'Ben Ladder' })]);
      const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD, { phone: true });

      await openAdmin(page, 'Groups');
      await page.getByRole('form', { name: 'New group' }).getByLabel('Name').fill('Station 4');
      await page.keyboard.press('Enter');
      await page.getByText('The group Station 4 was created.').waitFor();
      const members = page.getByRole('group', { name: /^Members of Station 4/ });
      await members.getByLabel('Ana Engine').check();
      await members.getByLabel('Ben Ladder').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Members: Ana Engine, Ben Ladder').waitFor();

      await openAdmin(page, 'Roles');
      await page.getByRole('form', { name: 'New role' }).getByLabel('Name').fill('EMT');
      await page.getByRole('button', { name: 'Create role' }).click();
      await page.getByRole('group', { name: /^Holders of EMT/ }).getByLabel('Ben Ladder').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Holders: Ben Ladder').waitFor();

      const groups = await dept.asAdmin().get('/api/groups').expect(200);
      expect(groups.body.find((g: { name: string }) => g.name === 'Station 4').memberIds.sort()).toEqual([ana.id, ben.id].sort());
      const roles = await dept.asAdmin().get('/api/roles').expect(200);
      expect(roles.body.find((r: { name: string }) => r.name === 'EMT').memberIds).toEqual([ben.id]);

      for (const path of ['/admin', '/admin/members', `/admin/members/${ana.id}`, '/admin/groups', '/admin/roles', '/admin/shifts', '/admin/zones', '/admin/audit']) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        const overflow = await page.evaluate(() => {
          const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
      }
      await context.close();
    },
  );

  it('tells a member with the app open, at once, that the admin switched the messages module off, and reconnects once it is on', async () => {
    const dept = await TestDepartment.create(rig.server, 'Ridge Fire');
    const member = await dept.newMember({ name: 'Rene Ridge' });
    // Connected first: the switch must reach an open socket.
    const m = await rig.signedIn(member, MEMBER_PASSWORD, { live: true });
    const a = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
    await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await a.page.getByRole('switch', { name: 'Messages' }).click();
    await a.page.getByText('The messages module is off for Ridge Fire.').waitFor();
    // No reload on the member's side: the closed socket makes the page read the department again.
    await m.page.getByText('The messages module is switched off for Ridge Fire.').waitFor({ timeout: 10_000 });
    expect(await m.page.getByTestId('unread-count').count()).toBe(0);

    // Switched on again: the page, whose socket is closed, looks again within 40 seconds and reconnects.
    await a.page.getByRole('switch', { name: 'Messages' }).click();
    await a.page.getByText('The messages module is on for Ridge Fire.').waitFor();
    await m.page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 50_000 });
    expect(await m.page.getByText('The messages module is switched off').count()).toBe(0);
    await m.page.getByTestId('unread-count').waitFor();
    await m.context.close();
    await a.context.close();
  }, 120_000);

  it('lets an admin create a zone and authorize a member in it with the keyboard alone', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember({ name: 'Quinn Keys' });
    const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
    await page.goto('/admin');
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();

    const zonesLink = page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Zones' });
    await tabTo(page, zonesLink);
    await page.keyboard.press('Enter');
    await headingFocused(page, 'Zones');
    await tabTo(page, page.getByRole('form', { name: 'New zone' }).getByLabel('Name'));
    await page.keyboard.type('Quarry');
    await page.keyboard.press('Enter');
    await page.getByText('The zone Quarry was created.').waitFor();
    const picker = page.getByRole('group', { name: /^Authorized of Quarry/ });
    await tabTo(page, picker.getByLabel('Quinn Keys'));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('button', { name: 'Save', exact: true }));
    await page.keyboard.press('Enter');
    await page.getByText('Saved: 1 person.').waitFor();
    const zones = await dept.asAdmin().get('/api/zones').expect(200);
    expect(zones.body.find((z: { name: string }) => z.name === 'Quarry').memberIds).toEqual([member.id]);
    await context.close();
  }, 60_000);

  it('offers a skip link, names each screen in the page title, and moves the focus to the new screen’s heading', async () => {
    const dept = await TestDepartment.create(rig.server, 'Lakeside EMS');
    const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.title === 'Inbox · Lakeside EMS');

    // The first Tab from the top of the page reaches the skip link; it leads past the navigation.
    await page.goto('/inbox');
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await page.keyboard.press('Tab');
    await page.getByRole('link', { name: 'Skip to content' }).waitFor({ state: 'attached' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.activeElement?.id === 'main-content');

    // Navigating from the keyboard: the title follows, and the focus lands on the new heading.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sent' }).focus();
    await page.keyboard.press('Enter');
    await headingFocused(page, 'Sent');
    expect(await page.title()).toBe('Sent · Lakeside EMS');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).focus();
    await page.keyboard.press('Enter');
    await headingFocused(page, 'Administration');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Members' }).focus();
    await page.keyboard.press('Enter');
    await headingFocused(page, 'Members');
    expect(await page.title()).toBe('Admin: Members · Lakeside EMS');
    await context.close();
  }, 60_000);
});

describeInBrowser('the web app over plain http under a station name', () => {
  // station.test resolves to this machine inside the browser only; nothing leaves it.
  const rig = useServerAndBrowser({ browserArgs: ['--host-resolver-rules=MAP station.test 127.0.0.1'] });

  it('loads the app over http from a name that is not localhost, and signs in', async () => {
    const dept = await TestDepartment.create(rig.server, 'Station Network Fire');
    const stationUrl = rig.server.baseUrl.replace('127.0.0.1', 'station.test');
    const { context, page } = await personIn(rig.browser, stationUrl);
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await logIn(page, dept.admin.email, ADMIN_PASSWORD);
    await page.getByRole('banner').getByText('Station Network Fire').waitFor();
    expect(new URL(page.url()).origin).toBe(stationUrl);
    expect(failed.filter((url) => url.startsWith('https:'))).toEqual([]);
    // The live connection works over plain http too.
    await page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 20_000 });
    await context.close();
  });
});
