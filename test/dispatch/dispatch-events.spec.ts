import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import request from 'supertest';
import { DispatchEventsModule, DispatchEventSubscriber, DispatchEventSubscribers, type DispatchEvent } from '../../src/common/events';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

/** Records what it is handed; fails the calls `failIf` picks. */
class RecordingSubscriber extends DispatchEventSubscriber {
  /** Every call, failed or not. */
  readonly calls: DispatchEvent[] = [];
  /** The calls that succeeded. */
  readonly handled: DispatchEvent[] = [];
  failIf: (event: DispatchEvent, previousCalls: number) => boolean = () => false;

  constructor(
    private readonly name: string,
    private readonly departmentId: () => number | undefined = () => undefined,
  ) {
    super();
  }

  override get subscriberName() {
    return this.name;
  }

  async handle(event: DispatchEvent): Promise<void> {
    // One server serves every test's department; each test watches its own.
    const watched = this.departmentId();
    if (watched !== undefined && event.departmentId !== watched) return;
    const previous = this.calls.filter((e) => e.eventId === event.eventId).length;
    this.calls.push(event);
    if (this.failIf(event, previous)) throw new Error(`${this.name} is down`);
    this.handled.push(event);
  }

  reset(fail: RecordingSubscriber['failIf'] = () => false) {
    this.calls.length = 0;
    this.handled.length = 0;
    this.failIf = fail;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RELAY_ENV = { DISPATCH_RELAY_POLL_MS: '50', DISPATCH_RELAY_RETRY_MS: '200' };

describe('dispatch integration events', () => {
  let server: TestServer;
  let db: Client;
  let departmentId: number | undefined;
  const first = new RecordingSubscriber('first', () => departmentId);
  const second = new RecordingSubscriber('second', () => departmentId);

  beforeAll(async () => {
    server = await startTestServer(RELAY_ENV);
    const subscribers = server.app.get(DispatchEventSubscribers);
    subscribers.register(first);
    subscribers.register(second);
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await server.close();
  });

  async function world() {
    const dept = await TestDepartment.create(server);
    departmentId = dept.id;
    first.reset();
    second.reset();
    const dispatcher = await dept.newDispatcher();
    const [officerA, officerB] = await dept.newMembers(2);
    const zoneId = await dept.newZone('South', [dispatcher, officerA, officerB]);
    const as = (m: TestMember) => dept.as(m);
    return { dept, dispatcher, officerA, officerB, zoneId, as };
  }

  const typesOf = (events: DispatchEvent[], dispatchId?: number) =>
    events.filter((e) => dispatchId === undefined || e.dispatchId === dispatchId).map((e) => e.type);

  it('hands every subscriber the events of a dispatch in order, with their payloads, before each request answers', async () => {
    const { dispatcher, officerA, officerB, zoneId, as } = await world();
    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-1', zoneId, title: 'Vehicle fire' }).expect(201)).body;
    // Delivered at once, not left to the poller.
    expect(first.handled).toEqual([
      {
        type: 'DispatchCreated',
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        departmentId,
        dispatchId: dispatch.id,
        occurredAt: dispatch.createdAt,
        number: 'EV-1',
        title: 'Vehicle fire',
        zoneId,
        dispatcherId: dispatcher.id,
      },
    ]);
    const taskA1 = (await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'Attack' }).expect(201)).body;
    const taskA2 = (await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'Overhaul' }).expect(201)).body;
    const taskB = (await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerB.id, description: 'Water' }).expect(201)).body;
    expect(first.handled[1]).toEqual({
      type: 'TaskAssigned',
      eventId: expect.any(String),
      departmentId,
      dispatchId: dispatch.id,
      occurredAt: taskA1.assignedAt,
      taskId: taskA1.id,
      officerId: officerA.id,
      description: 'Attack',
      assignedBy: dispatcher.id,
    });
    const cleared = (await as(officerB).post(`/api/dispatches/${dispatch.id}/tasks/${taskB.id}/clear`).expect(200)).body;
    expect(first.handled[4]).toEqual({
      type: 'TaskCleared',
      eventId: expect.any(String),
      departmentId,
      dispatchId: dispatch.id,
      occurredAt: cleared.clearedAt,
      taskId: taskB.id,
      officerId: officerB.id,
      officerHasOpenTasks: false,
      clearedBy: officerB.id,
    });
    const closed = (await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200)).body;
    // Closing clears what is still open, each with its own event, then closes.
    expect(first.handled.slice(5)).toEqual([
      expect.objectContaining({ type: 'TaskCleared', taskId: taskA1.id, officerId: officerA.id, officerHasOpenTasks: true, clearedBy: dispatcher.id }),
      expect.objectContaining({ type: 'TaskCleared', taskId: taskA2.id, officerId: officerA.id, officerHasOpenTasks: false, clearedBy: dispatcher.id }),
      {
        type: 'DispatchClosed',
        eventId: expect.any(String),
        departmentId,
        dispatchId: dispatch.id,
        occurredAt: closed.closedAt,
        number: 'EV-1',
        closedBy: dispatcher.id,
      },
    ]);
    expect(typesOf(first.handled)).toEqual([
      'DispatchCreated',
      'TaskAssigned',
      'TaskAssigned',
      'TaskAssigned',
      'TaskCleared',
      'TaskCleared',
      'TaskCleared',
      'DispatchClosed',
    ]);
    expect(second.handled).toEqual(first.handled);
    expect(new Set(first.handled.map((e) => e.eventId)).size).toBe(8);
    const { rows } = await db.query('select attempts, delivered_at from dispatch_outbox where dispatch_id = $1', [dispatch.id]);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.attempts === 1 && r.delivered_at !== null)).toBe(true);
  });

  it('delivers simultaneous changes to one dispatch in the order they committed', async () => {
    const { dispatcher, officerA, officerB, zoneId, as } = await world();
    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-9', zoneId, title: 'Busy' }).expect(201)).body;
    const tasks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        as(dispatcher)
          .post(`/api/dispatches/${dispatch.id}/tasks`)
          .send({ officerId: i % 2 ? officerA.id : officerB.id, description: `unit ${i}` })
          .expect(201)
          .then((r) => r.body.id as number),
      ),
    );
    await waitFor(() => second.handled.length === 11, 'every assignment');
    // Task ids are taken under the dispatch's lock, so their order is the commit order.
    const delivered = first.handled.slice(1).map((e) => (e.type === 'TaskAssigned' ? e.taskId : -1));
    expect(delivered).toEqual([...tasks].sort((a, b) => a - b));
    expect(second.handled).toEqual(first.handled);
  });

  it('publishes nothing for a refused change', async () => {
    const { dispatcher, zoneId, as } = await world();
    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-2', zoneId, title: 'Alarm' }).expect(201)).body;
    await as(dispatcher).post('/api/dispatches').send({ number: 'EV-2', zoneId, title: 'Twice' }).expect(409);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: 999999, description: 'Nobody' }).expect(400);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(409);
    await sleep(300);
    expect(typesOf(first.calls)).toEqual(['DispatchCreated', 'DispatchClosed']);
  });

  it('delivers nothing for a write whose transaction rolls back at commit', async () => {
    const { dispatcher, zoneId, as } = await world();
    // Fails the commit itself, after the dispatch and its outbox row were written.
    await db.query(`
      create or replace function refuse_at_commit() returns trigger language plpgsql as $$
      begin
        if new.title = 'refused at commit' then raise exception 'refused at commit'; end if;
        return new;
      end $$;
      drop trigger if exists refuse_at_commit on dispatches;
      create constraint trigger refuse_at_commit after insert on dispatches
        deferrable initially deferred for each row execute function refuse_at_commit();`);
    try {
      await as(dispatcher).post('/api/dispatches').send({ number: 'EV-3', zoneId, title: 'refused at commit' }).expect(500);
      const outbox = await db.query(`select count(*)::int as n from dispatch_outbox where payload->>'number' = 'EV-3' and department_id = $1`, [departmentId]);
      expect(outbox.rows[0].n).toBe(0);
      await sleep(300);
      expect(first.calls).toEqual([]);
      // The number was never taken.
      await as(dispatcher).post('/api/dispatches').send({ number: 'EV-3', zoneId, title: 'Committed' }).expect(201);
      expect(first.handled).toEqual([expect.objectContaining({ type: 'DispatchCreated', number: 'EV-3', title: 'Committed' })]);
    } finally {
      await db.query('drop trigger if exists refuse_at_commit on dispatches; drop function if exists refuse_at_commit();');
    }
  });

  it('retries a subscriber that threw once, delivering exactly once more and only to it', async () => {
    const { dispatcher, zoneId, as } = await world();
    first.reset((_, previousCalls) => previousCalls === 0);
    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-4', zoneId, title: 'Flaky' }).expect(201)).body;
    expect(first.calls).toHaveLength(1);
    expect(first.handled).toHaveLength(0);
    expect(second.handled).toHaveLength(1);
    await waitFor(() => first.handled.length === 1, 'the retry');
    // Several poll and retry periods later, nothing more arrives.
    await sleep(600);
    expect(first.calls.map((e) => e.eventId)).toEqual([second.handled[0].eventId, second.handled[0].eventId]);
    expect(first.handled).toEqual(second.handled);
    expect(second.calls).toHaveLength(1);
    const { rows } = await db.query('select attempts, delivered_at, delivered_to, last_error from dispatch_outbox where dispatch_id = $1', [dispatch.id]);
    expect(rows).toEqual([{ attempts: 2, delivered_at: expect.any(Date), delivered_to: expect.any(Array), last_error: null }]);
    // The application's own subscribers succeed at once too; "first" alone comes later.
    expect(rows[0].delivered_to.filter((name: string) => name === 'first' || name === 'second')).toEqual(['second', 'first']);
    expect(rows[0].delivered_to.at(-1)).toBe('first');
  });

  it('holds back the later events of a dispatch until its failed one is delivered, while other dispatches flow', async () => {
    const { dispatcher, officerA, zoneId, as } = await world();
    let failures = 0;
    first.reset((e) => e.type === 'DispatchCreated' && (e as { number: string }).number === 'EV-5' && failures++ < 2);
    const stuck = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-5', zoneId, title: 'Stuck' }).expect(201)).body;
    await as(dispatcher).post(`/api/dispatches/${stuck.id}/tasks`).send({ officerId: officerA.id, description: 'Waits' }).expect(201);
    const other = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-6', zoneId, title: 'Flows' }).expect(201)).body;
    // The task event waits for every subscriber, not only for the failing one.
    expect(typesOf(second.handled, stuck.id)).toEqual(['DispatchCreated']);
    expect(typesOf(first.handled, other.id)).toEqual(['DispatchCreated']);
    // Two retries (200 ms, then 400 ms) and the held-back event follows on at once.
    await waitFor(() => typesOf(first.handled, stuck.id).length === 2, 'the held-back event', 2_500);
    expect(typesOf(first.handled, stuck.id)).toEqual(['DispatchCreated', 'TaskAssigned']);
    expect(typesOf(second.handled, stuck.id)).toEqual(['DispatchCreated', 'TaskAssigned']);
    expect(failures).toBe(3);
  });

  it('delivers an event whose writer stopped before delivering it, or stopped while delivering it', async () => {
    const { dispatcher, zoneId, as } = await world();
    const dispatch = (await as(dispatcher).post('/api/dispatches').send({ number: 'EV-7', zoneId, title: 'Orphans' }).expect(201)).body;
    first.reset();
    second.reset();
    // As a process leaves them when it stops: one committed but never claimed, its grace over;
    // one claimed (a lease that has run out) and handed to "second" only.
    const orphan = (n: number) => ({
      type: 'TaskAssigned',
      eventId: randomUUID(),
      departmentId,
      dispatchId: dispatch.id,
      occurredAt: new Date().toISOString(),
      taskId: n,
      officerId: dispatcher.id,
      description: `orphan ${n}`,
      assignedBy: dispatcher.id,
    });
    const [never, leased] = [orphan(1), orphan(2)];
    await db.query(
      `insert into dispatch_outbox (event_id, department_id, dispatch_id, type, payload, attempts, delivered_to, next_attempt_at)
       values ($1, $3, $4, 'TaskAssigned', $5, 0, '{}', now() - interval '1 second'),
              ($2, $3, $4, 'TaskAssigned', $6, 1, '{second}', now() - interval '1 second')`,
      [never.eventId, leased.eventId, departmentId, dispatch.id, never, leased],
    );
    await waitFor(() => first.handled.length === 2, 'the orphaned events', 3_000);
    expect(first.handled).toEqual([never, leased]);
    expect(second.handled).toEqual([never]);
  });

  // Last of the HTTP tests: passport keeps one 'jwt' strategy per process, the last server's,
  // so once the second server closes, this process's tokens no longer verify.
  it('hands each event out once when two server processes relay the same outbox', async () => {
    const { dept, dispatcher, officerA, zoneId } = await world();
    const twin = await startTestServer(RELAY_ENV, server.databaseUrl);
    // The same subscriber running in both processes, failing each event's first call so the
    // retries race between the two pollers.
    const log: { eventId: string; ok: boolean }[] = [];
    class Shared extends DispatchEventSubscriber {
      override get subscriberName() {
        return 'shared';
      }
      async handle(event: DispatchEvent) {
        if (event.departmentId !== dept.id) return;
        const ok = log.some((l) => l.eventId === event.eventId);
        log.push({ eventId: event.eventId, ok });
        if (!ok) throw new Error('first call fails');
      }
    }
    const unregister = [server, twin].map((s) => s.app.get(DispatchEventSubscribers).register(new Shared()));
    try {
      const token = dispatcher.auth;
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const base = i % 2 ? twin.baseUrl : server.baseUrl;
        const d = await request(base).post('/api/dispatches').set('Authorization', token).send({ number: `TW-${i}`, zoneId, title: 'Twin' }).expect(201);
        await request(base).post(`/api/dispatches/${d.body.id}/tasks`).set('Authorization', token).send({ officerId: officerA.id, description: 'x' }).expect(201);
        ids.push(d.body.id);
      }
      await waitFor(async () => {
        const { rows } = await db.query('select count(*)::int as n from dispatch_outbox where dispatch_id = any($1) and delivered_at is null', [ids]);
        return rows[0].n === 0;
      }, 'every event to be delivered');
      await sleep(300);
      const eventIds = [...new Set(log.map((l) => l.eventId))];
      expect(eventIds).toHaveLength(12);
      for (const eventId of eventIds) {
        expect(log.filter((l) => l.eventId === eventId).map((l) => l.ok)).toEqual([false, true]);
      }
    } finally {
      unregister.forEach((off) => off());
      await twin.close();
    }
  });
});

describe('dispatch event subscribers', () => {
  @Injectable()
  class ProbeSubscriber extends DispatchEventSubscriber {
    async handle() {}
  }

  // Knows nothing of the dispatch module; imports nothing from it.
  @Module({ providers: [ProbeSubscriber] })
  class ProbeModule {}

  it('finds a subscriber declared as a provider of an unrelated module', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DispatchEventsModule, ProbeModule] }).compile();
    await moduleRef.init();
    try {
      expect(moduleRef.get(DispatchEventSubscribers).all()).toEqual([moduleRef.get(ProbeSubscriber)]);
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses two subscribers with the same name', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DispatchEventsModule, ProbeModule] }).compile();
    await moduleRef.init();
    try {
      expect(() => moduleRef.get(DispatchEventSubscribers).register(new ProbeSubscriber())).toThrow(
        'A dispatch event subscriber named "ProbeSubscriber" is already registered',
      );
    } finally {
      await moduleRef.close();
    }
  });
});
