import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..', '..');

/** Debian's Chromium; nothing here ever downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * `describe` when Chromium is installed; otherwise `describe.skip`, after saying so plainly, so
 * a run without the browser reports these tests as skipped rather than passed.
 */
export function describeInBrowser(name: string, body: () => void) {
  if (hasChromium) return describe(name, body);
  console.warn(`SKIPPING browser tests "${name}": ${CHROMIUM_PATH} is missing (install it with: apt-get install -y chromium)`);
  return describe.skip(name, body);
}

/** `extraArgs` adds Chromium flags, such as `--host-resolver-rules` to reach the server under another name. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', ...extraArgs],
  });
}

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** The web app's sources are newer than its build (or there is no build). */
export function webBuildIsStale(): boolean {
  const built = join(ROOT, 'web', 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = [join(ROOT, 'web', 'src'), join(ROOT, 'web', 'public'), join(ROOT, 'web', 'index.html'), join(ROOT, 'web', 'vite.config.mjs'), join(ROOT, 'src', 'messages', 'realtime', 'socket-events.ts'), join(ROOT, 'src', 'messages', 'messages.permissions.ts'), join(ROOT, 'src', 'dispatch', 'dispatch.permissions.ts'), join(ROOT, 'src', 'permission-catalog.ts')];
  return Math.max(...sources.map(newestChange)) > statSync(built).mtimeMs;
}

/** Builds web/dist when it is missing or older than its sources; the test server serves it when it exists at start. */
export function ensureWebBuilt(): void {
  if (!webBuildIsStale()) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
}

/**
 * Whether the server registers these routes ("GET /api/messages/unread/top"), read from the
 * route-declaration snapshot that `test/foundation` keeps equal to the live route table.
 */
export function serverDeclares(...routes: string[]): boolean {
  const snapshot = readFileSync(join(ROOT, 'test', 'foundation', '__snapshots__', 'route-declarations.spec.ts.snap'), 'utf8');
  return routes.every((route) => {
    const [method, path] = route.split(/\s+/);
    return snapshot.split('\n').some((line) => {
      const [m, p] = line.trim().replace(/^"/, '').split(/\s+/);
      return m === method && p === path;
    });
  });
}

/** `it` for a flow, naming the server routes it drives: a flow whose routes are gone fails, saying which. */
export function flow(name: string, routes: string[], body: () => Promise<void>, timeout = 60_000) {
  return it(
    name,
    async () => {
      const missing = routes.filter((route) => !serverDeclares(route));
      if (missing.length) throw new Error(`the server does not declare ${missing.join(', ')}`);
      await body();
    },
    timeout,
  );
}

/** A person's own browser: a context of their own (storage, socket), one page. */
export async function personIn(browser: Browser, baseUrl: string, options: { phone?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.phone ? { width: 390, height: 780 } : { width: 1200, height: 800 },
    ...(options.phone && { isMobile: true, hasTouch: true, deviceScaleFactor: 1 }),
  });
  context.setDefaultTimeout(8_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  return { context, page };
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
