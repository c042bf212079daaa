// Preloaded into the server by `BENCH_PROF=<file> npm run bench`: profiles the CPU from start and
// writes a .cpuprofile (Chrome DevTools format) on SIGWINCH, so a profile survives a kill.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
process.on('SIGWINCH', () => {
  session.post('Profiler.stop', (error, { profile } = {}) => {
    if (!error) writeFileSync(process.env.BENCH_PROF, JSON.stringify(profile));
    session.post('Profiler.start');
  });
});
