import type { Browser } from 'playwright-core';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { describeInBrowser, ensureWebBuilt, launchBrowser, logIn, personIn } from './support/browser';

const ADMIN_PASSWORD = 'admin-password';

describeInBrowser('the web app over plain http under a station name', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    // station.test resolves to this machine inside the browser only; nothing leaves it.
    browser = await launchBrowser(['--host-resolver-rules=MAP station.test 127.0.0.1']);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the app over http from a name that is not localhost, and signs in', async () => {
    const dept = await TestDepartment.create(server, 'Station Network Fire');
    const stationUrl = server.baseUrl.replace('127.0.0.1', 'station.test');
    const { context, page } = await personIn(browser, stationUrl);
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await logIn(page, dept.admin.email, ADMIN_PASSWORD);
    await page.getByRole('banner').getByText('Station Network Fire').waitFor();
    expect(new URL(page.url()).origin).toBe(stationUrl);
    expect(failed.filter((url) => url.startsWith('https:'))).toEqual([]);
    await context.close();
  });
});
