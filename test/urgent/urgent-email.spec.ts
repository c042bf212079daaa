import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { AckLinks } from '../../src/messages/urgent/email/ack-link';
import { TestDepartment } from '../support/factories';
import { eventually, pause } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

interface ReceivedMail {
  to: string[];
  raw: string;
}

/** The text of a quoted-printable body, so a link split over lines reads whole. */
const unQuote = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('email as the second channel of urgent messages', () => {
  let smtp: SMTPServer;
  const inbox: ReceivedMail[] = [];
  let server: TestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: unQuote(Buffer.concat(chunks).toString('utf8')) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    server = await startTestServer({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_FROM: 'Dispatch <dispatch@station.test>',
      PUBLIC_URL: 'http://station.test',
      ESCALATION_MIN_INTERVAL_SECONDS: '1',
      PUSH_POLL_INTERVAL_MS: '500',
      LOG_LEVEL: 'info',
    }, undefined, {
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => smtp.close(() => resolve(undefined)));
  });

  const linkIn = (mail: ReceivedMail) => /http:\/\/station\.test\/api\/messages\/\d+\/ack\?token=[A-Za-z0-9._-]+/.exec(mail.raw)?.[0];
  /** The path of an emailed link, to call this server with (station.test is what people would reach). */
  const pathOf = (link: string) => link.replace('http://station.test', '');

  it('emails the first reminder to each one who has not acknowledged, with a link whose page acknowledges with one button', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, away, quick] = await dept.newMembers(3);
    const sent = await dept
      .as(sender)
      .post('/api/messages')
      .send({
        subject: 'Recall all units',
        body: '<p>Return to quarters</p>',
        priority: 'urgent',
        sendMode: 'specific',
        userIds: [away.id, quick.id],
        escalation: { repeatEverySeconds: 1, repeats: 2 },
      })
      .expect(201);
    const id: number = sent.body.id;
    await dept.as(quick).post(`/api/messages/${id}/ack`).expect(200);

    expect(await eventually(async () => inbox.some((m) => m.to.includes(away.email)), 20_000)).toBe(true);
    const mail = inbox.find((m) => m.to.includes(away.email))!;
    expect(mail.raw).toMatch(/^Subject: Urgent: Recall all units/m);
    expect(mail.raw).toMatch(/^From: Dispatch <dispatch@station\.test>/m);
    const link = linkIn(mail);
    expect(link).toMatch(new RegExp(`^http://station\\.test/api/messages/${id}/ack\\?token=`));
    // The second reminder goes without email, and nobody who acknowledged is emailed.
    expect(
      await eventually(async () => (await dept.as(sender).get(`/api/messages/${id}/recipients?state=all`)).body.items.some(
        (r: { userId: number; channels: { email: string | null } }) => r.userId === away.id && r.channels.email,
      )),
    ).toBe(true);
    await pause(2_500);
    expect(inbox.filter((m) => m.raw.includes(`/api/messages/${id}/ack`)).map((m) => m.to)).toEqual([[away.email]]);

    const page = await request(server.baseUrl).get(pathOf(link!)).expect(200);
    // The request line is logged, its token is not.
    const token = new URL(link!).searchParams.get('token')!;
    expect(logLines.some((line) => line.includes(`/api/messages/${id}/ack?token=[redacted]`))).toBe(true);
    expect(logLines.filter((line) => line.includes(token))).toEqual([]);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    // Opening the link (as a mail scanner or a link preview does) acknowledges nothing.
    expect(page.text).toContain('<button type="submit"');
    expect((await dept.as(sender).get(`/api/messages/${id}`).expect(200)).body.delivery).toMatchObject({ recipients: 2, acknowledged: 1 });
    // The page's button posts the form, as the browser does.
    const action = /<form method="post" action="([^"]+)">/.exec(page.text)![1];
    const field = /name="token" value="([^"]+)"/.exec(page.text)![1];
    expect(field).toBe(token);
    const done = await request(server.baseUrl).post(action).type('form').send({ token: field }).expect(200);
    expect(done.text).toContain('Acknowledged');
    await request(server.baseUrl).post(action).type('form').send({ token: field }).expect(200);
    const detail = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(detail.body.delivery).toMatchObject({ recipients: 2, acknowledged: 2 });
  }, 60_000);

  it('refuses a link that was altered, is for another message, or has expired, and changes nothing', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader] = await dept.newMembers(2);
    const send = (subject: string) =>
      dept.as(sender).post('/api/messages').send({ subject, body: 'x', priority: 'urgent', sendMode: 'specific', userIds: [reader.id] }).expect(201);
    const [{ body: one }, { body: two }] = [await send('One'), await send('Two')];
    const links = server.app.get(AckLinks);
    const good = pathOf(links.linkFor(one.id, dept.id, reader.id));
    const token = new URL(`http://x${good}`).searchParams.get('token')!;
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const forged = token.replace(`${dept.id}.${reader.id}.`, `${dept.id}.${sender.id}.`);
    const expired = new URL(`http://x${pathOf(links.linkFor(one.id, dept.id, reader.id, Date.now() - 100 * 3600_000))}`).searchParams.get('token')!;

    for (const [path, message] of [
      [`/api/messages/${one.id}/ack?token=${altered}`, /not valid/],
      [`/api/messages/${one.id}/ack?token=${forged}`, /not valid/],
      [`/api/messages/${two.id}/ack?token=${token}`, /not valid/],
      [`/api/messages/${one.id}/ack?token=${expired}`, /expired/],
    ] as const) {
      const res = await request(server.baseUrl).get(path).expect(403);
      expect(res.body.message).toMatch(message);
      const [target, bad] = path.split('?token=');
      const posted = await request(server.baseUrl).post(`${target}/link`).type('form').send({ token: bad }).expect(403);
      expect(posted.body.message).toMatch(message);
    }
    await request(server.baseUrl).post(`/api/messages/${one.id}/ack/link`).type('form').send({}).expect(400);
    await request(server.baseUrl).get(`/api/messages/${one.id}/ack`).expect(400);
    const detail = await dept.as(sender).get(`/api/messages/${one.id}`).expect(200);
    expect(detail.body.delivery.acknowledged).toBe(0);
    await request(server.baseUrl).get(good).expect(200);
    expect((await dept.as(sender).get(`/api/messages/${one.id}`).expect(200)).body.delivery.acknowledged).toBe(0);
    await request(server.baseUrl).post(`/api/messages/${one.id}/ack/link`).send({ token }).expect(200);
    expect((await dept.as(sender).get(`/api/messages/${one.id}`).expect(200)).body.delivery.acknowledged).toBe(1);
  });
});
