import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { AttachmentSweeper } from '../../src/messages/attachments/attachment-sweeper';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

/** A real one-page PDF, written out by hand with its cross-reference table. */
function smallPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 12 Tf 20 50 Td (Hydrant 7) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const MAX_BYTES = 1_000_000;
const QUOTA_BYTES = 1_500_000;

describe('attachments', () => {
  let server: TestServer;
  let dataDir: string;
  let db: Client;
  let photo: Buffer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attachments-spec-'));
    server = await startTestServer({ DATA_DIR: dataDir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES), ATTACHMENT_QUOTA_BYTES: String(QUOTA_BYTES) });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    // A real photo-sized PNG: 800 x 600, noisy enough not to compress to nothing.
    const pixels = Buffer.alloc(800 * 600 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 251;
    photo = await sharp(pixels, { raw: { width: 800, height: 600, channels: 3 } }).png().toBuffer();
  });
  afterAll(async () => {
    await db.end();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const storedFiles = async () => (await readdir(join(dataDir, 'attachments'), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;
  const upload = (dept: TestDepartment, member: TestMember, content: Buffer, filename: string, contentType = 'application/octet-stream') =>
    dept.as(member).post('/api/attachments').attach('file', content, { filename, contentType });
  const binary = (res: import('supertest').Response, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };
  async function crew(dept: TestDepartment) {
    const [ann, bob, outsider] = await dept.newMembers(3);
    const conversation = (await dept.as(ann).post('/api/conversations').send({ title: 'Scene', memberIds: [bob.id] }).expect(201)).body.id as number;
    return { ann, bob, outsider, conversation };
  }

  it('takes a real PNG, measures it, makes a thumbnail, and serves both only to those who may read the message carrying it', async () => {
    const dept = await TestDepartment.create(server);
    const other = await TestDepartment.create(server);
    const stranger = await other.newMember();
    const { ann, bob, outsider, conversation } = await crew(dept);

    const up = await upload(dept, ann, photo, 'scene.png', 'image/png').expect(201);
    expect(up.body).toEqual({ id: expect.any(Number), name: 'scene.png', contentType: 'image/png', size: photo.length, width: 800, height: 600 });
    const id: number = up.body.id;
    const message = await dept.as(ann).post(`/api/conversations/${conversation}/messages`).send({ attachmentIds: [id] }).expect(201);
    expect(message.body).toEqual(expect.objectContaining({ body: '', attachments: [up.body] }));
    const history = await dept.as(bob).get(`/api/conversations/${conversation}/messages`).expect(200);
    expect(history.body.items.at(-1).attachments).toEqual([up.body]);

    const file = await dept.as(bob).get(`/api/attachments/${id}`).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(file.body, photo)).toBe(0);
    expect(file.headers).toEqual(
      expect.objectContaining({
        'content-type': 'image/png',
        'content-disposition': `inline; filename="scene.png"; filename*=UTF-8''scene.png`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      }),
    );
    const thumbnail = await dept.as(bob).get(`/api/attachments/${id}/thumbnail`).buffer(true).parse(binary).expect(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    expect(await sharp(thumbnail.body).metadata()).toEqual(expect.objectContaining({ format: 'jpeg', width: 320, height: 240 }));

    for (const [who, as] of [
      [outsider, dept],
      [stranger, other],
    ] as const) {
      const refused = await as.as(who).get(`/api/attachments/${id}`).expect(404);
      expect(refused.body.message).toBe(`Attachment ${id} not found`);
      await as.as(who).get(`/api/attachments/${id}/thumbnail`).expect(404);
    }
  });

  it('types a PDF from its content and serves it as a download; a name that lies does not change the type', async () => {
    const dept = await TestDepartment.create(server);
    const { ann, bob, conversation } = await crew(dept);
    const pdf = await upload(dept, ann, smallPdf(), 'report.pdf', 'application/pdf').expect(201);
    expect(pdf.body).toEqual({ id: expect.any(Number), name: 'report.pdf', contentType: 'application/pdf', size: smallPdf().length });
    // A page with a script, named and announced as a photo: it is text, and is served as text.
    const page = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
    const liar = await upload(dept, ann, page, '../../photo.png', 'image/png').expect(201);
    expect(liar.body).toEqual(expect.objectContaining({ name: 'photo.png', contentType: 'text/plain' }));
    await dept.as(ann).post(`/api/conversations/${conversation}/messages`).send({ body: 'Report and notes', attachmentIds: [pdf.body.id, liar.body.id] }).expect(201);

    const served = await dept.as(bob).get(`/api/attachments/${pdf.body.id}`).buffer(true).parse(binary).expect(200);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['content-disposition']).toMatch(/^attachment; filename="report.pdf"/);
    expect(served.body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await dept.as(bob).get(`/api/attachments/${liar.body.id}`).expect(200);
    expect(text.headers).toEqual(
      expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" }),
    );
    expect(text.headers['content-disposition']).toMatch(/^attachment;/);
    await dept.as(bob).get(`/api/attachments/${pdf.body.id}/thumbnail`).expect(404);
  });

  it('refuses a program named as notes (415), a file over the limit (413) and a request without a file field, storing nothing', async () => {
    const dept = await TestDepartment.create(server);
    const { ann } = await crew(dept);
    const before = { files: await storedFiles(), rows: (await db.query('select count(*)::int as n from attachments')).rows[0].n };
    const program = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(400)]);
    program.writeUInt32LE(64, 0x3c);
    const refused = await upload(dept, ann, program, 'notes.txt', 'text/plain').expect(415);
    expect(refused.body.message).toMatch(/^file: content of type application\/\S+ is not accepted/);

    const big = await upload(dept, ann, Buffer.alloc(MAX_BYTES + 50_000, 'a'), 'big.txt', 'text/plain');
    expect(big.status).toBe(413);
    expect(big.body.message).toBe(`file: larger than the ${MAX_BYTES} bytes an attachment may have`);

    const wrongField = await dept.as(ann).post('/api/attachments').attach('photo', photo, 'x.png').expect(400);
    expect(wrongField.body.message).toMatch(/field named file/);
    expect((await dept.as(ann).post('/api/attachments').send({ file: 'x' }).expect(400)).body.message).toMatch(/multipart\/form-data/);

    expect(await storedFiles()).toBe(before.files);
    expect((await db.query('select count(*)::int as n from attachments')).rows[0].n).toBe(before.rows);
  });

  it("keeps an unused upload its uploader's alone, refuses to carry someone else's, and sweeps unused ones away", async () => {
    const dept = await TestDepartment.create(server);
    const { ann, bob, conversation } = await crew(dept);
    const up = await upload(dept, ann, Buffer.from('Hydrant 7 is dry'), 'note.txt').expect(201);
    await dept.as(ann).get(`/api/attachments/${up.body.id}`).expect(200);
    await dept.as(bob).get(`/api/attachments/${up.body.id}`).expect(404);
    const taken = await dept.as(bob).post(`/api/conversations/${conversation}/messages`).send({ body: 'mine now', attachmentIds: [up.body.id] }).expect(400);
    expect(taken.body.message).toBe(`attachmentIds: attachment ${up.body.id} is not an unused upload of yours`);
    // The refused message was not stored either.
    expect((await dept.as(bob).get(`/api/conversations/${conversation}/messages`).expect(200)).body.items.some((m: { body: string }) => m.body === 'mine now')).toBe(false);

    const used = await upload(dept, ann, Buffer.from('Carried'), 'carried.txt').expect(201);
    await dept.as(ann).post(`/api/conversations/${conversation}/messages`).send({ attachmentIds: [used.body.id] }).expect(201);
    const files = await storedFiles();
    // Everything unused made before a moment from now: the first upload, not the carried one.
    const removed = await server.app.get(AttachmentSweeper).sweep(new Date(Date.now() + 1000));
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await storedFiles()).toBeLessThan(files);
    await dept.as(ann).get(`/api/attachments/${up.body.id}`).expect(404);
    await dept.as(bob).get(`/api/attachments/${used.body.id}`).expect(200);
  });

  it('lets department mail carry an attachment, served to its sender and recipients only', async () => {
    const dept = await TestDepartment.create(server);
    const [chief, crewman, other] = await dept.newMembers(3);
    const up = await upload(dept, chief, smallPdf(), 'drill-plan.pdf').expect(201);
    const sent = await dept
      .as(chief)
      .post('/api/messages')
      .send({ subject: 'Drill plan', body: '<p>Attached</p>', sendMode: 'specific', userIds: [crewman.id], attachmentIds: [up.body.id] })
      .expect(201);
    const read = await dept.as(crewman).get(`/api/messages/${sent.body.id}`).expect(200);
    expect(read.body.attachments).toEqual([up.body]);
    await dept.as(crewman).get(`/api/attachments/${up.body.id}`).expect(200);
    await dept.as(chief).get(`/api/attachments/${up.body.id}`).expect(200);
    await dept.as(other).get(`/api/attachments/${up.body.id}`).expect(404);
    // Carried once: a second message cannot take it.
    await dept.as(chief).post('/api/messages').send({ subject: 'Again', body: 'x', sendMode: 'specific', userIds: [other.id], attachmentIds: [up.body.id] }).expect(400);
  });

  it('stops serving the attachments of a retracted message', async () => {
    const dept = await TestDepartment.create(server);
    const { ann, bob, conversation } = await crew(dept);
    const up = await upload(dept, ann, photo, 'wrong-patient.png').expect(201);
    const sent = await dept.as(ann).post(`/api/conversations/${conversation}/messages`).send({ attachmentIds: [up.body.id] }).expect(201);
    await dept.as(bob).get(`/api/attachments/${up.body.id}`).expect(200);
    const retracted = await dept.as(ann).delete(`/api/conversations/${conversation}/messages/${sent.body.seq}`).expect(200);
    expect(retracted.body.attachments).toEqual([]);
    await dept.as(bob).get(`/api/attachments/${up.body.id}`).expect(404);
    expect((await dept.as(bob).get(`/api/conversations/${conversation}/messages`).expect(200)).body.items.at(-1).attachments).toEqual([]);
  });

  it("refuses an upload past the department's quota with 413, while another department still uploads", async () => {
    const dept = await TestDepartment.create(server);
    const other = await TestDepartment.create(server);
    const { ann } = await crew(dept);
    const somebody = await other.newMember();
    const chunk = Buffer.alloc(900_000, 'b');
    await upload(dept, ann, chunk, 'one.txt').expect(201);
    const over = await upload(dept, ann, chunk, 'two.txt').expect(413);
    expect(over.body.message).toBe(`file: the department's attachment quota of ${QUOTA_BYTES} bytes is used up`);
    await upload(other, somebody, chunk, 'theirs.txt').expect(201);
  });
});
