import { createServer } from 'node:net';

export async function findFreePort(start) {
  for (let port = start; port < start + 200; port++) {
    const free = await new Promise((done) => {
      const probe = createServer()
        .once('error', () => done(false))
        .once('listening', () => probe.close(() => done(true)))
        .listen(port, '127.0.0.1');
    });
    if (free) return port;
  }
  throw new Error('no free port');
}
