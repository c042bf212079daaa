import { MessagesPermission } from '../../src/messages/messages.permissions';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow, logIn, personIn } from './support/browser';
import { useServerAndBrowser } from './support/rig';

const MEMBER_PASSWORD = 'member-password';
const LIVE = { timeout: 15_000 };

describeInBrowser('what each person sees on their main screens, in a real browser', () => {
  const rig = useServerAndBrowser({ env: { DISPATCH_RELAY_POLL_MS: '100' } });

  flow(
    'a mass text is one row in the sender’s chat list, opening an overview that follows the replies live',
    ['POST /api/conversations/mass-text', 'GET /api/conversations/mass-texts', 'GET /api/conversations/mass-texts/:id'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const sender = await dept.newMember({ name: 'Drew Desk', permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.MassText] });
      const crew = await Promise.all(['Ari One', 'Bo Two', 'Cy Three'].map((name) => dept.newMember({ name })));
      await dept.newGroup('Station 5', crew);

      const [d, r] = await Promise.all([rig.signedIn(sender, MEMBER_PASSWORD), rig.signedIn(crew[0], MEMBER_PASSWORD, { phone: true })]);
      await d.page.goto('/chat');
      await d.page.getByRole('button', { name: 'Mass text' }).click();
      await d.page.getByRole('textbox', { name: 'Text', exact: true }).fill('Station 5: report fuel levels.');
      await d.page.getByRole('group', { name: /^Groups/ }).getByLabel('Station 5').check();
      await d.page.getByRole('button', { name: 'Send mass text' }).click();

      // Straight to the overview: three people, nobody has replied.
      await d.page.getByRole('heading', { level: 1, name: 'Mass text' }).waitFor(LIVE);
      const summary = d.page.getByRole('status').filter({ hasText: 'replied' });
      await summary.filter({ hasText: '0 replied' }).waitFor();
      const table = d.page.getByRole('table');
      for (const m of crew) await table.getByRole('rowheader', { name: m.name }).waitFor();

      // One recipient replies from a phone: the overview shows it without a reload.
      await r.page.goto('/chat');
      await r.page.getByRole('link', { name: /Drew Desk/ }).click(LIVE);
      await r.page.getByRole('textbox', { name: /Message to/ }).fill('Ari: three quarters full.');
      await r.page.keyboard.press('Enter');
      await summary.filter({ hasText: '1 replied' }).waitFor(LIVE);
      await table.getByRole('row', { name: /Ari One/ }).getByText('Ari: three quarters full.').waitFor();

      // The chat list: one row for the mass text, not one per recipient; the replier's conversation is its own row.
      await d.page.getByRole('link', { name: '← Chat' }).click();
      const list = d.page.locator('.conversation-list');
      await list.getByRole('link', { name: /Station 5: report fuel levels\..*To 3 · .*1 replied/ }).waitFor(LIVE);
      await list.getByRole('link', { name: /Ari One/ }).waitFor();
      expect(await list.getByRole('link', { name: /Bo Two/ }).count()).toBe(0);
      expect(await list.getByRole('link', { name: /Cy Three/ }).count()).toBe(0);
      await Promise.all([d.context.close(), r.context.close()]);
    },
  );

  flow(
    'after Leave a dispatch conversation stays listed and readable, offers no Invite, and writing brings its member back',
    ['POST /api/dispatches', 'POST /api/dispatches/:id/tasks', 'POST /api/conversations/:id/leave'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newDispatcher({ name: 'Dee Dispatch' });
      const officer = await dept.newMember({ name: 'Lee Leaver' });
      const zone = await dept.newZone('Harbor', [dispatcher, officer]);
      const created = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'L-7', zoneId: zone, title: 'Boat fire' }).expect(201);
      await dept.as(dispatcher).post(`/api/dispatches/${created.body.id}/tasks`).send({ officerId: officer.id, description: 'Fireboat' }).expect(201);
      const conversationId = (await dept.as(officer).get(`/api/dispatches/${created.body.id}/conversation`).expect(200)).body.conversation.id;

      const o = await personIn(rig.browser, rig.server.baseUrl);
      o.page.on('dialog', (dialog) => void dialog.accept());
      await logIn(o.page, officer.email, MEMBER_PASSWORD);
      await o.page.goto(`/chat/${conversationId}`);
      await o.page.getByRole('heading', { name: 'Dispatch L-7' }).waitFor();
      await o.page.getByRole('button', { name: 'Invite' }).waitFor();
      await o.page.getByRole('button', { name: 'Leave' }).click();
      await o.page.getByText('You left this conversation; writing in it brings you back.').waitFor();
      expect(await o.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
      await o.page.locator('.conversation-list').getByRole('link', { name: /Dispatch L-7/ }).waitFor();
      await o.page.reload();
      await o.page.getByText('You left this conversation; writing in it brings you back.').waitFor();
      await o.page.getByRole('textbox', { name: 'Message to Dispatch L-7' }).fill('Lee: back on it.');
      await o.page.keyboard.press('Enter');
      await o.page.getByRole('button', { name: 'Invite' }).waitFor(LIVE);
      expect(await o.page.getByText('You left this conversation; writing in it brings you back.').count()).toBe(0);

      // The "Dispatch" button opens it by number.
      await o.page.getByRole('link', { name: 'Dispatch', exact: true }).click();
      await o.page.waitForURL('**/dispatches/L-7');
      await o.page.getByRole('heading', { level: 1, name: 'Dispatch L-7' }).waitFor();
      await o.context.close();
    },
  );

  flow(
    'Write another starts with no recipients; the sender’s poll tally moves as answers come in; the phone’s unread menu fits the screen',
    ['POST /api/messages', 'POST /api/messages/:id/response', 'GET /api/messages/unread/top'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const sender = await dept.newMember({ name: 'Sam Sender' });
      const voter = await dept.newMember({ name: 'Vic Voter' });
      const [s, v] = await Promise.all([rig.signedIn(sender, MEMBER_PASSWORD), rig.signedIn(voter, MEMBER_PASSWORD, { phone: true })]);

      await s.page.goto('/compose');
      await s.page.getByLabel('Subject').fill('Overtime Saturday?');
      await s.page.getByLabel('Type').selectOption('poll');
      await s.page.getByLabel('Message', { exact: true }).fill('Who can cover?');
      await s.page.getByRole('group', { name: /^People/ }).getByLabel('Vic Voter').check();
      await s.page.getByRole('button', { name: 'Send' }).click();
      await s.page.getByText('went to 1 person').waitFor();
      await s.page.getByRole('button', { name: 'Write another' }).click();
      await s.page.getByLabel('Subject').waitFor();
      expect(await s.page.getByRole('button', { name: 'Remove Vic Voter' }).count()).toBe(0);
      expect(await s.page.getByRole('group', { name: /^People/ }).getByLabel('Vic Voter').isChecked()).toBe(false);
      expect(await s.page.getByLabel('Type').inputValue()).toBe('normal');

      // The voter's unread menu on a phone lies within the screen.
      await v.page.getByTestId('unread-count').filter({ hasText: '1' }).waitFor(LIVE);
      await v.page.getByRole('button', { name: /unread message/ }).click();
      const menu = v.page.getByRole('menu', { name: 'Newest unread' });
      await menu.waitFor();
      const box = await menu.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);

      // The sender keeps the message open; the voter answers; the tally changes without a reload.
      await s.page.goto('/outbox');
      await s.page.getByText('Overtime Saturday?').click();
      const recipients = s.page.getByRole('region', { name: 'Recipients' });
      await recipients.getByText('yes 0, no 0, maybe 0').waitFor();
      await menu.getByRole('menuitem', { name: /Overtime Saturday\?/ }).click();
      await v.page.getByLabel('Yes').check();
      await v.page.getByRole('button', { name: 'Send answer' }).click();
      await recipients.getByText('yes 1, no 0, maybe 0').waitFor(LIVE);
      await Promise.all([s.context.close(), v.context.close()]);
    },
  );
});
