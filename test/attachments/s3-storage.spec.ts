import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import S3rver from 's3rver';
import sharp from 'sharp';
import request from 'supertest';
import { AttachmentSweeper } from '../../src/messages/attachments/attachment-sweeper';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

const BUCKET = 'department-attachments';
// s3rver's only key pair; it refuses other key ids (it does not check V4 signatures themselves).
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe('attachments in an S3-compatible bucket, shared by two server processes', () => {
  let s3rver: S3rver;
  let bucketDir: string;
  let bucket: S3Client;
  let first: TestServer;
  let second: TestServer;
  let db: Client;
  let photo: Buffer;
  let env: Record<string, string>;
  let s3Port: number;

  beforeAll(async () => {
    bucketDir = await mkdtemp(join(tmpdir(), 's3-storage-spec-'));
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: bucketDir, configureBuckets: [{ name: BUCKET }] });
    s3Port = (await s3rver.run()).port;
    const endpoint = `http://127.0.0.1:${s3Port}`;
    env = {
      ATTACHMENT_STORAGE: 's3',
      ATTACHMENT_S3_ENDPOINT: endpoint,
      ATTACHMENT_S3_BUCKET: BUCKET,
      ATTACHMENT_S3_REGION: 'us-east-1',
      ATTACHMENT_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
      ATTACHMENT_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    };
    // Each has a DATA_DIR of its own: the bucket is the only place they share files.
    first = await startTestServer(env);
    second = await startTestServer(env, first.databaseUrl);
    bucket = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
    db = new Client({ connectionString: first.databaseUrl });
    await db.connect();
    // A photo-sized PNG (800 x 600 of noise, over a megabyte): the upload streams to the bucket in earnest.
    const pixels = randomBytes(800 * 600 * 3);
    photo = await sharp(pixels, { raw: { width: 800, height: 600, channels: 3 } }).png().toBuffer();
  });
  afterAll(async () => {
    await db?.end();
    // The second shares the first's database; the first drops it.
    await second?.close();
    await first?.close();
    bucket?.destroy();
    await s3rver?.close();
    await rm(bucketDir, { recursive: true, force: true });
  });

  /** Requests as a member through a given server process (tokens are good on every process). */
  const on = (server: TestServer, member: TestMember) => ({
    get: (url: string) => request(server.baseUrl).get(url).set('Authorization', member.auth),
    post: (url: string) => request(server.baseUrl).post(url).set('Authorization', member.auth),
  });
  const binary = (res: import('supertest').Response, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };
  const keysOf = async (id: number) => (await db.query<{ storage_key: string; thumbnail_key: string | null }>('select storage_key, thumbnail_key from attachments where id = $1', [id])).rows[0];
  const objectBytes = async (key: string) => Buffer.from(await (await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
  const inBucket = async (key: string) =>
    bucket.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === 'NotFound') return false;
        throw error;
      },
    );

  it('stores a real PNG and its thumbnail in the bucket through one process, and serves both through the other to the conversation only', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob, outsider] = await dept.newMembers(3);
    const conversation = (await on(first, ann).post('/api/conversations').send({ title: 'Scene', memberIds: [bob.id] }).expect(201)).body.id as number;

    const up = await on(first, ann).post('/api/attachments').attach('file', photo, { filename: 'scene.png', contentType: 'image/png' }).expect(201);
    expect(up.body).toEqual({ id: expect.any(Number), name: 'scene.png', contentType: 'image/png', size: photo.length, width: 800, height: 600 });
    const id: number = up.body.id;
    await on(first, ann).post(`/api/conversations/${conversation}/messages`).send({ attachmentIds: [id] }).expect(201);

    // The objects are in the bucket, byte for byte.
    const keys = await keysOf(id);
    expect(keys.thumbnail_key).toBe(`${keys.storage_key}.thumbnail`);
    expect(Buffer.compare(await objectBytes(keys.storage_key), photo)).toBe(0);
    const listed = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${dept.id}/` }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([keys.storage_key, keys.thumbnail_key]);

    const history = await on(second, bob).get(`/api/conversations/${conversation}/messages`).expect(200);
    expect(history.body.items.at(-1).attachments).toEqual([up.body]);
    const file = await on(second, bob).get(`/api/attachments/${id}`).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(file.body, photo)).toBe(0);
    expect(file.headers).toEqual(expect.objectContaining({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" }));
    const thumbnail = await on(second, bob).get(`/api/attachments/${id}/thumbnail`).buffer(true).parse(binary).expect(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    expect(await sharp(thumbnail.body).metadata()).toEqual(expect.objectContaining({ format: 'jpeg', width: 320, height: 240 }));

    for (const server of [first, second]) {
      const refused = await on(server, outsider).get(`/api/attachments/${id}`).expect(404);
      expect(refused.body.message).toBe(`Attachment ${id} not found`);
      await on(server, outsider).get(`/api/attachments/${id}/thumbnail`).expect(404);
    }
  });

  it('sweeps an unused upload out of the bucket, file and thumbnail, whichever process swept', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob] = await dept.newMembers(2);
    const conversation = (await on(first, ann).post('/api/conversations').send({ title: 'Hydrants', memberIds: [bob.id] }).expect(201)).body.id as number;
    const unused = await on(second, ann).post('/api/attachments').attach('file', photo, { filename: 'draft.png', contentType: 'image/png' }).expect(201);
    const carried = await on(second, ann).post('/api/attachments').attach('file', Buffer.from('Hydrant 7 is dry'), 'note.txt').expect(201);
    await on(second, ann).post(`/api/conversations/${conversation}/messages`).send({ attachmentIds: [carried.body.id] }).expect(201);
    const gone = await keysOf(unused.body.id);
    const kept = await keysOf(carried.body.id);
    expect(await inBucket(gone.storage_key)).toBe(true);
    expect(await inBucket(gone.thumbnail_key!)).toBe(true);
    // The uploader sees it through the other process before the sweep.
    await on(first, ann).get(`/api/attachments/${unused.body.id}`).expect(200);

    expect(await first.app.get(AttachmentSweeper).sweep(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(1);
    expect(await inBucket(gone.storage_key)).toBe(false);
    expect(await inBucket(gone.thumbnail_key!)).toBe(false);
    expect(await inBucket(kept.storage_key)).toBe(true);
    await on(second, ann).get(`/api/attachments/${unused.body.id}`).expect(404);
    const note = await on(first, bob).get(`/api/attachments/${carried.body.id}`).expect(200);
    expect(note.text).toBe('Hydrant 7 is dry');
  });

  it('answers 404 for a file gone from the bucket, 503, not 404, when the bucket refuses the server for downloads and uploads, which closes its connections when it stops', async () => {
    const dept = await TestDepartment.create(first);
    const ann = await dept.newMember();
    const lost = await on(first, ann).post('/api/attachments').attach('file', Buffer.from('Lost page'), 'lost.txt').expect(201);
    const kept = await on(first, ann).post('/api/attachments').attach('file', Buffer.from('Kept page'), 'kept.txt').expect(201);
    await bucket.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: (await keysOf(lost.body.id)).storage_key }));
    const missing = await on(second, ann).get(`/api/attachments/${lost.body.id}`).expect(404);
    expect(missing.body.message).toBe(`Attachment ${lost.body.id} not found`);

    // A process whose key the bucket refuses: that is an outage, not a missing file.
    const wrongKey = await startTestServer({ ...env, ATTACHMENT_S3_ACCESS_KEY_ID: 'NOT-A-KEY' }, first.databaseUrl);
    try {
      const refused = await on(wrongKey, ann).get(`/api/attachments/${kept.body.id}`).expect(503);
      expect(refused.body.message).toBe('The attachment storage is unavailable; try again shortly');
      const rows = (await db.query('select count(*)::int as n from attachments')).rows[0].n;
      const upload = await on(wrongKey, ann).post('/api/attachments').attach('file', photo, { filename: 'scene.png', contentType: 'image/png' }).expect(503);
      expect(upload.body.message).toBe('The attachment storage is unavailable; try again shortly');
      expect((await db.query('select count(*)::int as n from attachments')).rows[0].n).toBe(rows);
    } finally {
      const destroyed = jest.spyOn(S3Client.prototype, 'destroy');
      await wrongKey.close();
      // Its connections to the bucket are closed with it.
      expect(destroyed).toHaveBeenCalledTimes(1);
      destroyed.mockRestore();
    }
    expect((await on(second, ann).get(`/api/attachments/${kept.body.id}`).expect(200)).text).toBe('Kept page');
  });

  it('tries an upload again when its connection to the bucket breaks', async () => {
    // A loopback relay to the bucket that cuts the first connection it is given.
    let cut = 1;
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      sockets.add(client);
      if (cut-- > 0) return void client.destroy();
      const upstream = connect(s3Port, '127.0.0.1');
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
    const flaky = await startTestServer({ ...env, ATTACHMENT_S3_ENDPOINT: `http://127.0.0.1:${(relay.address() as AddressInfo).port}` }, first.databaseUrl);
    try {
      const dept = await TestDepartment.create(first);
      const ann = await dept.newMember();
      const up = await on(flaky, ann).post('/api/attachments').attach('file', photo, { filename: 'scene.png', contentType: 'image/png' }).expect(201);
      expect(cut).toBeLessThan(0);
      expect(Buffer.compare(await objectBytes((await keysOf(up.body.id)).storage_key), photo)).toBe(0);
      const file = await on(second, ann).get(`/api/attachments/${up.body.id}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(file.body, photo)).toBe(0);
    } finally {
      await flaky.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => relay.close(done));
    }
  });
});
