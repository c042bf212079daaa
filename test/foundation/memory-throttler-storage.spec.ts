import { MemoryThrottlerStorage } from '../../src/rate-limit/memory-throttler.storage';

const MINUTE_MS = 60_000;

describe('the rate limits’ counts in one process', () => {
  let storage: MemoryThrottlerStorage;
  beforeEach(() => (storage = new MemoryThrottlerStorage()));
  afterEach(() => storage.onApplicationShutdown());

  it('counts a window, blocks past the limit for the block duration, and starts again when the window ends', () => {
    const start = 1_000_000;
    const hits = Array.from({ length: 4 }, (_, i) => storage.count('user:7', MINUTE_MS, 3, MINUTE_MS, start + i));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[3]).toMatchObject({ timeToExpire: 60, timeToBlockExpire: 60 });
    // Another key counts on its own.
    expect(storage.count('user:8', MINUTE_MS, 3, MINUTE_MS, start + 5)).toMatchObject({ totalHits: 1, isBlocked: false });
    // Half a minute on: still blocked, the window still counting.
    expect(storage.count('user:7', MINUTE_MS, 3, MINUTE_MS, start + 30_003)).toMatchObject({ totalHits: 5, isBlocked: true, timeToBlockExpire: 30 });
    // A minute on: a new window, and the block has run out.
    expect(storage.count('user:7', MINUTE_MS, 3, MINUTE_MS, start + MINUTE_MS + 10)).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('forgets ended windows, and has nothing to run for each request once its window ends', async () => {
    // 50,000 requests of 2,000 users within one window: a busy server's minute.
    for (let i = 0; i < 50_000; i++) await storage.increment(`user:${i % 2_000}`, 200, 1_000_000, 200, 'default');
    expect(storage.size).toBe(2_000);
    // The window ends while the process idles: no timer per request fires (a storage with one
    // each, scanning the list of all as each fires, keeps the process busy all along).
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(100);
    storage.sweep(Date.now());
    expect(storage.size).toBe(0);
  });
});
