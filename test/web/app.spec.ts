import type { Page } from 'playwright-core';
import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow, logIn, personIn } from './support/browser';
import { useServerAndBrowser } from './support/rig';
import { MessagesPermission } from '../../src/messages/messages.permissions';

const ADMIN_PASSWORD = 'admin-password';
const MEMBER_PASSWORD = 'member-password';

const badge = (page: Page) => page.getByTestId('unread-count');
/** Waits until the badge shows exactly this number. */
const badgeShows = (page: Page, n: number, timeout = 10_000) => page.getByTestId('unread-count').filter({ hasText: new RegExp(`^${n}$`) }).waitFor({ timeout });

describeInBrowser('the web app in a real browser', () => {
  const rig = useServerAndBrowser();

  it('serves the app at / and at any screen address, and keeps unknown /api paths a JSON 404', async () => {
    const page = await request(rig.server.baseUrl).get('/inbox').expect(200);
    expect(page.text).toContain('<div id="root">');
    const api = await request(rig.server.baseUrl).get('/api/no-such-route').expect(404);
    expect(api.body).toMatchObject({ statusCode: 404 });
    await request(rig.server.baseUrl).get('/assets/no-such-file.js').expect(404);
  });

  it('refuses a wrong password in words and stays on the login form', async () => {
    const { context, page } = await personIn(rig.browser, rig.server.baseUrl);
    await page.goto('/');
    await page.getByLabel('Email').fill('nobody@test.example');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/\S/);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await context.close();
  });

  it('lets an admin log in, see the app shell, and switch the messages module off and on', async () => {
    const dept = await TestDepartment.create(rig.server, 'Harbor Fire Department');
    const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const screen of ['Inbox', 'Sent', 'Compose', 'Chat', 'Dispatches', 'Admin']) await nav.getByRole('link', { name: screen }).waitFor();
    await page.getByRole('banner').getByText('Harbor Fire Department').waitFor();

    await nav.getByRole('link', { name: 'Admin' }).click();
    const toggle = page.getByRole('switch', { name: 'Messages' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');

    await toggle.click();
    await page.getByText('The messages module is switched off for Harbor Fire Department.').waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    const off = await dept.asAdmin().get('/api/department').expect(200);
    expect(off.body.modules.messages).toBe(false);
    // The badge goes away with the module.
    expect(await badge(page).count()).toBe(0);

    await toggle.click();
    await page.getByText('The messages module is on for Harbor Fire Department.').waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await page.getByText('The messages module is switched off').count()).toBe(0);
    const on = await dept.asAdmin().get('/api/department').expect(200);
    expect(on.body.modules.messages).toBe(true);

    // A reload on the screen's own address opens the same screen, still signed in.
    await page.reload();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await context.close();
  });

  it('shows a member no admin page, and tells them so at its address', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember({ name: 'Robin Member' });
    const { context, page } = await rig.signedIn(member, MEMBER_PASSWORD);
    await page.getByRole('banner').getByText('Robin Member').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto('/admin');
    await page.getByText('Only the department’s administrators can see this page.').waitFor();
    await context.close();
  });

  it('shows how many people a choice reaches before sending, with the send-mode and shift rules', async () => {
    const dept = await TestDepartment.create(rig.server);
    const [a, b, c, d] = await Promise.all(['Ana', 'Ben', 'Cyd', 'Dee'].map((name) => dept.newMember({ name })));
    await dept.newGroup('Station 1', [a, b, c]);
    await dept.newRole('EMT', [b, c, d]);
    await dept.newShift('B-shift', [c]);
    const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD, { phone: true });
    await page.goto('/compose');
    const reach = page.getByTestId('reach');

    await page.getByRole('radio', { name: 'Everyone' }).check();
    await reach.getByText('Reaches 4 people').waitFor();

    await page.getByRole('radio', { name: 'Role at group' }).check();
    await reach.getByText('Choose at least one group and one role.').waitFor();
    await page.getByRole('group', { name: /^Groups/ }).getByLabel('Station 1').check();
    await page.getByRole('group', { name: /^Roles/ }).getByLabel('EMT').check();
    await reach.getByText('Reaches 2 people').waitFor(); // Ben and Cyd

    await page.getByRole('group', { name: /^Leave out shifts/ }).getByLabel('B-shift').check();
    await reach.getByText('Reaches 1 person').waitFor(); // Cyd is on B-shift

    await page.getByRole('radio', { name: 'Choose' }).check();
    await page.getByRole('group', { name: /^People/ }).getByLabel('Cyd').check();
    // Station 1 or EMT is everyone; B-shift leaves Cyd out of the expansion, but naming Cyd brings Cyd back.
    await reach.getByText('Reaches 4 people').waitFor();
    await context.close();
  });

  it('signs out on the server, changes a password, and lets an admin reset one, each ending the sessions it should', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember({ name: 'Pat Password' });
    const inboxWith = (token: string | null) => request(rig.server.baseUrl).get('/api/messages/inbox').set('Authorization', `Bearer ${token}`);
    const tokenIn = (page: Page) => page.evaluate<string | null>("localStorage.getItem('messages.accessToken')");

    // Sign out ends the token on the rig.server, not only in the browser.
    const first = await rig.signedIn(member, MEMBER_PASSWORD);
    const signedOut = await tokenIn(first.page);
    await inboxWith(signedOut).expect(200);
    await first.page.getByRole('button', { name: 'Sign out' }).click();
    await first.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await inboxWith(signedOut).expect(401);

    // A new password: this browser stays signed in with the new session, the other one is out.
    const other = await rig.signedIn(member, MEMBER_PASSWORD);
    const otherToken = await tokenIn(other.page);
    await logIn(first.page, member.email, MEMBER_PASSWORD);
    await first.page.getByRole('link', { name: 'Pat Password' }).click();
    await first.page.getByLabel('Current password').fill(MEMBER_PASSWORD);
    await first.page.getByLabel('New password (at least 8 characters)').fill('a-brand-new-password');
    await first.page.getByRole('button', { name: 'Change password' }).click();
    const before = await tokenIn(first.page);
    for (const until = Date.now() + 10_000; (await tokenIn(first.page)) === before; ) {
      if (Date.now() > until) throw new Error('the new session token was not stored');
      await first.page.waitForTimeout(50);
    }
    await inboxWith(await tokenIn(first.page)).expect(200);
    await inboxWith(otherToken).expect(401);
    await request(rig.server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'a-brand-new-password' }).expect(200);

    // The admin resets it: the member's session ends, and the new password is the one that works.
    const memberToken = await tokenIn(first.page);
    const admin = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await admin.page.getByLabel('Member', { exact: true }).selectOption({ label: `Pat Password (${member.email})` });
    await admin.page.getByLabel('New password (at least 8 characters)').fill('reset-by-the-admin');
    await admin.page.getByRole('button', { name: 'Reset password' }).click();
    await admin.page.getByText('Pat Password has a new password and was signed out everywhere.').waitFor();
    await inboxWith(memberToken).expect(401);
    await request(rig.server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'reset-by-the-admin' }).expect(200);
    for (const c of [first, other, admin]) await c.context.close();
  });

  it('signs in with the keyboard alone', async () => {
    const dept = await TestDepartment.create(rig.server);
    const member = await dept.newMember({ name: 'Kai Keys' });
    const { context, page } = await personIn(rig.browser, rig.server.baseUrl);
    await page.goto('/');
    // The email field has the focus on arrival; Tab reaches the password, Enter submits.
    await page.getByLabel('Email').waitFor();
    await page.waitForFunction('document.activeElement && document.activeElement.id === "login-email"', undefined, { timeout: 5_000 });
    await page.keyboard.type(member.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(MEMBER_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('banner').getByText('Kai Keys').waitFor();
    await context.close();
  });

  it('fits the main screens on a phone without sideways scrolling', async () => {
    const dept = await TestDepartment.create(rig.server);
    await dept.newGroup('Station with a rather long name for a narrow screen', await dept.newMembers(3));
    const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD, { phone: true });
    for (const path of ['/inbox', '/outbox', '/compose', '/chat', '/admin', '/dispatches']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
    }
    await context.close();
  });

  // ---- Flows that need the server's mail, conversation and dispatch features ----

  flow(
    'one member sends a callback to a group; the other sees the badge move without a reload, reads it, answers yes, and the sender sees the answer',
    ['POST /api/messages', 'GET /api/messages/unread/top', 'GET /api/messages/:id', 'POST /api/messages/:id/response'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const sender = await dept.newMember({ name: 'Sam Sender' });
      const reader = await dept.newMember({ name: 'Riley Reader' });
      await dept.newGroup('Station 7', [reader]);

      const r = await rig.signedIn(reader, MEMBER_PASSWORD, { phone: true });
      await badgeShows(r.page, 0);
      const s = await rig.signedIn(sender, MEMBER_PASSWORD);

      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compose' }).click();
      await s.page.getByLabel('Subject').fill('Can you cover B-shift on Friday?');
      await s.page.getByLabel('Message', { exact: true }).fill('Engine 7 needs a driver from 07:00.');
      await s.page.getByLabel('Type').selectOption('callback');
      await s.page.getByRole('radio', { name: 'Choose' }).check();
      await s.page.getByRole('group', { name: /^Groups/ }).getByLabel('Station 7').check();
      await s.page.getByTestId('reach').getByText('Reaches 1 person').waitFor();
      await s.page.getByRole('button', { name: 'Send' }).click();
      await s.page.getByText('went to 1 person').waitFor();

      // No reload on the reader's side: the badge moves by itself.
      await badgeShows(r.page, 1);
      await badge(r.page).click();
      await r.page.getByRole('menuitem', { name: /Can you cover B-shift on Friday\?/ }).click();
      await r.page.getByRole('heading', { name: /Can you cover B-shift on Friday\?/ }).waitFor();
      await r.page.getByText('Engine 7 needs a driver from 07:00.').waitFor();
      await badgeShows(r.page, 0);
      await r.page.getByLabel('Yes').check();
      await r.page.getByLabel('Note (optional)').fill('I can take it');
      await r.page.getByRole('button', { name: 'Send answer' }).click();
      await r.page.getByText('Answer sent: yes').waitFor();

      await s.page.getByRole('button', { name: 'Open it' }).click();
      const row = s.page.getByRole('row', { name: /Riley Reader/ });
      await row.getByText('yes', { exact: true }).waitFor();
      await row.getByText('I can take it').waitFor();
      await s.context.close();
      await r.context.close();
    },
  );

  flow(
    'the inbox pages with nextCursor, and marks read and deletes the selected messages',
    ['POST /api/messages', 'GET /api/messages/inbox', 'PUT /api/messages/read', 'DELETE /api/messages/inbox'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const sender = await dept.newMember({ name: 'Pat Sender' });
      const reader = await dept.newMember({ name: 'Kim Reader' });
      for (let i = 1; i <= 27; i++) {
        await dept
          .as(sender)
          .post('/api/messages')
          .send({ subject: `Notice ${i}`, body: `<p>Notice number ${i}</p>`, sendMode: 'specific', userIds: [reader.id], groupIds: [], roleIds: [], excludeShiftIds: [] })
          .expect(201);
      }
      const { context, page } = await personIn(rig.browser, rig.server.baseUrl);
      page.on('dialog', (dialog) => void dialog.accept());
      await logIn(page, reader.email, MEMBER_PASSWORD);
      const list = page.getByRole('list', { name: 'Inbox' });
      const rows = list.getByRole('listitem');
      await list.getByText('Notice 27', { exact: true }).waitFor();
      expect(await rows.count()).toBe(25);
      await badgeShows(page, 27);

      await page.getByRole('button', { name: 'Older messages' }).click();
      await list.getByText('Notice 1', { exact: true }).waitFor();
      expect(await rows.count()).toBe(27);
      expect(await page.getByRole('button', { name: 'Older messages' }).count()).toBe(0);

      await page.getByRole('checkbox', { name: 'Select “Notice 27”' }).check();
      await page.getByRole('checkbox', { name: 'Select “Notice 26”' }).check();
      await page.getByRole('button', { name: 'Mark read' }).click();
      await page.getByText('2 marked read.').waitFor();
      await badgeShows(page, 25);
      expect(await list.locator('.mail-row.unread').count()).toBe(25);
      const unread = await dept.as(reader).get('/api/messages/inbox?unread=true&limit=100').expect(200);
      expect(unread.body.items.map((i: { subject: string }) => i.subject)).not.toContain('Notice 27');

      await page.getByRole('checkbox', { name: 'Select “Notice 1”' }).check();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('1 deleted.').waitFor();
      expect(await rows.count()).toBe(26);
      const inbox = await dept.as(reader).get('/api/messages/inbox?limit=100').expect(200);
      expect(inbox.body.items.map((i: { subject: string }) => i.subject)).not.toContain('Notice 1');
      await context.close();
    },
  );

  flow(
    'the invite list lets in only people authorized in the inviter’s current zone, and shows the others disabled with the reason',
    ['POST /api/conversations', 'GET /api/conversations', 'POST /api/conversations/:id/invite'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const [alex, blake, casey, dana] = await Promise.all(['Alex Inviter', 'Blake Member', 'Casey Elsewhere', 'Dana Nearby'].map((name) => dept.newMember({ name })));
      const harbor = await dept.newZone('Harbor', [alex, blake, dana]);
      await dept.newZone('Hill', [casey]);
      await dept.setCurrentZone(alex, harbor);
      const created = await dept.as(alex).post('/api/conversations').send({ title: 'Harbor watch', memberIds: [blake.id] }).expect(201);

      const { context, page } = await rig.signedIn(alex, MEMBER_PASSWORD);
      await page.goto(`/chat/${created.body.id}`);
      await page.getByRole('button', { name: 'Invite' }).click();
      const picker = page.getByRole('form', { name: 'Invite' });
      const danaBox = picker.getByRole('checkbox', { name: /Dana Nearby/ });
      await danaBox.waitFor();
      expect(await danaBox.isDisabled()).toBe(false);
      const caseyBox = picker.getByRole('checkbox', { name: /Casey Elsewhere/ });
      expect(await caseyBox.isDisabled()).toBe(true);
      expect(await picker.locator(`[id="${await caseyBox.getAttribute('aria-describedby')}"]`).textContent()).toContain('Not authorized in Harbor');
      // Already in the conversation: not offered at all.
      expect(await picker.getByRole('checkbox', { name: /Blake Member/ }).count()).toBe(0);

      await danaBox.check();
      await page.getByRole('button', { name: /^Invite 1/ }).click();
      await page.getByRole('log').getByText(/Dana Nearby/).waitFor({ timeout: 10_000 });
      const danas = await dept.as(dana).get('/api/conversations').expect(200);
      const items = danas.body.items;
      expect(items.map((c: { id: number }) => c.id)).toContain(created.body.id);
      await context.close();
    },
  );

  flow(
    'two members start a group chat from the messages panel and talk live',
    ['GET /api/conversations', 'POST /api/conversations', 'GET /api/conversations/:id/messages', 'POST /api/conversations/:id/messages'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const alex = await dept.newMember({ name: 'Alex Ahn' });
      const blake = await dept.newMember({ name: 'Blake Boyd' });
      const zone = await dept.newZone('Harbor', [alex, blake]);
      await dept.setCurrentZone(alex, zone);
      await dept.setCurrentZone(blake, zone);

      const a = await rig.signedIn(alex, MEMBER_PASSWORD);
      const b = await rig.signedIn(blake, MEMBER_PASSWORD, { phone: true });
      await b.page.goto('/chat');

      await a.page.goto('/chat');
      await a.page.getByRole('button', { name: 'Group chat' }).click();
      await a.page.getByLabel('Title').fill('Harbor crew');
      await a.page.getByRole('group', { name: /^People/ }).getByLabel('Blake Boyd').check();
      await a.page.getByRole('button', { name: 'Start' }).click();
      await a.page.getByRole('heading', { name: 'Harbor crew' }).waitFor();

      // Blake's list gains the conversation without a reload.
      await b.page.getByRole('link', { name: /Harbor crew/ }).click({ timeout: 10_000 });
      await b.page.getByRole('heading', { name: 'Harbor crew' }).waitFor();

      await a.page.getByRole('textbox', { name: 'Message to Harbor crew' }).fill('Boat 3 is back at the dock.');
      await a.page.keyboard.press('Enter');
      await b.page.getByRole('log').getByText('Boat 3 is back at the dock.').waitFor({ timeout: 10_000 });
      await b.page.getByRole('textbox', { name: 'Message to Harbor crew' }).fill('Thanks, refuelling now.');
      await b.page.getByRole('button', { name: 'Send' }).click();
      await a.page.getByRole('log').getByText('Thanks, refuelling now.').waitFor({ timeout: 10_000 });
      await a.context.close();
      await b.context.close();
    },
  );

  flow(
    'a dispatcher mass-texts a group; each person gets it in their direct conversation and a reply stays private',
    ['POST /api/conversations/mass-text', 'GET /api/conversations', 'GET /api/conversations/:id/messages'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newMember({ name: 'Drew Dispatch', permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete, MessagesPermission.MassText] });
      const [first, second] = await Promise.all([dept.newMember({ name: 'Frankie First' }), dept.newMember({ name: 'Sasha Second' })]);
      await dept.newGroup('Station 9', [first, second]);

      const d = await rig.signedIn(dispatcher, MEMBER_PASSWORD);
      const f = await rig.signedIn(first, MEMBER_PASSWORD, { phone: true });
      await f.page.goto('/chat');

      await d.page.goto('/chat');
      await d.page.getByRole('button', { name: 'Mass text' }).click();
      await d.page.getByRole('textbox', { name: 'Text', exact: true }).fill('Station 9: radio check at 18:00.');
      await d.page.getByRole('group', { name: /^Groups/ }).getByLabel('Station 9').check();
      await d.page.getByRole('button', { name: 'Send mass text' }).click();
      await d.page.getByText('Sent to 2 people').waitFor();

      await f.page.getByRole('link', { name: /Drew Dispatch/ }).click({ timeout: 10_000 });
      await f.page.getByRole('log').getByText('Station 9: radio check at 18:00.').waitFor();
      await f.page.getByRole('textbox', { name: /Message to/ }).fill('Frankie here, loud and clear.');
      await f.page.keyboard.press('Enter');
      await f.page.getByRole('log').getByText('Frankie here, loud and clear.').waitFor();

      // The other recipient's conversation has the text and not the reply.
      const list = await dept.as(second).get('/api/conversations').expect(200);
      const conversations: { id: number; kind: string }[] = list.body.items;
      const direct = conversations.find((c) => c.kind === 'direct');
      expect(direct).toBeDefined();
      const history = await dept.as(second).get(`/api/conversations/${direct!.id}/messages`).expect(200);
      const bodies = (Array.isArray(history.body) ? history.body : history.body.items).map((m: { body: string }) => m.body);
      expect(bodies).toContain('Station 9: radio check at 18:00.');
      expect(bodies).not.toContain('Frankie here, loud and clear.');
      await d.context.close();
      await f.context.close();
    },
  );

  flow(
    'a dispatcher and an officer chat live in the dispatch conversation',
    ['POST /api/dispatches', 'POST /api/dispatches/:id/tasks', 'GET /api/dispatches/:id/conversation', 'POST /api/conversations/:id/messages'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Dana Dispatch' });
      const officer = await dept.newMember({ name: 'Oli Officer' });
      const zone = await dept.newZone('North', [dispatcher, officer]);
      await dept.setCurrentZone(dispatcher, zone);
      await dept.setCurrentZone(officer, zone);
      const created = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'D-2041', zoneId: zone, title: 'Structure fire, 12 Elm St' }).expect(201);
      await dept.as(dispatcher).post(`/api/dispatches/${created.body.id}/tasks`).send({ officerId: officer.id, description: 'First engine in' }).expect(201);

      const d = await rig.signedIn(dispatcher, MEMBER_PASSWORD);
      const o = await rig.signedIn(officer, MEMBER_PASSWORD, { phone: true });
      await d.page.goto('/dispatches/D-2041');
      await o.page.goto('/dispatches/D-2041');
      const dLog = d.page.getByRole('log');
      const oLog = o.page.getByRole('log');
      await dLog.waitFor();
      await oLog.waitFor();

      await d.page.getByRole('textbox', { name: /D-2041/ }).fill('Engine 7, stage at the hydrant on Elm.');
      await d.page.keyboard.press('Enter');
      await oLog.getByText('Engine 7, stage at the hydrant on Elm.').waitFor({ timeout: 10_000 });

      await o.page.getByRole('textbox', { name: /D-2041/ }).fill('Copy, two minutes out.');
      await o.page.getByRole('button', { name: 'Send' }).click();
      await dLog.getByText('Copy, two minutes out.').waitFor({ timeout: 10_000 });
      await d.context.close();
      await o.context.close();
    },
  );
});
