import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const tag = () => randomBytes(5).toString('hex');

/**
 * Filter-evasion vectors in the spirit of the OWASP cheat sheet, written out here: script tags in
 * odd cases and shapes, event handlers, script URLs hidden by entities, whitespace and case,
 * data URLs, styles, frames, plugins, meta refresh, forms, and attributes that try to break out.
 */
const XSS_VECTORS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=http://xss.example/x.js></SCRIPT>',
  '<ScRiPt>alert(1)</sCrIpT>',
  '<script/src="http://xss.example/x.js"></script>',
  '<<script>alert(1);//<</script>',
  '<script>alert(String.fromCharCode(88,83,83))</script>',
  '<IMG SRC="javascript:alert(1);">',
  '<IMG SRC=JaVaScRiPt:alert(1)>',
  '<IMG SRC=`javascript:alert(1)`>',
  '<img src=x onerror=alert(1)>',
  '<img src=x onerror="alert(1)"//',
  '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
  '<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>',
  '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">padded decimal</a>',
  '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">hex without semicolons</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab inside</a>',
  '<a href="jav&#x0A;ascript:alert(1)">newline inside</a>',
  '<a href="jav&#x0D;ascript:alert(1)">carriage return inside</a>',
  '<a href=" &#14;  javascript:alert(1)">control and spaces before</a>',
  '<a href="javascript&colon;alert(1)">named colon</a>',
  '<a href="JAVASCRIPT:alert(1)">upper case</a>',
  '<a href="  javascript:alert(1)">leading spaces</a>',
  '<a href="java&#115;cript:alert(1)">one letter encoded</a>',
  '<a href="vbscript:msgbox(1)">vbscript</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data base64</a>',
  '<a href="data:text/html,<script>alert(1)</script>">data plain</a>',
  '<a href="#" onmouseover="alert(1)">hover</a>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<button formaction="javascript:alert(1)">go</button>',
  '<div style="background-image: url(javascript:alert(1))">styled</div>',
  '<div style="width: expression(alert(1))">expression</div>',
  '<style>@import "http://xss.example/x.css";</style>',
  '<link rel="stylesheet" href="javascript:alert(1)">',
  '<table background="javascript:alert(1)"><tr><td>cell</td></tr></table>',
  '<input type="image" src="javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<p title="</p><script>alert(1)</script>">attribute break</p>',
  `<a href="http://ok.example/" title='x" onclick="alert(1)'>quote break</a>`,
  '<img src="x"\nonerror=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<!--<script>alert(1)</script>-->',
  '<a href="javascript:/*--></title></style></textarea></script><svg/onload=alert(1)//">polyglot</a>',
  '<isindex action="javascript:alert(1)" type=image>',
  '<xss onafterscriptexecute=alert(1)><script>1</script>',
];

/** Character references decoded, as a browser would before reading a URL. */
const decodeEntities = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;/gi, '\t')
    .replace(/&newline;/gi, '\n')
    .replace(/&quot;/gi, '"')
    .replace(/&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&amp;/gi, '&');

const FORBIDDEN_TAGS = /^(script|iframe|frame|frameset|object|embed|applet|style|meta|form|button|input|link|base|svg|math|body|html|img|video|audio|source|details|isindex|noscript|textarea|template|xss)$/i;
const FORBIDDEN_ATTRIBUTES = /^(on\w+|style|srcdoc|background|formaction|action|data|dynsrc|lowsrc|http-equiv)$/i;

/** What in `html` could run: forbidden tags, handler attributes, script-capable URLs. */
function executableParts(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('<script');
  for (const [, name, attributes] of html.matchAll(/<\s*([a-z][\w-]*)([^>]*)>/gi)) {
    if (FORBIDDEN_TAGS.test(name)) found.push(`<${name}>`);
    for (const [, attr, , value = ''] of attributes.matchAll(/([^\s"'=\/>]+)(\s*=\s*("([^"]*)"|'([^']*)'|[^\s>]+))?/g)) {
      if (FORBIDDEN_ATTRIBUTES.test(attr)) found.push(`${name}[${attr}]`);
      if (/^(href|src)$/i.test(attr)) {
        const url = decodeEntities(value.replace(/^["']|["']$/g, '')).replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data):/.test(url)) found.push(`${name}[${attr}=${url.slice(0, 30)}]`);
      }
    }
  }
  return found;
}

describe('security details', () => {
  let server: TestServer;
  const logLines: string[] = [];
  beforeAll(async () => {
    // Every log line at every level, kept for the test that reads them.
    const capture = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer({ LOG_LEVEL: 'trace' }, undefined, { logDestination: capture });
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  describe('message HTML', () => {
    it('the test can tell an executable body from a harmless one', () => {
      expect(executableParts('<p><a href="https://ok.example" rel="noopener">ok</a> 1 &lt;script&gt;</p>')).toEqual([]);
      expect(executableParts('<a href="jav&#x09;ascript:alert(1)">x</a>')).not.toEqual([]);
      expect(executableParts('<img src=x onerror=alert(1)>')).not.toEqual([]);
      expect(XSS_VECTORS.length).toBeGreaterThanOrEqual(40);
      // Sent as they are, every vector would be caught but the unclosed tag and the handler that stays inside a quoted title.
      expect(XSS_VECTORS.filter((v) => executableParts(v).length === 0)).toEqual(['<img src=x onerror="alert(1)"//', XSS_VECTORS.find((v) => v.includes('quote break'))]);
    });

    it(`stores and returns each of ${XSS_VECTORS.length} filter-evasion vectors with nothing that could run`, async () => {
      const dept = await TestDepartment.create(server);
      const [sender, recipient] = await dept.newMembers(2);
      const problems: string[] = [];
      let stored = 0;
      for (const vector of XSS_VECTORS) {
        const res = await dept.as(sender).post('/api/messages').send({ subject: 'Vector', body: `<p>before</p>${vector}<p>after</p>`, sendMode: 'specific', userIds: [recipient.id] });
        expect(res.status).toBe(201);
        const read = await dept.as(recipient).get(`/api/messages/${res.body.id}`).expect(200);
        stored++;
        const found = executableParts(read.body.body);
        if (found.length) problems.push(`${vector} -> ${read.body.body} (${found.join(', ')})`);
        // Harmless text before the vector survives.
        expect(read.body.body.startsWith('<p>before</p>')).toBe(true);
      }
      expect(stored).toBe(XSS_VECTORS.length);
      expect(problems).toEqual([]);
    });

    it('keeps safe links and formatting, and links open outside the app without its opener', async () => {
      const dept = await TestDepartment.create(server);
      const [sender, recipient] = await dept.newMembers(2);
      const body = '<p><strong>Drill</strong> at <a href="https://station.example/plan">the plan</a></p>';
      const res = await dept.as(sender).post('/api/messages').send({ subject: 'Drill', body, sendMode: 'specific', userIds: [recipient.id] }).expect(201);
      const read = await dept.as(recipient).get(`/api/messages/${res.body.id}`).expect(200);
      expect(read.body.body).toBe('<p><strong>Drill</strong> at <a href="https://station.example/plan" rel="noopener noreferrer" target="_blank">the plan</a></p>');
    });

    it('keeps conversation messages as plain text: markup is removed and no tag can form', async () => {
      const dept = await TestDepartment.create(server);
      const [a, b] = await dept.newMembers(2);
      const conversation = (await dept.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
      for (const vector of XSS_VECTORS) {
        const res = await dept.as(a).post(`/api/conversations/${conversation}/messages`).send({ body: `note: ${vector} 1 < 2` });
        expect(res.status).toBe(201);
        expect(res.body.body).not.toMatch(/[<>]/);
        expect(res.body.body.startsWith('note:')).toBe(true);
      }
      const history = await dept.as(b).get(`/api/conversations/${conversation}/messages?after=0&limit=200`).expect(200);
      const bodies: string[] = history.body.items.map((m: { body: string }) => m.body);
      expect(bodies.filter((body) => /[<>]/.test(body))).toEqual([]);
      expect(bodies.filter((body) => body.startsWith('note:')).length).toBe(XSS_VECTORS.length);
      // Where the text around a vector survives, a literal "<" is kept as an escaped character.
      expect(bodies.filter((body) => body.includes('1 &lt; 2')).length).toBeGreaterThan(XSS_VECTORS.length - 5);
    });
  });

  describe('logs', () => {
    it('hold no password, token or message content through a login, a send, a chat message and a refused request', async () => {
      const dept = await TestDepartment.create(server);
      const password = `pw-${tag()}-secret`;
      const email = `log-${tag()}@test.example`;
      const created = await dept.asAdmin().post('/api/department/members').send({ name: 'Logger', email, password }).expect(201);
      const recipient = await dept.newMember();
      const secrets = { subject: `Subject${tag()}`, body: `Body${tag()}`, chat: `Chat${tag()}`, socketChat: `Socket${tag()}`, note: `Note${tag()}` };
      const lines = logLines.length;

      const login = await request(server.baseUrl).post('/api/auth/login').send({ email, password }).expect(200);
      const token: string = login.body.accessToken;
      const auth = `Bearer ${token}`;
      const sent = await request(server.baseUrl)
        .post('/api/messages')
        .set('Authorization', auth)
        .send({ subject: secrets.subject, body: `<p>${secrets.body}</p>`, sendMode: 'specific', userIds: [recipient.id] })
        .expect(201);
      await dept.as(recipient).post(`/api/messages/${sent.body.id}/response`).send({ response: 'yes', note: secrets.note }).expect(200);
      const conversation = (await request(server.baseUrl).post('/api/conversations').set('Authorization', auth).send({ title: 'Crew', memberIds: [recipient.id] }).expect(201)).body.id;
      await request(server.baseUrl).post(`/api/conversations/${conversation}/messages`).set('Authorization', auth).send({ body: secrets.chat }).expect(201);
      const socket: MessagesClient = await connectSocket(server.baseUrl, token);
      const ack = await socket.emitWithAck('conversation:send', { conversationId: conversation, body: secrets.socketChat, clientId: 'c1' });
      expect(ack.ok).toBe(true);
      // Refusals too: a wrong password, and a body that fails validation.
      await request(server.baseUrl).post('/api/auth/login').send({ email, password: `${password}-wrong` }).expect(401);
      await request(server.baseUrl).post('/api/messages').set('Authorization', auth).send({ subject: secrets.subject, body: secrets.body, sendMode: 'nobody' }).expect(400);
      socket.disconnect();

      const written = logLines.slice(lines).join('');
      // The log did record the traffic, so silence is not what passes this test.
      expect(written).toContain('/api/auth/login');
      expect(written).toContain('/api/messages');
      const payload = token.split('.')[1];
      for (const secret of [password, token, payload, ...Object.values(secrets)]) expect(written).not.toContain(secret);
      expect(created.body.id).toEqual(expect.any(Number));
    });
  });

  describe('request log lines and refused logins', () => {
    const entries = (from: number) =>
      logLines
        .slice(from)
        .map((line) => JSON.parse(line) as Record<string, any>)
        .filter(Boolean);

    it('names the user and department of each authenticated request, and nobody on a public one', async () => {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      const from = logLines.length;
      await dept.as(member).get('/api/department').expect(200);
      await dept.as(member).put('/api/department/modules/messages').send({ enabled: false }).expect(403);
      await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(200);

      const lines = entries(from).filter((e) => e.req?.url && e.res?.statusCode);
      const line = (url: string) => lines.find((e) => e.req.url === url);
      expect(line('/api/department')).toMatchObject({ userId: member.id, departmentId: dept.id, res: { statusCode: 200 } });
      expect(line('/api/department/modules/messages')).toMatchObject({ userId: member.id, departmentId: dept.id, res: { statusCode: 403 } });
      expect(line('/api/auth/login')).not.toHaveProperty('userId');
    });

    it('logs a refused login with the email as compared, never the password', async () => {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ active: false }).expect(200);
      const password = `wrong-${tag()}`;
      const from = logLines.length;
      await request(server.baseUrl).post('/api/auth/login').send({ email: 'Ｎobody@Test.example', password }).expect(401);
      await request(server.baseUrl).post('/api/auth/login').send({ email: member.email.toUpperCase(), password }).expect(401);
      await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(403);

      const refused = entries(from).filter((e) => e.msg === 'login refused');
      expect(refused.map(({ email, reason }) => ({ email, reason }))).toEqual([
        { email: 'nobody@test.example', reason: 'unknown email' },
        { email: member.email, reason: 'wrong password' },
        { email: member.email, reason: 'deactivated' },
      ]);
      expect(logLines.slice(from).join('')).not.toContain(password);
    });
  });

  describe('audit trail', () => {
    it('tells an admin who removed a message from which inbox or outbox, and when', async () => {
      const dept = await TestDepartment.create(server);
      const [sender, first, second, third] = await dept.newMembers(4);
      const sent = await dept.as(sender).post('/api/messages').send({ subject: 'Roster', body: 'x', sendMode: 'specific', userIds: [first.id, second.id, third.id] }).expect(201);
      const id = sent.body.id;
      const before = await dept.asAdmin().get(`/api/messages/${id}/audit`).expect(200);
      expect(before.body).toMatchObject({ messageId: id, senderId: sender.id, recipientCount: 3, removals: [] });

      const started = Date.now();
      await dept.as(first).delete(`/api/messages/inbox/${id}`).expect(200);
      await dept.as(second).delete(`/api/messages/inbox?ids=${id}`).expect(200);
      await dept.as(sender).delete(`/api/messages/outbox/${id}`).expect(200);

      const audit = await dept.asAdmin().get(`/api/messages/${id}/audit`).expect(200);
      expect(audit.body.removals).toEqual([
        expect.objectContaining({ box: 'inbox', ownerId: first.id, ownerName: first.name, removedBy: first.id, removedByName: first.name }),
        expect.objectContaining({ box: 'inbox', ownerId: second.id, removedBy: second.id }),
        expect.objectContaining({ box: 'outbox', ownerId: sender.id, ownerName: sender.name, removedBy: sender.id }),
      ]);
      for (const r of audit.body.removals) expect(new Date(r.removedAt).getTime()).toBeGreaterThanOrEqual(started - 1000);
      // The audit names people and times, never the content.
      expect(JSON.stringify(audit.body)).not.toContain('Roster');
      // The third recipient still has it: a removal is one person's.
      await dept.as(third).get(`/api/messages/${id}`).expect(200);
    });

    it('is for admins of the message department only', async () => {
      const dept = await TestDepartment.create(server);
      const [sender, recipient] = await dept.newMembers(2);
      const id = (await dept.as(sender).post('/api/messages').send({ subject: 'S', body: 'x', sendMode: 'specific', userIds: [recipient.id] }).expect(201)).body.id;
      expect((await dept.as(sender).get(`/api/messages/${id}/audit`).expect(403)).body.message).toBe('Only department admins may do this');
      const other = await TestDepartment.create(server);
      expect((await other.asAdmin().get(`/api/messages/${id}/audit`).expect(404)).body.message).toBe(`Message ${id} not found`);
      await dept.switchMessages(false);
      await dept.asAdmin().get(`/api/messages/${id}/audit`).expect(403);
    });
  });
});
