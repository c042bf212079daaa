// The floor: a bare node:http + pg Pool handler, in a process of its own, running the server's own
// SQL (imported from dist/) for the user named in `x-user-id`, with no framework and no auth.
// Its figures are what the database and the loopback allow; the server is compared with them.
import http from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { TOP_UNREAD_STATE_SQL, TOP_UNREAD_ITEMS_SQL, topUnreadEtag } = require('../dist/messages/mail/queries/get-top-unread.query.js');
const { INBOX_SQL } = require('../dist/messages/mail/queries/get-inbox.query.js');
const { toInboxItem } = require('../dist/messages/mail/mail.mapper.js');
const { toPage, NO_CURSOR } = require('../dist/messages/mail/cursor.js');

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const departmentId = Number(process.env.DEPARTMENT_ID);

const send = (res, status, headers, body) => {
  res.writeHead(status, headers);
  res.end(body);
};

async function handle(req, res) {
  const userId = Number(req.headers['x-user-id']);
  const params = [userId, departmentId];
  if (req.url.startsWith('/api/messages/unread/top')) {
    const limit = 5;
    const { rows: [state] } = await pool.query({ name: 'mail_unread_state', text: TOP_UNREAD_STATE_SQL, values: params });
    const etag = topUnreadEtag(userId, state.version, limit);
    if (req.headers['if-none-match'] === etag) return send(res, 304, { etag }, undefined);
    const rows = state.count === 0 ? [] : (await pool.query({ name: 'mail_unread_top', text: TOP_UNREAD_ITEMS_SQL, values: [...params, limit] })).rows;
    return send(res, 200, { 'content-type': 'application/json', etag }, JSON.stringify({ count: state.count, items: rows.map(toInboxItem) }));
  }
  if (req.url.startsWith('/api/messages/inbox')) {
    const limit = 20;
    const { rows } = await pool.query({ name: 'mail_inbox', text: INBOX_SQL, values: [...params, NO_CURSOR, limit + 1] });
    return send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(toPage(rows, limit, toInboxItem)));
  }
  send(res, 404, {}, 'not found');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => send(res, 500, {}, String(error)));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => {
  server.close();
  pool.end().finally(() => process.exit(0));
});
