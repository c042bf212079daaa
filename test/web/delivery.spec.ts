import type { Page } from 'playwright-core';
import { TestDepartment } from '../support/factories';
import { describeInBrowser, flow } from './support/browser';
import { bulkCrew, useServerAndBrowser } from './support/rig';

const ADMIN_PASSWORD = 'admin-password';
const CREW = 130;

/** The rows of the sender's delivery table. */
const deliveryRows = (page: Page) => page.locator('section.delivery tbody tr');

describeInBrowser("the sender's delivery record for a large send, in a real browser", () => {
  const rig = useServerAndBrowser();

  flow(
    'a message to more than a hundred people lists them all a page at a time, and the state filter pages too',
    ['POST /api/messages', 'GET /api/messages/:id', 'GET /api/messages/:id/recipients'],
    async () => {
      const dept = await TestDepartment.create(rig.server);
      const crew = await bulkCrew(rig.server, dept.id, CREW);
      const sent = await dept.asAdmin().post('/api/messages').send({ subject: 'Annual hose test', body: '<p>Sign the sheet</p>', sendMode: 'all' }).expect(201);
      const id = sent.body.id as number;
      // Three people open it, so "Not read" is everyone but them.
      const readers = [crew[0], crew[60], crew[CREW - 1]];
      for (const r of readers) {
        const token = rig.server.tokenFor(r.id, dept.id);
        await dept.as({ ...r, email: '', token, auth: `Bearer ${token}` }).get(`/api/messages/${id}`).expect(200);
      }

      const { context, page } = await rig.signedIn(dept.admin, ADMIN_PASSWORD);
      await page.goto(`/messages/${id}`);
      const panel = page.locator('section.delivery');
      await panel.getByRole('heading', { name: 'Delivery' }).waitFor();
      await panel.getByText(`of ${CREW} acknowledged`).waitFor();
      await deliveryRows(page).nth(99).waitFor();
      expect(await deliveryRows(page).count()).toBe(100);

      // A button, so the keyboard reaches it as well.
      const more = panel.getByRole('button', { name: 'Show more recipients' });
      await more.focus();
      await page.keyboard.press('Enter');
      await deliveryRows(page).nth(CREW - 1).waitFor();
      expect(await deliveryRows(page).count()).toBe(CREW);
      expect(await more.count()).toBe(0);
      // Every one of them once, the last one included.
      await panel.getByRole('cell', { name: crew[CREW - 2].name, exact: true }).waitFor();

      // The filter starts again from its own first page and pages on within it.
      await panel.getByRole('button', { name: 'Not read' }).click();
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('section.delivery tbody tr').length === 100);
      await more.click();
      await deliveryRows(page).nth(CREW - readers.length - 1).waitFor();
      expect(await deliveryRows(page).count()).toBe(CREW - readers.length);
      expect(await more.count()).toBe(0);
      for (const r of readers) expect(await panel.getByRole('cell', { name: r.name, exact: true }).count()).toBe(0);

      await context.close();
    },
    90_000,
  );
});
