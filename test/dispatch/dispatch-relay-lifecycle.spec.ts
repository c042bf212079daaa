import { DispatchRelay } from '../../src/dispatch/outbox/dispatch-relay';
import { eventually } from '../support/sockets';
import { startTestServer } from '../support/test-server';

describe('the dispatch event relay', () => {
  it('polls while the server runs and stops when it shuts down', async () => {
    const server = await startTestServer({ DISPATCH_RELAY_POLL_MS: '20' });
    const relay = server.app.get(DispatchRelay);
    const polls = jest.spyOn(relay, 'deliverDue');
    try {
      // Polls every 20 ms; a loaded machine may stretch that, so wait for three rather than a fixed time.
      await eventually(() => polls.mock.calls.length > 2, 5_000, 'three polls');
    } finally {
      await server.close();
    }
    const before = polls.mock.calls.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(polls.mock.calls.length).toBe(before);
  });
});
