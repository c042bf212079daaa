import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import { createApp } from './app';
import { validateEnvironment } from './config/environment';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';

/** A secret generated once and kept under the data folder, for the demo and local runs. */
function keptSecret(dataDir: string, file: string, make: () => string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(path, value, { mode: 0o600 });
  return value;
}

// A promise nobody awaited failed (a timer's query while the database was away, say): say so and
// keep serving, rather than drop every connection of a process whose state is still sound.
process.on('unhandledRejection', (reason) => {
  console.error('Unhandled promise rejection:', reason instanceof Error ? reason.stack : reason);
});

async function main() {
  const demo = process.argv.includes('--demo');
  const raw: Record<string, string | undefined> = { ...process.env };
  if (demo) {
    raw.DEMO_SEED ??= 'on';
    raw.DEPARTMENT_SIGNUP ??= 'open';
  }
  const dataDir = raw.DATA_DIR ?? '.data';
  let embedded: EmbeddedDatabase | undefined;
  if (!raw.DATABASE_URL) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true });
    raw.DATABASE_URL = embedded.url;
    console.log(`Embedded PostgreSQL started in ${Date.now() - started} ms (data under ${join(dataDir, 'postgres')})`);
  }
  if (!raw.JWT_SECRET) {
    if (raw.NODE_ENV === 'production' && !demo) throw new Error('JWT_SECRET must be set in production');
    raw.JWT_SECRET = keptSecret(dataDir, 'jwt-secret', () => randomBytes(48).toString('base64url'));
  }
  if (!raw.VAPID_PUBLIC_KEY && !raw.VAPID_PRIVATE_KEY && (raw.NODE_ENV !== 'production' || demo)) {
    const keys = JSON.parse(keptSecret(dataDir, 'vapid-keys.json', () => JSON.stringify(webpush.generateVAPIDKeys()))) as webpush.VapidKeys;
    raw.VAPID_PUBLIC_KEY = keys.publicKey;
    raw.VAPID_PRIVATE_KEY = keys.privateKey;
  }
  const env = validateEnvironment(raw);
  const app = await createApp(env);
  // Stop the embedded server after Nest has closed its connections.
  if (embedded) {
    const stopDatabase = embedded.stop;
    const close = app.close.bind(app);
    app.close = async () => {
      await close();
      await stopDatabase();
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void app.close().finally(() => process.exit(0)));
    }
  }
  await app.listen(env.PORT, env.HOST);
  console.log(`Serving on http://localhost:${env.PORT} (API under /api, OpenAPI at /api/docs)`);
}

main().catch((error) => {
  // A database that cannot start is the operator's to fix: the line that says how, without a stack.
  console.error(error instanceof EmbeddedPostgresError ? error.message : error);
  process.exit(1);
});
