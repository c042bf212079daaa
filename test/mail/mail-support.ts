import { Client } from 'pg';
import type { TestDepartment, TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

/** Sends as `sender`; the body fields default to a plain message. */
export function send(dept: TestDepartment, sender: TestMember, fields: Record<string, unknown>) {
  return dept
    .as(sender)
    .post('/api/messages')
    .send({ subject: 'Drill tonight', body: '<p>Station 1, 19:00</p>', ...fields });
}

/** Sends and returns the new message's id, failing the test unless it is 201. */
export async function sendOk(dept: TestDepartment, sender: TestMember, fields: Record<string, unknown>): Promise<number> {
  const res = await send(dept, sender, fields);
  if (res.status !== 201) throw new Error(`send answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The ids of the members whose inbox holds the message, read straight from the database. */
export async function recipientsOf(db: Client, messageId: number): Promise<number[]> {
  const { rows } = await db.query<{ user_id: number }>('select user_id from mail_recipients where message_id = $1 order by user_id', [messageId]);
  return rows.map((r) => r.user_id);
}

export async function openDatabase(server: TestServer): Promise<Client> {
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  return db;
}

export const sorted = (members: { id: number }[]) => members.map((m) => m.id).sort((a, b) => a - b);

/** A server for the file and a direct connection to its database, both closed after the file. */
export function useServerAndDatabase(ready: (server: TestServer, db: Client) => void) {
  let server: TestServer | undefined;
  let db: Client | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    db = await openDatabase(server);
    ready(server, db);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });
}
