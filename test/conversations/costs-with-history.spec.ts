import { Client } from 'pg';
import { CONVERSATION_SQL } from '../../src/messages/conversations/conversation.store';
import { MESSAGES_MEMBER_DEFAULTS, MessagesPermission } from '../../src/messages/messages.permissions';
import type { ConversationMessagePayload, ConversationSummary } from '../../src/messages/realtime/socket-events';
import { useServerAndDatabase } from '../mail/mail-support';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';

/** A node of `explain (analyze, buffers, format json)`. */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('costs that do not grow with history', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ((server = s), (db = d)));

  async function plan(sql: string, params: unknown[]): Promise<PlanNode> {
    const { rows } = await db.query(`explain (analyze, buffers, format json) ${sql}`, params);
    return (rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan;
  }

  /** Members made in one statement: signing up a thousand people through the admin API would only test the password hash. */
  async function bulkMembers(departmentId: number, count: number): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
      `insert into members (department_id, name, email, password_hash, permissions)
       select $1::int, 'Crew ' || n, 'crew-' || $1::int || '-' || n || '@test.example', 'scrypt$none$none', $3::text[]
         from generate_series(1, $2::int) n order by n returning id`,
      [departmentId, count, MESSAGES_MEMBER_DEFAULTS],
    );
    return rows.map((r) => r.id);
  }

  /** `count` text messages appended to a conversation the way the store numbers them. */
  async function longHistory(departmentId: number, conversationId: number, count: number) {
    await db.query(
      `with bumped as (
         update conversations set last_seq = last_seq + $3, text_count = text_count + $3, last_message_at = now()
          where id = $1 returning last_seq, text_count)
       insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body)
       select $1, b.last_seq - $3 + n, b.text_count - $3 + n, $2, null, 'Dispatch log', 'text', 'entry ' || n
         from bumped b, generate_series(1, $3) n`,
      [conversationId, departmentId, count],
    );
    await db.query('analyze conversation_messages');
  }

  it('lets a dispatcher with 1,000 direct conversations reach every one by following nextCursor, newest activity first', async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newMember({ name: 'Dana', permissions: [...MESSAGES_MEMBER_DEFAULTS, MessagesPermission.MassText] });
    const crew = await bulkMembers(dept.id, 1_000);
    const sent = await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'Shift change at 19:00', userIds: crew }).expect(201);
    expect(sent.body.recipientCount).toBe(1_000);

    const pages: ConversationSummary[][] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=75&cursor=${encodeURIComponent(cursor)}` : '?limit=75';
      const page = await dept.as(dispatcher).get(`/api/conversations${query}`).expect(200);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor && pages.length < 20);

    const all = pages.flat();
    expect(pages).toHaveLength(14);
    expect(all).toHaveLength(1_000);
    expect(new Set(all.map((c) => c.id)).size).toBe(1_000);
    const peers = all.map((c) => c.members.find((m) => m.userId !== dispatcher.id)!.userId);
    expect([...peers].sort((a, b) => a - b)).toEqual(crew);
    expect(all.every((c) => c.kind === 'direct' && c.lastMessage?.body === 'Shift change at 19:00')).toBe(true);

    // A reply in the conversation listed last brings it to the top of the first page.
    const last = all[all.length - 1];
    const peer = peers[peers.length - 1];
    const peerToken = server.tokenFor(peer, dept.id);
    await server.http().post(`/api/conversations/${last.id}/messages`).set('Authorization', `Bearer ${peerToken}`).send({ body: 'On my way' }).expect(201);
    const first = await dept.as(dispatcher).get('/api/conversations?limit=5').expect(200);
    expect(first.body.items[0]).toEqual(expect.objectContaining({ id: last.id, unreadCount: 1 }));
    expect(first.body.items[0].lastMessage.body).toBe('On my way');

    // The page is read from the member's activity index: nothing sorts the thousand conversations.
    await db.query('analyze conversation_members');
    const [, micros, id] = /^(\d+)\.(\d+)$/.exec(cursors[6])!;
    const root = await plan(CONVERSATION_SQL.listPage, [dispatcher.id, dept.id, 51, null, micros, id]);
    const nodes = nodesOf(root);
    const listScan = nodes.find((n) => n['Index Name'] === 'conversation_members_list_idx');
    expect(listScan).toBeDefined();
    expect(listScan!['Actual Rows']).toBeLessThanOrEqual(51);
    for (const sort of nodes.filter((n) => n['Node Type'] === 'Sort')) expect(sort['Actual Rows']).toBeLessThanOrEqual(51);
  }, 120_000);

  it('reads a page of history by seq with the same work in a 100,000-message conversation as in a 100-message one', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const open = async (title: string) =>
      (await dept.as(ann).post('/api/conversations').send({ title, memberIds: [bob.id] }).expect(201)).body.id as number;
    const short = await open('Short');
    const long = await open('Long');
    await longHistory(dept.id, short, 100);
    await longHistory(dept.id, long, 100_000);
    // The opening line is seq 1; the log follows it.
    const page = await dept.as(bob).get(`/api/conversations/${long}/messages?before=50002&limit=50`).expect(200);
    expect(page.body.items.map((m: ConversationMessagePayload) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 49_952 + i));
    expect(page.body.items[0].body).toBe('entry 49951');
    expect(page.body.nextCursor).toBe('49952');
    const older = await dept.as(bob).get(`/api/conversations/${long}/messages?before=${page.body.nextCursor}&limit=2`).expect(200);
    expect(older.body.items.map((m: ConversationMessagePayload) => m.seq)).toEqual([49_950, 49_951]);
    const tail = await dept.as(bob).get(`/api/conversations/${long}/messages?after=99995&limit=50`).expect(200);
    expect(tail.body.items.map((m: ConversationMessagePayload) => m.seq)).toEqual([99_996, 99_997, 99_998, 99_999, 100_000, 100_001]);
    expect(tail.body.nextCursor).toBeNull();

    const work = async (sql: string, conversationId: number, after: number, before: number) => {
      const nodes = nodesOf(await plan(sql, [conversationId, dept.id, after, before, 51]));
      const scan = nodes.find((n) => n['Relation Name'] === 'conversation_messages' && n['Index Name'] === 'conversation_messages_pkey' && n['Actual Loops'] === 1);
      expect(scan).toBeDefined();
      expect(nodes.some((n) => n['Node Type'] === 'Sort')).toBe(false);
      return { rows: scan!['Actual Rows'], blocks: nodes.reduce((sum, n) => sum + (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0), 0) };
    };
    const inShort = await work(CONVERSATION_SQL.historyBefore, short, 0, 60);
    const inLong = await work(CONVERSATION_SQL.historyBefore, long, 0, 50_002);
    expect(inLong.rows).toBe(51);
    expect(inShort.rows).toBe(51);
    // One more level of the primary key at most; never a walk over the history.
    expect(inLong.blocks).toBeLessThanOrEqual(inShort.blocks + 10);
    const latestShort = await work(CONVERSATION_SQL.historyBefore, short, 0, 2_147_483_647);
    const latestLong = await work(CONVERSATION_SQL.historyBefore, long, 0, 2_147_483_647);
    expect(latestLong.rows).toBe(latestShort.rows);
    const afterLong = await work(CONVERSATION_SQL.historyAfter, long, 10_000, 2_147_483_647);
    expect(afterLong.rows).toBe(51);
  }, 120_000);

  it("pages a dispatch record's long history back to its first line, and still gives the whole history when no page is asked for", async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher({ name: 'Dana' });
    const zoneId = await dept.newZone('North', [dispatcher]);
    const dispatch = (await dept.as(dispatcher).post('/api/dispatches').send({ number: 'F26-9000', zoneId, title: 'Wildland fire' }).expect(201)).body;
    let record: { conversation: ConversationSummary } | null = null;
    for (let i = 0; i < 100 && !record; i++) {
      const res = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation`);
      if (res.status === 200) record = res.body;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(record).not.toBeNull();
    const conversationId = record!.conversation.id;
    await longHistory(dept.id, conversationId, 1_000);
    const lastSeq = 1_001;

    const seen: number[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const query: string = before ? `?before=${before}&limit=200` : '?limit=200';
      const page = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation${query}`).expect(200);
      expect(page.body.dispatch).toEqual(expect.objectContaining({ id: dispatch.id, number: 'F26-9000', status: 'open' }));
      expect(page.body.messages.length).toBeLessThanOrEqual(200);
      seen.unshift(...page.body.messages.map((m: ConversationMessagePayload) => m.seq));
      before = page.body.nextCursor;
      pages++;
    } while (before && pages < 10);
    expect(pages).toBe(6);
    expect(seen).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));

    const caughtUp = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation?after=995`).expect(200);
    expect(caughtUp.body.messages.map((m: ConversationMessagePayload) => m.seq)).toEqual([996, 997, 998, 999, 1_000, 1_001]);
    expect(caughtUp.body.nextCursor).toBeNull();

    const whole = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation`).expect(200);
    expect(whole.body.messages).toHaveLength(lastSeq);
    expect(whole.body.nextCursor).toBeNull();
    await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}/conversation?limit=0`).expect(400);
  }, 120_000);
});
