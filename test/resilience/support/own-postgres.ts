import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePort } from '../../../src/database/embedded-postgres';

/** The postmaster's pid: the first line of `postmaster.pid`. */
const postmasterOf = (databaseDir: string) => Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

/** Every process `postmaster` started, found through `/proc` by parent pid. */
function childrenOf(postmaster: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // Field 4 of /proc/<pid>/stat, after the parenthesised command name, is the parent pid.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
}

export type OwnPostgres = Awaited<ReturnType<typeof ownPostgres>>;

/**
 * A PostgreSQL server of the test's own (see postgres-control.mjs): stopped and started again on
 * the same port and data, or frozen with SIGSTOP (every one of its processes, by pid) as a
 * saturated or partitioned server behaves, and thawed with SIGCONT.
 */
export async function ownPostgres(database: string) {
  const port = await findFreePort(56000 + Math.floor(Math.random() * 3000));
  const databaseDir = join(tmpdir(), `messages-${database}-pg-${process.pid}-${port}`);
  const control = spawn(process.execPath, [join(__dirname, 'postgres-control.mjs'), databaseDir, String(port), database], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: control.stdout! })[Symbol.asyncIterator]();
  const answer = async () => {
    const { value, done } = await lines.next();
    if (done || value !== 'ok') throw new Error(`PostgreSQL control: ${done ? 'exited' : value}`);
  };
  const command = async (line: 'stop' | 'start' | 'quit') => {
    control.stdin!.write(`${line}\n`);
    await answer();
  };
  await answer();
  let frozen: number[] = [];
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: () => command('stop'),
    start: () => command('start'),
    freeze: () => {
      // The postmaster first, so that no backend starts after the list of its children is read.
      const postmaster = postmasterOf(databaseDir);
      process.kill(postmaster, 'SIGSTOP');
      frozen = [postmaster, ...childrenOf(postmaster)];
      for (const pid of frozen.slice(1)) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    remove: async () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      const exited = new Promise((resolve) => control.once('exit', resolve));
      await command('quit').catch(() => control.kill());
      await exited;
    },
  };
}
