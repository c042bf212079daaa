import type { SearchHit } from '../../src/messages/search/search-views';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

describe('search over mail and conversations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const search = async (dept: TestDepartment, member: TestMember, q: string, extra = '') =>
    (await dept.as(member).get(`/api/search?q=${encodeURIComponent(q)}${extra}`).expect(200)).body as { items: SearchHit[]; nextCursor: string | null };
  const mail = (dept: TestDepartment, from: TestMember, to: TestMember[], subject: string, body: string) =>
    dept.as(from).post('/api/messages').send({ subject, body, sendMode: 'specific', userIds: to.map((m) => m.id) }).expect(201);
  const chat = async (dept: TestDepartment, by: TestMember, members: TestMember[], title: string, lines: string[]) => {
    const id = (await dept.as(by).post('/api/conversations').send({ title, memberIds: members.map((m) => m.id) }).expect(201)).body.id as number;
    const seqs: number[] = [];
    for (const body of lines) seqs.push((await dept.as(by).post(`/api/conversations/${id}/messages`).send({ body }).expect(201)).body.seq);
    return { id, seqs };
  };

  it('finds only what the caller may read: never another department’s, a conversation they are not in, or mail sent to others', async () => {
    const dept = await TestDepartment.create(server);
    const other = await TestDepartment.create(server);
    const [ann, bob, cai] = await dept.newMembers(3);
    const theirs = await other.newMembers(2);

    const toBob = await mail(dept, ann, [bob], 'Hydrant 7 out of service', '<p>The hydrant at <b>Elm &amp; 5th</b> is dry.</p>');
    await mail(dept, ann, [cai], 'Hydrant flushing schedule', '<p>Only for Cai.</p>');
    const withBob = await chat(dept, ann, [bob], 'Engine 7', ['Hydrant cap missing on Oak']);
    await chat(dept, ann, [cai], 'Private', ['The hydrant by the school leaks']);
    await mail(other, theirs[0], [theirs[1]], 'Hydrant everywhere', 'hydrant hydrant hydrant');
    await chat(other, theirs[0], [theirs[1]], 'Theirs', ['hydrant hydrant']);

    const found = await search(dept, bob, 'hydrant');
    expect(found.nextCursor).toBeNull();
    expect(found.items.map((h) => (h.kind === 'mail' ? `mail:${h.messageId}` : `chat:${h.conversationId}:${h.seq}`)).sort()).toEqual(
      [`mail:${toBob.body.id}`, `chat:${withBob.id}:${withBob.seqs[0]}`].sort(),
    );
    const hit = found.items.find((h) => h.kind === 'mail')!;
    expect(hit).toEqual(expect.objectContaining({ kind: 'mail', subject: 'Hydrant 7 out of service', senderName: ann.name }));
    expect(hit.snippet).toContain('<mark>hydrant</mark>');
    expect(hit.snippet).not.toMatch(/<b>|<p>/);
    // The sender finds what they sent, to either of them.
    expect((await search(dept, ann, 'hydrant')).items).toHaveLength(4);
    // Words are matched by their stem, phrases and exclusions as typed into a search box.
    expect((await search(dept, bob, 'hydrants')).items).toHaveLength(2);
    expect((await search(dept, bob, 'hydrant -oak')).items.map((h) => h.kind)).toEqual(['mail']);
    expect((await search(dept, bob, '"cap missing"')).items.map((h) => h.kind)).toEqual(['conversation']);
  });

  it('forgets a retracted message, finds an edited one by its new words, and stops finding for a member who left', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { id, seqs } = await chat(dept, ann, [bob], 'Crew', ['Patient transported to Mercy', 'Stage at the old mill']);
    await dept.as(ann).delete(`/api/conversations/${id}/messages/${seqs[0]}`).expect(200);
    await dept.as(ann).patch(`/api/conversations/${id}/messages/${seqs[1]}`).send({ body: 'Stage at the grain elevator' }).expect(200);
    expect((await search(dept, bob, 'mercy')).items).toEqual([]);
    expect((await search(dept, bob, 'mill')).items).toEqual([]);
    expect((await search(dept, bob, 'elevator')).items).toEqual([expect.objectContaining({ kind: 'conversation', conversationId: id, seq: seqs[1], conversationTitle: 'Crew' })]);
    await dept.as(bob).post(`/api/conversations/${id}/leave`).expect(200);
    expect((await search(dept, bob, 'elevator')).items).toEqual([]);
  });

  it('pages by keyset through 25 matches, best first, each once', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    // Ranks differ (one, two or three mentions of the word), and many tie.
    await chat(dept, ann, [bob], 'Hose', Array.from({ length: 20 }, (_, i) => `${'hose '.repeat((i % 3) + 1)}line ${i}`));
    for (let i = 0; i < 5; i++) await mail(dept, ann, [bob], `Hose test ${i}`, `<p>Annual hose testing, station ${i}</p>`);

    const seen: SearchHit[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: SearchHit[]; nextCursor: string | null } = await search(dept, bob, 'hose', `&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const keys = seen.map((h) => (h.kind === 'mail' ? `m${h.messageId}` : `c${h.conversationId}:${h.seq}`));
    expect(keys).toHaveLength(25);
    expect(new Set(keys).size).toBe(25);
    // Mail hits the subject, weighted highest: they come first.
    expect(seen.slice(0, 5).every((h) => h.kind === 'mail')).toBe(true);
  });

  it('refuses an empty query and a forged cursor, naming the field', async () => {
    const dept = await TestDepartment.create(server);
    const [ann] = await dept.newMembers(1);
    expect((await dept.as(ann).get('/api/search?q=').expect(400)).body.message).toMatch(/^q /);
    expect((await dept.as(ann).get('/api/search').expect(400)).body.message).toMatch(/^q /);
    expect((await dept.as(ann).get('/api/search?q=x&cursor=1;drop').expect(400)).body.message).toMatch(/cursor/);
    expect((await dept.as(ann).get('/api/search?q=x&limit=51').expect(400)).body.message).toMatch(/limit/);
    // Only stop words: nothing to find, and no error.
    expect((await search(dept, ann, 'the and of')).items).toEqual([]);
  });
});
