import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { createApp, type AppOptions } from '../../src/app';
import { TokenService } from '../../src/auth/token.service';
import { validateEnvironment } from '../../src/config/environment';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

/** A database URL on the test server with another database name. */
export function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (globalSetup)');
  const name = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(base, name),
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestServer {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  databaseUrl: string;
  http: () => request.Agent;
  tokenFor(userId: number, departmentId: number): string;
  close(): Promise<void>;
}

/** The whole server, listening on a free port, on a fresh database of its own. */
export async function startTestServer(overrides: Record<string, string> = {}, existingDatabaseUrl?: string, appOptions: AppOptions = {}): Promise<TestServer> {
  const database = existingDatabaseUrl ? { url: existingDatabaseUrl, drop: async () => undefined } : await createDatabase();
  // Files the server keeps (attachments) go to a folder of this server's own, removed on close.
  const dataDir = overrides.DATA_DIR ? null : await mkdtemp(join(tmpdir(), 'messages-test-data-'));
  const env = validateEnvironment({
    ...(dataDir && { DATA_DIR: dataDir }),
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    // The process's one pool (ORM, raw SQL and the job queue's workers share it).
    DATABASE_POOL_SIZE: '6',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    DEPARTMENT_SIGNUP: 'open',
    RATE_LIMIT: 'off',
    ...overrides,
  });
  const app = await createApp(env, appOptions);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const tokens = app.get(TokenService);
  return {
    app,
    baseUrl,
    databaseUrl: database.url,
    http: () => request.agent(baseUrl),
    tokenFor: (userId, departmentId) => tokens.sign({ sub: userId, dept: departmentId }),
    close: async () => {
      await app.close();
      await database.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
