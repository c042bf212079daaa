import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_JWT_SECRET } from '../support/test-server';
import { ensureBuilt } from './support/server-process';

const main = join(__dirname, '..', '..', 'dist', 'main.js');

/** `node dist/main.js` from `cwd` with no DATABASE_URL: what it prints and how it ends, or what it printed once it serves. */
function startFrom(cwd: string, env: Record<string, string> = {}): Promise<{ output: string; exit: string }> {
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('Serving on')) child.kill('SIGTERM');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ output, exit: signal ?? `exit ${code}` });
    }),
  );
}

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.log('SKIPPING the start as root: these tests run as another user');

(asRoot ? describe : describe.skip)('the embedded PostgreSQL started as root', () => {
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    // A checkout under root's home, say: a folder the `postgres` user cannot enter.
    home = mkdtempSync(join(tmpdir(), 'messages-root-only-'));
    chmodSync(home, 0o700);
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('explains in one line that its user cannot enter the folder, and how to fix it', async () => {
    const { output, exit } = await startFrom(home);
    expect(exit).toBe('exit 1');
    const lines = output.split('\n').filter((l) => l.trim());
    expect(lines).toEqual([
      `The embedded PostgreSQL cannot start: it runs as the "postgres" user, which cannot enter ${home} (mode 0700) on the way to its data in ${join(home, '.data', 'postgres')}. ` +
        'Set DATA_DIR to a folder that user can reach, or set DATABASE_URL to use a PostgreSQL of your own.',
    ]);
  }, 90_000);

  it('starts from the same folder once DATA_DIR names one that user can reach', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'messages-data-'));
    chmodSync(dataDir, 0o755);
    try {
      const { output } = await startFrom(home, { DATA_DIR: dataDir });
      expect(output).toContain('Embedded PostgreSQL started');
      expect(output).toContain('Serving on');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
