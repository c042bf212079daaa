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

  it('forgets ended windows, and keeps its cost per request flat however many requests a window holds', async () => {
    // 200,000 requests of 2,000 users within one window: as a busy server's minute.
    const cpu = process.cpuUsage();
    for (let i = 0; i < 200_000; i++) await storage.increment(`user:${i % 2_000}`, 200, 1_000_000, 200, 'default');
    expect(storage.size).toBe(2_000);
    // The window ends; nothing is left to run for each request counted in it.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(2_000);
    storage.sweep(Date.now());
    expect(storage.size).toBe(0);
  });
});
