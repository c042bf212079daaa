import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { TokenService } from '../../../src/auth/token.service';
import { TEST_JWT_SECRET } from '../../support/test-server';

const root = join(__dirname, '..', '..', '..');

const newestSource = (dir: string): number =>
  readdirSync(dir).reduce((latest, name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return Math.max(latest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }, 0);

const fresh = () => {
  const main = join(root, 'dist', 'main.js');
  return existsSync(main) && statSync(main).mtimeMs >= newestSource(join(root, 'src'));
};

/**
 * Compiles `src/` to `dist/` with `nest build` unless `dist/main.js` is newer than every source
 * file. Test files running side by side take turns (a lock directory), so none starts a server
 * from a half-built `dist/`.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(root, 'dist.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a run that was killed goes after a minute.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (Date.now() > deadline || age > 60_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!fresh()) execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: root, stdio: 'ignore' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Tokens the server process accepts: signed with the same secret. */
export const tokens = new TokenService(new JwtService(), TEST_JWT_SECRET, [], '12h');

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  /** The last of what the process printed, for a failure's message. */
  errors: () => string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

/** `node dist/main.js` on `port` with `env`; resolves once `/api/health` answers 200. */
export async function startServerProcess(port: number, env: Record<string, string>, timeoutMs = 45_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      DEPARTMENT_SIGNUP: 'open',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      TZ: 'UTC',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last of what it printed (its logs go to stdout), for a failure's message.
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    baseUrl,
    child,
    errors: () => stderr,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the server process exited while starting: ${stderr}`);
    const status = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return server;
    if (Date.now() > deadline) {
      await server.kill('SIGKILL');
      throw new Error(`the server process did not become healthy within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
