// A receiving socket for the benchmark's fan-out figure: just enough of WebSocket (RFC 6455),
// Engine.IO 4 and Socket.IO 5 to join a namespace with a token, answer the server's pings and say
// when each event's frame arrived. Two thousand socket.io-client sockets in the one benchmark
// process, on the two cores that also run the servers, spend about as much CPU decoding each
// message as both servers spend sending it; real receivers are separate devices decoding one
// frame each.
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
// Every socket reads into this one buffer (its callback runs before the next read), with no
// stream in between; whatever part of a frame is left over is copied out.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

/** A client frame: always masked, as the protocol requires of clients. */
function clientFrame(opcode, payload) {
  const mask = randomBytes(4);
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65_536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

/**
 * Connects to `namespace` on the server at `baseUrl` over a WebSocket, with `{ token }` as the
 * Socket.IO auth. Resolves once the namespace accepted the socket; `onEvent(bytes, arrivedAt)` is
 * then called for each event packet of the namespace, with its UTF-8 bytes after the namespace
 * (`["event",payload]`, valid during the call only) and the `performance.now()` at which the
 * bytes completing its frame were read from the socket. Nothing is decoded beyond the frame.
 */
export function connectLeanSocket(baseUrl, namespace, token, onEvent, { timeoutMs = 30_000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  const eventPrefix = Buffer.from(`42${namespace},`);
  let onRead = () => undefined;
  const socket = connect({ host: hostname, port: Number(port), noDelay: true, onread: { buffer: READ_BUFFER, callback: (length) => onRead(READ_BUFFER.subarray(0, length)) } });
  let handshaken = false;
  let pending = Buffer.alloc(0);
  let fragments = [];
  let fragmentOpcode = 0;
  let closed = false;

  const sendText = (text) => {
    if (!closed) socket.write(clientFrame(OPCODE.text, Buffer.from(text)));
  };
  const close = () => {
    if (closed) return;
    closed = true;
    socket.end(clientFrame(OPCODE.close, Buffer.alloc(0)));
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('lean socket: not connected in time')), timeoutMs);
    timer.unref();
    let settled = false;
    const fail = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      socket.destroy();
      reject(error);
    };
    const accepted = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ close });
    };

    const onText = (text) => {
      switch (text[0]) {
        case '0': // Engine.IO open: join the namespace with the token.
          sendText(`40${namespace},${JSON.stringify({ token })}`);
          return;
        case '2': // Engine.IO ping
          sendText('3');
          return;
        case '1': // Engine.IO close
          close();
          return;
        case '4':
          if (text.startsWith(`40${namespace},`)) accepted();
          else if (text.startsWith(`44${namespace},`)) fail(new Error(`lean socket refused: ${text.slice(namespace.length + 3)}`));
          else if (text.startsWith(`41${namespace}`)) close();
          return;
        default:
      }
    };

    const onFrames = (arrivedAt) => {
      for (;;) {
        if (pending.length < 2) return;
        const fin = (pending[0] & 0x80) !== 0;
        const opcode = pending[0] & 0x0f;
        const masked = (pending[1] & 0x80) !== 0;
        let length = pending[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (pending.length < 4) return;
          length = pending.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (pending.length < 10) return;
          length = Number(pending.readBigUInt64BE(2));
          offset = 10;
        }
        const maskOffset = offset;
        if (masked) offset += 4;
        if (pending.length < offset + length) return;
        let payload = pending.subarray(offset, offset + length);
        if (masked) {
          payload = Buffer.from(payload);
          for (let i = 0; i < payload.length; i++) payload[i] ^= pending[maskOffset + (i & 3)];
        }
        pending = pending.subarray(offset + length);
        if (opcode === OPCODE.ping) socket.write(clientFrame(OPCODE.pong, payload));
        else if (opcode === OPCODE.close) close();
        else if (opcode === OPCODE.text || opcode === OPCODE.binary || opcode === OPCODE.continuation) {
          if (opcode !== OPCODE.continuation) fragmentOpcode = opcode;
          if (!fin) {
            fragments.push(Buffer.from(payload));
            continue;
          }
          const whole = fragments.length ? Buffer.concat([...fragments, payload]) : payload;
          fragments = [];
          if (fragmentOpcode !== OPCODE.text) continue;
          if (whole.length > eventPrefix.length && whole.subarray(0, eventPrefix.length).equals(eventPrefix)) onEvent(whole.subarray(eventPrefix.length), arrivedAt);
          else onText(whole.toString('utf8'));
        }
      }
    };

    socket.on('connect', () => {
      socket.write(
        `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onBytes = (chunk) => {
      const arrivedAt = performance.now();
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (!handshaken) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
        if (!head.startsWith('HTTP/1.1 101') || accept !== expectedAccept) return fail(new Error(`lean socket: no WebSocket upgrade (${head.split('\r\n')[0]})`));
        handshaken = true;
      }
      onFrames(arrivedAt);
    };
    onRead = (chunk) => {
      onBytes(chunk);
      if (pending.length && pending.buffer === READ_BUFFER.buffer) pending = Buffer.from(pending);
    };
    socket.on('error', (error) => fail(error));
    socket.on('close', () => {
      closed = true;
      fail(new Error('lean socket: closed before the namespace accepted it'));
    });
  });
}
