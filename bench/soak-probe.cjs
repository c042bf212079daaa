// Loaded into the server process by `bench/soak.mjs` (node -r): answers a `memory` request over
// the IPC channel with the process's memory after a full garbage collection, so that what is
// compared over a run is what the server keeps, not what it has not collected yet.
process.on('message', (message) => {
  if (message !== 'memory') return;
  if (typeof global.gc === 'function') global.gc();
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.send({ type: 'memory', rss, heapTotal, heapUsed, external, arrayBuffers });
});
