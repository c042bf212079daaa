import sharp from 'sharp';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow, logIn, personIn } from './support/browser';
import { useServerAndBrowser } from './support/rig';

const MEMBER_PASSWORD = 'member-password';

/** Resolves once `read` gives `expected`, or fails with the last value after `timeoutMs`. */
async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (last !== expected && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toBe(expected);
}

describeInBrowser('the chat that field crews expect, in a real browser', () => {
  const rig = useServerAndBrowser();

  flow(
    'a crew shares a photo and a place, replies, edits, retracts, mentions, mutes, sees receipts and typing, and finds it all again',
    ['POST /api/attachments', 'GET /api/attachments/:id/thumbnail', 'PATCH /api/conversations/:id/messages/:seq', 'DELETE /api/conversations/:id/messages/:seq', 'GET /api/search'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const alex = await dept.newMember({ name: 'Alex Ahn' });
      const blake = await dept.newMember({ name: 'Blake Boyd' });
      const id: number = (await dept.as(alex).post('/api/conversations').send({ title: 'Harbor crew', memberIds: [blake.id] }).expect(201)).body.id;
      await dept.as(alex).post('/api/messages').send({ subject: 'Hydrant inspection', body: '<p>Due Friday</p>', sendMode: 'specific', userIds: [blake.id] }).expect(201);
      const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c0392b' } }).png().toBuffer();

      const a = await personIn(rig.browser, rig.server.baseUrl);
      const b = await personIn(rig.browser, rig.server.baseUrl, { phone: true });
      await a.context.grantPermissions(['geolocation']);
      await a.context.setGeolocation({ latitude: 47.6062, longitude: -122.3321, accuracy: 10 });
      await logIn(a.page, alex.email, MEMBER_PASSWORD);
      await logIn(b.page, blake.email, MEMBER_PASSWORD);
      await a.page.goto(`/chat/${id}`);
      await b.page.goto(`/chat/${id}`);
      await a.page.getByRole('heading', { name: 'Harbor crew' }).waitFor();
      await b.page.getByRole('heading', { name: 'Harbor crew' }).waitFor();
      const aLog = a.page.getByRole('log');
      const bLog = b.page.getByRole('log');
      const aBox = a.page.getByRole('textbox', { name: 'Message to Harbor crew' });
      const bBox = b.page.getByRole('textbox', { name: 'Message to Harbor crew' });

      // A photo: on a phone the input opens the camera.
      const photo = b.page.getByLabel('Photo');
      expect(await photo.getAttribute('accept')).toBe('image/*');
      expect(await photo.getAttribute('capture')).toBe('environment');
      await a.page.getByLabel('Photo').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: png });
      await a.page.getByRole('list', { name: 'Attached' }).getByText('scene.png').waitFor();
      await a.page.getByRole('button', { name: 'Send' }).click();
      const seen = bLog.getByRole('img', { name: 'scene.png' });
      await seen.waitFor({ timeout: 10_000 });
      // The thumbnail really loaded: 320 pixels wide, fetched with the token.
      await until(() => seen.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 320);

      // A place, as a map link.
      await a.page.getByRole('button', { name: 'Share location' }).click();
      const place = bLog.getByRole('link', { name: /Location on the map/ });
      await place.waitFor({ timeout: 10_000 });
      expect(await place.getAttribute('href')).toContain('mlat=47.6062&mlon=-122.3321');

      // A line Blake reads: Alex sees the receipt.
      await aBox.fill('Hydrant at 5th is dry');
      await a.page.keyboard.press('Enter');
      await bLog.getByText('Hydrant at 5th is dry').waitFor({ timeout: 10_000 });
      await a.page.getByTestId('receipts').filter({ hasText: 'Seen by Blake Boyd' }).waitFor({ timeout: 10_000 });

      // Blake replies; Alex sees the typing, then the quoted line.
      await b.page.locator('.bubble', { hasText: 'Hydrant at 5th is dry' }).getByRole('button', { name: /^Reply/ }).click();
      await b.page.getByText(/Replying to/).waitFor();
      await bBox.fill('Use the one on 6th');
      await a.page.getByText('Blake Boyd is typing…').waitFor({ timeout: 10_000 });
      await b.page.keyboard.press('Enter');
      const reply = a.page.locator('.bubble', { hasText: 'Use the one on 6th' });
      await reply.waitFor({ timeout: 10_000 });
      await reply.locator('blockquote').getByText('Hydrant at 5th is dry').waitFor();

      // Alex corrects the address; Blake sees it change in place.
      await a.page.locator('.bubble', { hasText: 'Hydrant at 5th is dry' }).getByRole('button', { name: /^Edit/ }).click();
      await until(() => aBox.inputValue(), 'Hydrant at 5th is dry');
      await aBox.fill('Hydrant at 5th and Main is dry');
      await a.page.getByRole('button', { name: 'Save' }).click();
      const edited = b.page.locator('.bubble', { hasText: 'Hydrant at 5th and Main is dry' });
      await edited.waitFor({ timeout: 10_000 });
      await edited.getByText('edited').waitFor();

      // Alex takes the photo back.
      a.page.once('dialog', (dialog) => void dialog.accept());
      await a.page.locator('.bubble', { has: a.page.getByRole('img', { name: 'scene.png' }) }).getByRole('button', { name: /^Retract/ }).click();
      await seen.waitFor({ state: 'detached', timeout: 10_000 });
      await bLog.getByText('Message retracted').first().waitFor();

      // A mention, picked from the members.
      await a.page.getByRole('button', { name: 'Mention' }).click();
      await a.page.getByRole('group', { name: 'Mention someone' }).getByRole('button', { name: '@Blake Boyd' }).click();
      await until(() => aBox.inputValue(), '@Blake Boyd ');
      await aBox.pressSequentially('check the pump pressure');
      await a.page.keyboard.press('Enter');
      await b.page.locator('.bubble.mentioned', { hasText: 'check the pump pressure' }).waitFor({ timeout: 10_000 });
      const history = await dept.as(blake).get(`/api/conversations/${id}/messages`).expect(200);
      expect(history.body.items.at(-1)).toEqual(expect.objectContaining({ body: '@Blake Boyd check the pump pressure', mentionUserIds: [blake.id] }));

      // Blake mutes the room to mentions.
      await b.page.getByLabel('Notification level').selectOption('mentions');
      await until(async () => (await dept.as(blake).get(`/api/conversations/${id}`)).body.notificationLevel, 'mentions');

      // One search box finds the mail and the chat line.
      await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
      await a.page.getByRole('searchbox', { name: 'Search mail and chat' }).fill('hydrant');
      await a.page.keyboard.press('Enter');
      const results = a.page.getByRole('list', { name: 'Results' });
      await results.getByText('Hydrant inspection').waitFor();
      await results.getByRole('link', { name: /Harbor crew/ }).first().click();
      await a.page.getByRole('heading', { name: 'Harbor crew' }).waitFor();
      await a.context.close();
      await b.context.close();
    },
    90_000,
  );

  flow(
    'the conversation list pages with More conversations and filters by kind, and mail shows its photo',
    ['GET /api/conversations', 'POST /api/attachments', 'GET /api/messages/:id'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const dispatcher = await dept.newMember({ name: 'Drew Dispatch' });
      const crew = await dept.newMembers(34);
      for (const member of crew) await dept.as(dispatcher).post('/api/conversations/direct').send({ userId: member.id }).expect(201);
      await dept.as(dispatcher).post('/api/conversations').send({ title: 'Station 4 crew', memberIds: [crew[0].id] }).expect(201);
      const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2e86c1' } }).png().toBuffer();
      const photo = await dept.as(dispatcher).post('/api/attachments').attach('file', png, 'engine.png').expect(201);
      const mail = await dept
        .as(dispatcher)
        .post('/api/messages')
        .send({ subject: 'Engine 4 damage', body: '<p>See the photo</p>', sendMode: 'specific', userIds: [crew[0].id], attachmentIds: [photo.body.id] })
        .expect(201);

      const d = await rig.signedIn(dispatcher, MEMBER_PASSWORD);
      await d.page.goto('/chat');
      const items = d.page.locator('.conversation-list > li');
      await until(() => items.count(), 30);
      await d.page.getByRole('button', { name: 'More conversations' }).click();
      await until(() => items.count(), 35);
      expect(await d.page.getByRole('button', { name: 'More conversations' }).count()).toBe(0);
      await d.page.getByLabel('Show').selectOption('personal');
      await until(() => items.count(), 1);
      await items.getByText('Station 4 crew').waitFor();
      await d.context.close();

      const c = await rig.signedIn(crew[0], MEMBER_PASSWORD, { phone: true });
      await c.page.goto(`/messages/${mail.body.id}`);
      const img = c.page.getByRole('img', { name: 'engine.png' });
      await img.waitFor();
      await until(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth), 320);
      await c.context.close();
    },
    90_000,
  );
});
