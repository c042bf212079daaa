import { Client } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MESSAGES_MEMBER_DEFAULTS } from '../../../src/messages/messages.permissions';
import { startTestServer, type TestServer } from '../../support/test-server';
import { ensureWebBuilt, launchBrowser, logIn, personIn } from './browser';

export interface SignInOptions {
  /** A phone-sized touch context instead of a desktop window. */
  phone?: boolean;
  /** Also wait until the page says "Live updates on" (the socket is connected). */
  live?: boolean;
}

/** Opens a person's own context, signs them in and, when asked, waits for the live connection. */
export async function signedIn(browser: Browser, baseUrl: string, person: { email: string }, password: string, options: SignInOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await personIn(browser, baseUrl, { phone: options.phone });
  await logIn(opened.page, person.email, password);
  if (options.live) await opened.page.getByRole('img', { name: 'Live updates on' }).waitFor({ timeout: 20_000 });
  return opened;
}

/** One Chromium for the file's tests (the web app built first), closed after them. */
export function useBrowser(extraArgs: string[] = []): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    ensureWebBuilt();
    browser = await launchBrowser(extraArgs);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is not started');
      return browser;
    },
  };
}

/** One test server for the enclosing `describe`, with these settings, closed after it. */
export function useServer(env: Record<string, string> = {}): { readonly server: TestServer } {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the test server is not started');
      return server;
    },
  };
}

export interface BrowserRig {
  readonly server: TestServer;
  readonly browser: Browser;
  /** A person signed in, in a desktop context (or a phone's), on this server. */
  signedIn(person: { email: string }, password: string, options?: SignInOptions): Promise<{ context: BrowserContext; page: Page }>;
}

/** A test server and a browser for this file's tests; `browser` shares one already started for the file. */
export function useServerAndBrowser(options: { env?: Record<string, string>; browserArgs?: string[]; browser?: { readonly browser: Browser } } = {}): BrowserRig {
  const b = options.browser ?? useBrowser(options.browserArgs);
  const s = useServer(options.env);
  return {
    get server() {
      return s.server;
    },
    get browser() {
      return b.browser;
    },
    signedIn: (person, password, signInOptions) => signedIn(b.browser, s.server.baseUrl, person, password, signInOptions),
  };
}

/**
 * `count` members of the department made in one statement, named "Crew 001" on: signing a hundred
 * people up through the admin API would mostly time the password hash. They cannot sign in.
 */
export async function bulkCrew(server: TestServer, departmentId: number, count: number): Promise<{ id: number; name: string }[]> {
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: number; name: string }>(
      `insert into members (department_id, name, email, password_hash, permissions)
       select $1::int, 'Crew ' || lpad(n::text, 3, '0'), 'crew-' || $1::int || '-' || n || '@test.example', 'scrypt$none$none', $3::text[]
         from generate_series(1, $2::int) n order by n returning id, name`,
      [departmentId, count, MESSAGES_MEMBER_DEFAULTS],
    );
    return rows;
  } finally {
    await db.end();
  }
}
