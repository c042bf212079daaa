import type { Page } from 'playwright-core';
import { TestDepartment, type TestMember } from '../support/factories';
import { describeInBrowser, flow } from './support/browser';
import { useBrowser, useServerAndBrowser } from './support/rig';

const MEMBER_PASSWORD = 'member-password';
/** Short enough that a test outlives several tokens; the web app renews at four fifths of it. */
const TOKEN_SECONDS = 6;

const storedToken = (page: Page) => page.evaluate("localStorage.getItem('messages.accessToken')") as Promise<string | null>;

async function signInAgain(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(MEMBER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Waits until the page title matches (the app sets it; `document` is the page's, not this process's). */
async function titleMatches(page: Page, pattern: RegExp, timeout = 10_000) {
  const until = Date.now() + timeout;
  let title = '';
  while (Date.now() < until) {
    title = await page.title();
    if (pattern.test(title)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the page title stayed "${title}", not ${pattern}`);
}

/** A group conversation of the two, started by `owner` (both in one zone, as inviting needs). */
async function groupOf(dept: TestDepartment, owner: TestMember, other: TestMember, title: string): Promise<number> {
  const zone = await dept.newZone(`Zone ${title}`, [owner, other]);
  await dept.setCurrentZone(owner, zone);
  await dept.setCurrentZone(other, zone);
  const res = await dept.as(owner).post('/api/conversations').send({ title, memberIds: [other.id] }).expect(201);
  return res.body.id as number;
}

describeInBrowser('sessions that last, drafts that survive, an outbox for offline', () => {
  const shared = useBrowser();

  describe(`with ${TOKEN_SECONDS}-second access tokens`, () => {
    const rig = useServerAndBrowser({ env: { JWT_EXPIRES_IN: `${TOKEN_SECONDS}s` }, browser: shared });

    flow(
      'an idle page outlives its access token: it renews itself, stays signed in and keeps its live connection',
      ['POST /api/auth/refresh', 'GET /api/messages/unread/top'],
      async () => {
        const dept = await TestDepartment.create(rig.server);
        const member = await dept.newMember({ name: 'Idle Ida' });
        const { context, page } = await rig.signedIn(member, MEMBER_PASSWORD);
        const first = await storedToken(page);
        // Two lifetimes pass with nobody touching the page; the badge's poll and the socket go on.
        await page.waitForTimeout(TOKEN_SECONDS * 2 * 1000 + 1000);
        expect(await page.getByLabel('Email').count()).toBe(0);
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
        expect(await storedToken(page)).not.toBe(first);
        await page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 10_000 });
        // A request made now is answered as this member (no 401 on the way).
        await page.getByRole('link', { name: 'Sent' }).click();
        await page.getByRole('heading', { name: 'Sent' }).waitFor();
        expect(await page.getByLabel('Email').count()).toBe(0);
        await context.close();
      },
      60_000,
    );

    flow(
      'a session that ends (its token expired, renewal refused) says so, and signing in again finds the compose and chat drafts',
      ['POST /api/auth/refresh', 'POST /api/auth/login', 'POST /api/conversations'],
      async () => {
        const dept = await TestDepartment.create(rig.server);
        const writer = await dept.newMember({ name: 'Drafting Dana' });
        const other = await dept.newMember({ name: 'Other Olu' });
        const conversationId = await groupOf(dept, writer, other, 'Engine 4');
        const { context, page } = await rig.signedIn(writer, MEMBER_PASSWORD, { phone: true });

        await page.goto('/compose');
        await page.getByLabel('Subject').fill('Hose test Thursday');
        await page.getByLabel('Message', { exact: true }).fill('Bring the long hoses.');
        await page.goto(`/chat/${conversationId}`);
        const chatBox = page.getByRole('textbox', { name: 'Message to Engine 4' });
        await chatBox.fill('On my way to the station');
        // Without the refresh cookie the next renewal is refused, so the token simply runs out.
        await context.clearCookies();

        const ended = page.getByRole('alert').filter({ hasText: 'Your session ended.' });
        await ended.waitFor({ timeout: TOKEN_SECONDS * 1000 + 10_000 });
        expect(await ended.textContent()).toMatch(/expired/);
        await signInAgain(page, writer.email);
        // Back where the session ended, with the unsent text.
        await expect(page.getByRole('textbox', { name: 'Message to Engine 4' }).inputValue()).resolves.toBe('On my way to the station');
        await page.getByRole('link', { name: 'Compose' }).click();
        await expect(page.getByLabel('Subject').inputValue()).resolves.toBe('Hose test Thursday');
        await expect(page.getByLabel('Message', { exact: true }).inputValue()).resolves.toBe('Bring the long hoses.');
        await context.close();
      },
      60_000,
    );
  });

  describe('with the usual tokens', () => {
    const rig = useServerAndBrowser({ browser: shared });

    flow(
      'a message written offline waits as not sent, goes on reconnect, and the other member sees it exactly once',
      ['POST /api/conversations/:id/messages', 'GET /api/conversations/:id/messages'],
      async () => {
        const dept = await TestDepartment.create(rig.server);
        const alex = await dept.newMember({ name: 'Alex Ahn' });
        const blake = await dept.newMember({ name: 'Blake Boyd' });
        const conversationId = await groupOf(dept, alex, blake, 'Ladder 2');
        const a = await rig.signedIn(alex, MEMBER_PASSWORD);
        const b = await rig.signedIn(blake, MEMBER_PASSWORD, { phone: true });
        await a.page.goto(`/chat/${conversationId}`);
        await b.page.goto(`/chat/${conversationId}`);
        await a.page.getByRole('heading', { name: 'Ladder 2' }).waitFor();
        await b.page.getByRole('heading', { name: 'Ladder 2' }).waitFor();

        await a.context.setOffline(true);
        await a.page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
        const text = 'Tunnel: no signal, back at 14:00';
        await a.page.getByRole('textbox', { name: 'Message to Ladder 2' }).fill(text);
        await a.page.keyboard.press('Enter');
        const pending = a.page.getByRole('log').locator('.bubble.pending').filter({ hasText: text });
        await pending.getByText('Not sent yet').waitFor();
        await expect(a.page.getByRole('textbox', { name: 'Message to Ladder 2' }).inputValue()).resolves.toBe('');
        // Still waiting: nothing has reached the server.
        await b.page.waitForTimeout(1500);
        expect(await b.page.getByRole('log').getByText(text).count()).toBe(0);

        await a.context.setOffline(false);
        await b.page.getByRole('log').getByText(text).waitFor({ timeout: 15_000 });
        await pending.waitFor({ state: 'detached', timeout: 15_000 });
        await a.page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor({ state: 'detached' });
        // Give a second send (a duplicate) time to show, then count.
        await b.page.waitForTimeout(2000);
        expect(await b.page.getByRole('log').getByText(text).count()).toBe(1);
        expect(await a.page.getByRole('log').getByText(text).count()).toBe(1);
        const history = await dept.as(blake).get(`/api/conversations/${conversationId}/messages?limit=100`).expect(200);
        const items = (Array.isArray(history.body) ? history.body : history.body.items) as { body: string }[];
        expect(items.filter((m) => m.body === text)).toHaveLength(1);
        await a.context.close();
        await b.context.close();
      },
      60_000,
    );

    flow(
      'a password reset elsewhere ends the open session with the reason, and the new password finds the draft again',
      ['PUT /api/department/members/:id/password', 'POST /api/auth/refresh'],
      async () => {
        const dept = await TestDepartment.create(rig.server);
        const member = await dept.newMember({ name: 'Reset Remy' });
        const { context, page } = await rig.signedIn(member, MEMBER_PASSWORD);
        await page.goto('/compose');
        await page.getByLabel('Subject').fill('Shift swap');
        await page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 20_000 });

        await dept.asAdmin().put(`/api/department/members/${member.id}/password`).send({ password: 'reset-by-admin-1' }).expect(204);
        // The socket hears it at once; renewal is refused too, as the reset ended every sign-in.
        await page.getByRole('alert').filter({ hasText: /^Your session ended\..*password was changed/i }).waitFor({ timeout: 10_000 });
        await page.getByLabel('Email').fill(member.email);
        await page.getByLabel('Password').fill('reset-by-admin-1');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByLabel('Subject').inputValue()).resolves.toBe('Shift swap');
        await context.close();
      },
      60_000,
    );

    flow(
      'switching the messages module off reaches an open conversation, which gives way to a screen that says so',
      ['PUT /api/department/modules/:module', 'GET /api/department'],
      async () => {
        const dept = await TestDepartment.create(rig.server, `Module Dept ${Date.now()}`);
        const alex = await dept.newMember({ name: 'Alex Ahn' });
        const blake = await dept.newMember({ name: 'Blake Boyd' });
        const conversationId = await groupOf(dept, alex, blake, 'Rescue 1');
        const { context, page } = await rig.signedIn(alex, MEMBER_PASSWORD, { phone: true });
        await page.goto(`/chat/${conversationId}`);
        await page.getByRole('heading', { name: 'Rescue 1' }).waitFor();
        await page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 20_000 });

        await dept.switchMessages(false);
        await page.getByRole('heading', { name: 'Mail and chat are switched off' }).waitFor({ timeout: 10_000 });
        expect(await page.getByRole('heading', { name: 'Rescue 1' }).count()).toBe(0);
        expect(await page.getByRole('textbox', { name: 'Message to Rescue 1' }).count()).toBe(0);
        // A member is not offered a switch they may not use.
        expect(await page.getByRole('link', { name: /switch them on/ }).count()).toBe(0);
        await context.close();
      },
      60_000,
    );

    flow(
      'the Chat tab and the page title count new conversations and messages live as another member writes, and clear on reading',
      ['GET /api/conversations', 'POST /api/conversations/:id/messages', 'POST /api/conversations/:id/read', 'GET /api/messages/unread/top'],
      async () => {
        const dept = await TestDepartment.create(rig.server);
        const reader = await dept.newMember({ name: 'Reader Rae' });
        const writer = await dept.newMember({ name: 'Writer Wyn' });
        const { context, page } = await rig.signedIn(reader, MEMBER_PASSWORD);
        await page.goto('/inbox');
        await page.getByRole('heading', { name: 'Inbox' }).waitFor();
        const chatCount = page.getByTestId('chat-count');
        expect(await chatCount.count()).toBe(0);
        await titleMatches(page, /^Inbox ·/);

        // Another member brings the reader into a conversation: one new conversation.
        const conversationId = await groupOf(dept, writer, reader, 'Station 5');
        await chatCount.filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
        await page.getByRole('link', { name: 'Chat, 1 new conversation' }).waitFor();
        await titleMatches(page, /^\(1\) Inbox ·/);

        // Two messages: the badge and the title count them, without a reload.
        for (const body of ['Coffee is on', 'Briefing at 8']) {
          await dept.as(writer).post(`/api/conversations/${conversationId}/messages`).send({ body }).expect(201);
        }
        await chatCount.filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
        await page.getByRole('link', { name: 'Chat, 2 unread messages, 1 new conversation' }).waitFor();
        await titleMatches(page, /^\(3\) Inbox ·/);

        // Mail counts on the bell and in the title too.
        await dept
          .as(writer)
          .post('/api/messages')
          .send({ subject: 'Roster', body: '<p>New roster</p>', sendMode: 'specific', userIds: [reader.id], groupIds: [], roleIds: [], excludeShiftIds: [] })
          .expect(201);
        await page.getByTestId('unread-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
        await titleMatches(page, /^\(4\) Inbox ·/);

        // Reading the conversation clears the Chat count; the mail stays counted.
        await page.getByRole('link', { name: /^Chat/ }).click();
        await page.getByRole('link', { name: /Station 5/ }).click();
        await page.getByRole('log').getByText('Briefing at 8').waitFor();
        await chatCount.waitFor({ state: 'detached', timeout: 10_000 });
        await titleMatches(page, /^\(1\) Chat ·/);
        await context.close();
      },
      60_000,
    );
  });
});
