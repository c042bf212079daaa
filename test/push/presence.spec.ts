import { randomUUID } from 'node:crypto';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { PresenceService } from '../../src/messages/presence/presence.service';
import { Logger } from '@nestjs/common';
import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { eventually } from '../support/push-service';
import { createDatabase, startTestServer, type TestServer } from '../support/test-server';

describe('presence across server processes', () => {
  let database: { url: string; drop: () => Promise<void> };
  let east: TestServer;
  let west: TestServer;
  let dept: TestDepartment;

  beforeAll(async () => {
    database = await createDatabase();
    east = await startTestServer({ PRESENCE_HEARTBEAT_MS: '200' }, database.url);
    west = await startTestServer({ PRESENCE_HEARTBEAT_MS: '200' }, database.url);
    dept = await TestDepartment.create(east);
  });
  afterAll(async () => {
    await east?.app.close();
    await west?.app.close();
    await database?.drop();
  });

  const presenceOf = (server: TestServer) => server.app.get(PresenceService);

  it('counts a member online while any socket on any process is open', async () => {
    const [kim, lee] = await dept.newMembers(2);
    await presenceOf(east).connected(kim.id, 'kim-phone', dept.id);
    await presenceOf(west).connected(kim.id, 'kim-laptop', dept.id);

    expect(await presenceOf(west).offline([kim.id, lee.id])).toEqual([lee.id]);
    await presenceOf(east).disconnected(kim.id, 'kim-phone');
    expect(await presenceOf(east).isOnline(kim.id)).toBe(true);
    await presenceOf(west).disconnected(kim.id, 'kim-laptop');
    expect(await presenceOf(east).offline([kim.id, lee.id])).toEqual(expect.arrayContaining([kim.id, lee.id]));
  });

  it("records a connected socket under its member's department", async () => {
    const [ray] = await dept.newMembers(1);
    const socket = await connectSocket(east.baseUrl, ray.token);
    try {
      const rows = () => east.app.get(SqlPool).query<{ department_id: number | null }>('select department_id from socket_presence where user_id = $1', [ray.id]);
      expect(await eventually(async () => (await rows()).length === 1, 2000)).toBe(true);
      expect(await rows()).toEqual([{ department_id: dept.id }]);
    } finally {
      socket.disconnect();
    }
  });

  it('counts the sockets of a process that stopped its heartbeat as gone, and cleans them up', async () => {
    const [max] = await dept.newMembers(1);
    const sql = east.app.get(SqlPool);
    const dead = randomUUID();
    // A process that died without a word a while ago, with max's socket on it.
    await sql.query("insert into server_processes (id, heartbeat_at) values ($1, now() - interval '1 minute')", [dead]);
    await sql.query('insert into socket_presence (process_id, socket_id, user_id) values ($1, $2, $3)', [dead, 'max-socket', max.id]);

    expect(await presenceOf(west).offline([max.id])).toEqual([max.id]);
    const left = () => sql.query('select 1 from socket_presence where process_id = $1', [dead]);
    expect(await eventually(async () => (await left()).length === 0, 5000)).toBe(true);
  });

  it('puts back its sockets when its own row was reaped during a long pause', async () => {
    const [ned] = await dept.newMembers(1);
    await presenceOf(west).connected(ned.id, 'ned-socket', dept.id);
    await west.app.get(SqlPool).query('delete from server_processes where id = $1', [presenceOf(west).processId]);
    expect(await presenceOf(east).isOnline(ned.id)).toBe(false);

    expect(await eventually(() => presenceOf(east).isOnline(ned.id), 5000)).toBe(true);
    await presenceOf(west).disconnected(ned.id, 'ned-socket');
  });

  it('admits a socket that connects after its process was reaped, and counts it online at once', async () => {
    // A heartbeat too slow to put the row back before the socket arrives.
    const paused = await startTestServer({ PRESENCE_HEARTBEAT_MS: '60000' }, database.url);
    try {
      const [pia] = await dept.newMembers(1);
      await east.app.get(SqlPool).query('delete from server_processes where id = $1', [presenceOf(paused).processId]);
      const errors = jest.spyOn(Logger.prototype, 'error');
      try {
        const socket = await connectSocket(paused.baseUrl, pia.token);
        expect(await eventually(() => presenceOf(east).isOnline(pia.id), 2000)).toBe(true);
        socket.disconnect();
        expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([]);
      } finally {
        errors.mockRestore();
      }
    } finally {
      closeAllSockets();
      await paused.app.close();
    }
  });

  it('removes the presence of a process when it shuts down', async () => {
    const [olga] = await dept.newMembers(1);
    const leaving = await startTestServer({ PRESENCE_HEARTBEAT_MS: '200' }, database.url);
    const processId = presenceOf(leaving).processId;
    await presenceOf(leaving).connected(olga.id, 'olga-socket', dept.id);
    expect(await presenceOf(east).isOnline(olga.id)).toBe(true);

    await leaving.app.close();

    expect(await presenceOf(east).isOnline(olga.id)).toBe(false);
    expect(await east.app.get(SqlPool).query('select 1 from server_processes where id = $1', [processId])).toEqual([]);
  });
});
