import type { Client } from 'pg';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { PresenceService } from '../../src/messages/presence/presence.service';
import { PROBE_REACHABLE_UP_TO, RECIPIENTS_SQL } from '../../src/messages/recipients/recipients.repository';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';
import { useServerAndDatabase } from './mail-support';

/** A node of `explain (analyze, format json)`. */
interface PlanNode {
  'Relation Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe("the sender's view of a message to many", () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ((server = s), (db = d)));

  it('counts the unreachable among 1,200 recipients against the reachable set read once, not probed per row', async () => {
    const dept = await TestDepartment.create(server);
    const sender = await dept.newMember();
    // Members, the message and its recipient rows in one statement each: sending through the API would only test the send.
    const { rows: crew } = await db.query<{ id: number }>(
      `insert into members (department_id, name, email, password_hash)
       select $1::int, 'Crew ' || n, 'crew-' || $1::int || '-' || n || '@test.example', 'scrypt$none$none'
         from generate_series(1, 1200) n order by n returning id`,
      [dept.id],
    );
    const ids = crew.map((m) => m.id);
    expect(ids.length).toBeGreaterThan(PROBE_REACHABLE_UP_TO);
    const {
      rows: [{ id }],
    } = await db.query<{ id: number }>(
      `insert into mail_messages (department_id, sender_id, sender_name, subject, body, recipient_count)
       values ($1, $2, $3, 'Roll call', '<p>Answer, please.</p>', $4) returning id`,
      [dept.id, sender.id, sender.name, ids.length],
    );
    // The first 10 have read it, the next 10 have a live socket, the 20 after them a push device.
    await db.query(
      `insert into mail_recipients (message_id, user_id, department_id, read_at, unread)
       select $1, u.id, $2, case when u.n <= 10 then now() end, u.n > 10 from unnest($3::int[]) with ordinality u(id, n)`,
      [id, dept.id, ids],
    );
    const {
      rows: [{ process_id: liveProcess }],
    } = await db.query<{ process_id: string }>(
      `with live as (insert into server_processes (id, heartbeat_at) values (gen_random_uuid(), now() + interval '1 hour') returning id)
       insert into socket_presence (process_id, socket_id, user_id) select live.id, 'socket-' || u.id, u.id from live, unnest($1::int[]) u(id)
       returning process_id`,
      [ids.slice(10, 20)],
    );
    await db.query(
      `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth)
       select $1, u.id, 'https://push.test.example/' || u.id, 'key', 'auth' from unnest($2::int[]) u(id)`,
      [dept.id, ids.slice(20, 40)],
    );
    try {
      const queries = jest.spyOn(server.app.get(SqlPool), 'query');
      const detail = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
      const names = queries.mock.calls.map(([, , name]) => name);
      queries.mockRestore();
      expect(detail.body.delivery).toEqual({ recipients: 1200, reached: 10, read: 10, acknowledged: 0, unreachable: 1160 });
      expect(detail.body.recipients).toHaveLength(100);
      expect(names).toContain('mail_recipients_summary_of_many');

      const { rows } = await db.query(`explain (analyze, format json) ${RECIPIENTS_SQL.summaryOfMany}`, [
        id,
        dept.id,
        server.app.get(PresenceService).staleAfterSeconds,
      ]);
      const nodes = nodesOf((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
      const reachableScans = nodes.filter((n) => n['Relation Name'] === 'socket_presence' || n['Relation Name'] === 'push_subscriptions');
      expect(reachableScans.length).toBeGreaterThanOrEqual(2);
      for (const scan of reachableScans) expect(scan['Actual Loops']).toBe(1);
    } finally {
      await db.query('delete from server_processes where id = $1', [liveProcess]);
    }
  }, 60_000);
});
