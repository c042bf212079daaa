import { Client } from 'pg';
import type { ConversationMessagePayload } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * The host retries an event whose subscriber failed. These tests make the messages module's
 * reaction fail on its first attempt (a trigger that raises, in the plugin's own tables) and
 * check that the retry leaves the conversation as one clean attempt would have.
 */
describe('dispatch conversations when a reaction fails once', () => {
  let server: TestServer;
  let db: Client;
  beforeAll(async () => {
    server = await startTestServer({ DISPATCH_RELAY_POLL_MS: '50', DISPATCH_RELAY_RETRY_MS: '200' });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterEach(async () => {
    closeAllSockets();
    await db.query('drop trigger if exists flaky on dispatch_conversations; drop trigger if exists flaky on conversations');
  });
  afterAll(async () => {
    await db.end();
    await server.close();
  });

  async function world() {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher({ name: 'Dana' });
    const ann = await dept.newMember({ name: 'Ann' });
    const bob = await dept.newMember({ name: 'Bob' });
    const zoneId = await dept.newZone('West', [dispatcher, ann, bob]);
    const as = (m: TestMember) => dept.as(m);
    return { dept, dispatcher, ann, bob, zoneId, as };
  }

  const outbox = async (dispatchId: number) =>
    (
      await db.query<{ type: string; attempts: number; delivered: boolean; last_error: string | null }>(
        'select type, attempts, delivered_at is not null as delivered, last_error from dispatch_outbox where dispatch_id = $1 order by id',
        [dispatchId],
      )
    ).rows;

  async function allDelivered(dispatchId: number, count: number) {
    const until = Date.now() + 10_000;
    for (;;) {
      const rows = await outbox(dispatchId);
      if (rows.length === count && rows.every((r) => r.delivered)) return rows;
      if (Date.now() > until) throw new Error(`events of dispatch ${dispatchId} not delivered: ${JSON.stringify(rows)}`);
      await settle(50);
    }
  }

  it('opens the conversation and brings each officer in exactly once when every reaction fails after doing its work', async () => {
    const { dept, dispatcher, ann, bob, zoneId, as } = await world();
    // Every other time the module marks an event of this department applied, the write fails:
    // each event's first attempt, after its reaction committed.
    await db.query(`
      create sequence if not exists flaky_bookkeeping;
      create or replace function fail_every_other_bookkeeping() returns trigger language plpgsql as $$
      begin
        if new.department_id = ${dept.id} and cardinality(new.applied_event_ids) > cardinality(old.applied_event_ids)
           and nextval('flaky_bookkeeping') % 2 = 1 then
          raise exception 'bookkeeping unavailable';
        end if;
        return new;
      end $$;
      create trigger flaky before update on dispatch_conversations for each row execute function fail_every_other_bookkeeping();
    `);
    const sockets = await Promise.all([dispatcher, ann, bob].map((m) => connectSocket(server.baseUrl, m.token)));
    const invitations = sockets.map((s) => collect(s, 'conversation:invited'));

    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'R-1', zoneId, title: 'Gas leak' }).expect(201)).body;
    for (const officer of [ann, bob]) {
      await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officer.id, description: 'Evacuate' }).expect(201);
    }

    const delivered = await allDelivered(dispatch.id, 3);
    // Each event failed once and was delivered on its retry.
    expect(delivered.map((r) => [r.type, r.attempts])).toEqual([
      ['DispatchCreated', 2],
      ['TaskAssigned', 2],
      ['TaskAssigned', 2],
    ]);
    const { rows: conversations } = await db.query('select id from conversations where department_id = $1 and dispatch_id = $2', [dept.id, dispatch.id]);
    expect(conversations).toHaveLength(1);
    const record = (await as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation`).expect(200)).body;
    expect(record.conversation.members.map((m: { userId: number }) => m.userId)).toEqual([dispatcher.id, ann.id, bob.id]);
    expect(record.messages.map((m: ConversationMessagePayload) => m.body)).toEqual(['Dana started the conversation', 'Ann joined', 'Bob joined']);
    await settle();
    expect(invitations.map((seen) => seen.map((c) => c.id))).toEqual([[record.conversation.id], [record.conversation.id], [record.conversation.id]]);
  });

  it('opens the conversation on the retry when the first attempt fails before making it', async () => {
    const { dept, dispatcher, ann, zoneId, as } = await world();
    await db.query(`
      create sequence if not exists flaky_open;
      create or replace function fail_first_open() returns trigger language plpgsql as $$
      begin
        if new.department_id = ${dept.id} and nextval('flaky_open') = 1 then
          raise exception 'conversations unavailable';
        end if;
        return new;
      end $$;
      create trigger flaky before insert on conversations for each row execute function fail_first_open();
    `);
    const socket = await connectSocket(server.baseUrl, dispatcher.token);
    const invited = nextEvent(socket, 'conversation:invited', () => true, 10_000);

    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'R-2', zoneId, title: 'Gas leak' }).expect(201)).body;
    const conversation = await invited;
    expect(conversation).toEqual(expect.objectContaining({ kind: 'dispatch', title: 'R-2', dispatchId: dispatch.id }));
    const [created] = await allDelivered(dispatch.id, 1);
    expect(created).toEqual({ type: 'DispatchCreated', attempts: 2, delivered: true, last_error: null });

    // The events that queued behind it follow in order.
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: ann.id, description: 'Meter reading' }).expect(201);
    const record = (await as(ann).get(`/api/dispatches/${dispatch.id}/conversation`).expect(200)).body;
    expect(record.conversation.members.map((m: { userId: number }) => m.userId)).toEqual([dispatcher.id, ann.id]);
    const { rows } = await db.query('select count(*)::int as n from conversations where dispatch_id = $1', [dispatch.id]);
    expect(rows[0].n).toBe(1);
  });
});
