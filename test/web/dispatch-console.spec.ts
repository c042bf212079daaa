import { Client } from 'pg';
import { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow } from './support/browser';
import { useServerAndBrowser } from './support/rig';

const MEMBER_PASSWORD = 'member-password';
const ADMIN_PASSWORD = 'admin-password';
const LIVE = { timeout: 15_000 };
/** The board's paging: more open dispatches than one page holds, and a few closed ones after them. */
const OPEN = 104;
const CLOSED = 3;

describeInBrowser('the dispatcher console and the officer phone view, in a real browser', () => {
  const rig = useServerAndBrowser({ env: { DISPATCH_RELAY_POLL_MS: '100' } });

  flow(
    'a dispatcher creates a dispatch, assigns by zone; the officer on a phone sees the task and chats; another member joins by Comment; clear and close show everywhere',
    ['POST /api/dispatches', 'POST /api/dispatches/:id/tasks', 'POST /api/dispatches/:id/tasks/:taskId/clear', 'POST /api/dispatches/:id/comment', 'POST /api/dispatches/:id/close', 'GET /api/dispatches/:id/conversation'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Dana Dispatch' });
      const officer = await dept.newMember({ name: 'Oli Officer' });
      const casey = await dept.newMember({ name: 'Casey Crew' });
      const south = await dept.newMember({ name: 'Pat South' });
      const north = await dept.newZone('North', [dispatcher, officer, casey]);
      const southZone = await dept.newZone('South', [south]);
      for (const m of [dispatcher, officer, casey]) await dept.setCurrentZone(m, north);
      await dept.setCurrentZone(south, southZone);

      const [d, o, c] = await Promise.all([rig.signedIn(dispatcher, MEMBER_PASSWORD), rig.signedIn(officer, MEMBER_PASSWORD, { phone: true }), rig.signedIn(casey, MEMBER_PASSWORD)]);
d.page.on('dialog', (dialog) => void dialog.accept());
      
      await o.page.goto('/my-tasks');
      await o.page.getByText('No open task').waitFor();
      await c.page.goto('/dispatches');
      await c.page.getByText('No dispatches to show.').waitFor();

      // Creating: the console opens the new dispatch by its number.
      await d.page.goto('/dispatches');
      await d.page.getByRole('button', { name: 'New dispatch' }).click();
      await d.page.getByLabel('Number').fill('F26-0412');
      await d.page.getByLabel('Title').fill('Structure fire');
      await d.page.getByLabel('Address').fill('12 Mill Road');
      await d.page.getByLabel('Zone', { exact: true }).last().selectOption({ label: 'North' });
      await d.page.getByRole('button', { name: 'Create dispatch' }).click();
      await d.page.waitForURL('**/dispatches/F26-0412');
      const details = d.page.locator('article.dispatch-details');
      await details.getByRole('heading', { name: 'F26-0412 · Structure fire' }).waitFor();
      await details.getByText('12 Mill Road').waitFor();

      // The other member's board gains the row without a reload.
      const caseyRow = c.page.getByRole('link', { name: /F26-0412/ });
      await caseyRow.waitFor(LIVE);
      expect(await caseyRow.textContent()).toContain('North');

      // Assigning: the list is the dispatch's zone, searched by name; Pat (South) is not offered.
      const assign = d.page.getByRole('form', { name: 'Assign an officer' });
      const officers = assign.getByRole('group', { name: /Officer authorized in North/ });
      await officers.getByLabel(/Casey Crew/).waitFor();
      expect(await officers.getByLabel(/Pat South/).count()).toBe(0);
      await assign.getByLabel('Find an officer').fill('oli');
      expect(await officers.getByRole('radio').count()).toBe(1);
      await officers.getByLabel(/Oli Officer/).check();
      await assign.getByLabel('Task').fill('First engine in');
      await assign.getByRole('button', { name: 'Assign' }).click();
      await details.getByRole('list', { name: 'Tasks of dispatch F26-0412' }).getByText('First engine in').waitFor();

      // The officer's phone shows the task live, and its chat.
      const card = o.page.getByRole('article', { name: /F26-0412/ });
      await card.waitFor(LIVE);
      await card.getByText('First engine in').waitFor();
      await card.getByText('12 Mill Road · North').waitFor();
      await card.getByRole('button', { name: 'Chat' }).click();
      const oBox = card.getByRole('textbox', { name: 'Message to Dispatch F26-0412' });
      await oBox.fill('Oli: two minutes out.');
      await oBox.press('Enter');
      const dLog = d.page.getByRole('complementary', { name: 'Messages of dispatch F26-0412' }).getByRole('log');
      await dLog.getByText('Oli: two minutes out.').waitFor(LIVE);
      const dBox = d.page.getByRole('textbox', { name: 'Message to Dispatch F26-0412' });
      await dBox.fill('Stage at the hydrant on Mill.');
      await dBox.press('Enter');
      await card.getByRole('log').getByText('Stage at the hydrant on Mill.').waitFor(LIVE);
      // An urgent line: one tap on the phone acknowledges it, and the dispatcher's record says so.
      const dPanel = d.page.getByRole('complementary', { name: 'Messages of dispatch F26-0412' });
      await dPanel.getByRole('button', { name: 'Urgent' }).click();
      await dBox.fill('Evacuate the second floor now.');
      await dPanel.getByRole('button', { name: 'Send urgent' }).click();
      const banner = o.page.getByRole('alert', { name: 'Urgent messages' });
      await banner.getByText('Evacuate the second floor now.').waitFor(LIVE);
      await banner.getByRole('button', { name: 'Acknowledge' }).tap();
      await banner.waitFor({ state: 'detached' });
      const record = await dept.as(dispatcher).get(`/api/dispatches/${(await dept.as(dispatcher).get('/api/dispatches').expect(200)).body.items[0].id}/conversation`).expect(200);
      const urgentLine = (record.body.messages.items ?? record.body.messages).find((m: { body: string }) => m.body === 'Evacuate the second floor now.');
      const delivery = await dept.as(dispatcher).get(`/api/conversations/${record.body.conversation.id}/messages/${urgentLine.seq}/delivery`).expect(200);
      expect(delivery.body.summary).toMatchObject({ acknowledged: 1 });
      // The phone view fits the screen: nothing runs off the right edge.
      expect(await o.page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      // Casey, not in the conversation, opens the dispatch and joins by commenting.
      await caseyRow.click();
      await c.page.waitForURL('**/dispatches/F26-0412');
      const comment = c.page.getByRole('textbox', { name: 'Comment on dispatch F26-0412' });
      await comment.fill('Casey: tanker on the way.');
      await comment.press('Enter');
      await dLog.getByText('Casey: tanker on the way.').waitFor(LIVE);
      await c.page.getByRole('textbox', { name: 'Message to Dispatch F26-0412' }).waitFor(LIVE);

      // Details: who has joined, and Invite with the zone rule shown rather than hidden.
      const panel = d.page.getByRole('complementary', { name: 'Messages of dispatch F26-0412' });
      await panel.getByRole('button', { name: 'Details' }).click();
      const members = panel.getByRole('region', { name: 'Who is in Dispatch F26-0412' });
      await members.getByText('Casey Crew').waitFor(LIVE);
      await members.getByText('Oli Officer').waitFor();
      await members.getByRole('button', { name: 'Invite' }).click();
      const pat = members.getByRole('checkbox', { name: /Pat South/ });
      expect(await pat.isDisabled()).toBe(true);
      // The reason is read out with the disabled box.
      const why = await pat.getAttribute('aria-describedby');
      expect(await members.locator(`[id="${why}"]`).textContent()).toContain('Not authorized in North');
      await members.getByRole('group', { name: 'South' }).waitFor();
      await members.getByRole('button', { name: 'Cancel' }).click();

      // The officer clears the task: gone from the phone, shown cleared on the console.
      await card.getByRole('button', { name: 'Clear task' }).click();
      await o.page.getByText('No open task').waitFor(LIVE);
      await details.getByText(/cleared/).waitFor(LIVE);

      // Closing: the status changes on every board, and the conversation turns read only.
      await details.getByRole('button', { name: 'Close dispatch' }).click();
      await details.getByText(/^Closed/).waitFor(LIVE);
      await c.page.getByRole('link', { name: /F26-0412/ }).getByText('closed').waitFor(LIVE);
      await c.page.getByText('This dispatch is closed; its conversation is kept read only.').waitFor(LIVE);

      // Addressed by number: a fresh load of the URL opens the same dispatch.
      await c.page.reload();
      await c.page.getByRole('heading', { level: 1, name: 'Dispatch F26-0412' }).waitFor();
      await Promise.all([d.context.close(), o.context.close(), c.context.close()]);
    },
    150_000,
  );

  flow(
    'the Messages panel docks, floats and hides, and stays as it was left',
    ['POST /api/dispatches'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Dana Panel' });
      const zone = await dept.newZone('North', [dispatcher]);
      await dept.as(dispatcher).post('/api/dispatches').send({ number: 'P-1', zoneId: zone, title: 'Alarm' }).expect(201);
      const d = await rig.signedIn(dispatcher, MEMBER_PASSWORD);
      await d.page.goto('/dispatches/P-1');
      const panel = d.page.getByRole('complementary', { name: 'Messages of dispatch P-1' });
      await panel.waitFor();
      await d.page.getByRole('button', { name: 'Hide messages' }).click();
      await panel.waitFor({ state: 'detached' });
      await d.page.reload();
      await d.page.getByRole('heading', { level: 1, name: 'Dispatch P-1' }).waitFor();
      expect(await d.page.getByRole('button', { name: 'Hide messages' }).getAttribute('aria-pressed')).toBe('true');
      expect(await panel.count()).toBe(0);
      await d.page.getByRole('button', { name: 'Float messages' }).click();
      await panel.waitFor();
      expect(await panel.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(el).position)).toBe('fixed');
      await d.context.close();
    },
  );

  flow(
    'an admin withdraws Dispatches_Manage and grants it back; the dispatcher’s open console loses and regains its controls',
    ['PATCH /api/department/members/:id', 'POST /api/dispatches'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Rory Rights' });
      const zone = await dept.newZone('North', [dispatcher]);
      await dept.as(dispatcher).post('/api/dispatches').send({ number: 'R-9', zoneId: zone, title: 'Gas leak' }).expect(201);
      const [d, a] = await Promise.all([rig.signedIn(dispatcher, MEMBER_PASSWORD), rig.signedIn(dept.admin, ADMIN_PASSWORD)]);
      await d.page.goto('/dispatches/R-9');
      const controls = [d.page.getByRole('button', { name: 'New dispatch' }), d.page.getByRole('form', { name: 'Assign an officer' }), d.page.getByRole('button', { name: 'Close dispatch' })];
      for (const c of controls) await c.waitFor();

      await a.page.goto(`/admin/members/${dispatcher.id}`);
      const permissions = a.page.getByRole('group', { name: 'Permissions' });
      await permissions.getByLabel(DispatchPermission.Manage, { exact: true }).uncheck();
      await a.page.getByRole('button', { name: 'Save changes' }).click();
      await a.page.getByText(/^Saved: Rory Rights holds/).waitFor();
      for (const c of controls) await c.waitFor({ state: 'detached', ...LIVE });
      // Reading stays: the dispatch and its details are still there.
      await d.page.locator('article.dispatch-details').getByRole('heading', { name: 'R-9 · Gas leak' }).waitFor();

      await permissions.getByLabel(DispatchPermission.Manage, { exact: true }).check();
      await a.page.getByRole('button', { name: 'Save changes' }).click();
      await a.page.getByText(/^Saved: Rory Rights holds .*Dispatches_Manage/).waitFor();
      for (const c of controls) await c.waitFor(LIVE);
      await Promise.all([d.context.close(), a.context.close()]);
    },
  );
  flow(
    'a board of more than a hundred dispatches loads a page at a time with More dispatches, the status filter paging too',
    ['GET /api/dispatches'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Bo Board' });
      const zone = await dept.newZone('North', [dispatcher]);
      // Made in one statement: the board's paging is under test, not creating dispatches.
      const db = new Client({ connectionString: rig.server.databaseUrl });
      await db.connect();
      await db.query(
        `insert into dispatches (department_id, number, zone_id, title, dispatcher_id, status, closed_at, closed_by)
         select $1, 'B-' || lpad(n::text, 3, '0'), $2, 'Call ' || n, $3,
                case when n <= $5 then 'closed' else 'open' end, case when n <= $5 then now() end, case when n <= $5 then $3::int end
           from generate_series(1, $4::int) n`,
        [dept.id, zone, dispatcher.id, OPEN + CLOSED, CLOSED],
      );
      await db.end();

      const { context, page } = await rig.signedIn(dispatcher, MEMBER_PASSWORD);
      await page.goto('/dispatches');
      const rows = page.locator('.board-list > li');
      const more = page.getByRole('button', { name: 'More dispatches' });
      await rows.nth(99).waitFor();
      expect(await rows.count()).toBe(100);
      // Open first, newest first: the first page ends well inside the open ones.
      await rows.first().getByText(`B-${OPEN + CLOSED}`).waitFor();
      await more.focus();
      await page.keyboard.press('Enter');
      await rows.nth(OPEN + CLOSED - 1).waitFor();
      expect(await rows.count()).toBe(OPEN + CLOSED);
      expect(await more.count()).toBe(0);
      await rows.last().getByText('B-001').waitFor();

      // Open only: a first page of a hundred open ones, and the rest on asking.
      await page.getByLabel('Status').selectOption('open');
      await more.waitFor();
      expect(await rows.count()).toBe(100);
      await more.click();
      await rows.nth(OPEN - 1).waitFor();
      expect(await rows.count()).toBe(OPEN);
      expect(await page.locator('.board-list .status-closed').count()).toBe(0);
      await context.close();
    },
  );
});
