import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The test service's own parts, which its package does not export as modules.
const { PushApiModel } = require('web-push-testing/src/PushApiModel.js');
const WebPushTestingServer = require('web-push-testing/src/server.js');
const ece = require('http_ece');

export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * A real Web Push service on loopback (`web-push-testing`): it checks the VAPID signature,
 * decrypts each push and keeps the plain payloads per subscription.
 */
export class PushService {
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<PushService> {
    const model = new PushApiModel();
    const service = new WebPushTestingServer(model, 0);
    service.setRequestHandlers();
    const server: Server = await new Promise((resolve) => {
      const s = service._app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    model.notifyUrl = `${baseUrl}/notify/`;
    return new PushService(server, baseUrl);
  }

  private async call(path: string, body: object = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** What a browser's `pushManager.subscribe` gives, plus the id to read its pushes. */
  async subscribe(applicationServerKey: string): Promise<TestSubscription & { clientHash: string }> {
    const res = await this.call('/subscribe', { userVisibleOnly: 'true', applicationServerKey });
    if (res.status !== 200) throw new Error(`subscribe failed: ${res.status} ${await res.text()}`);
    const { data } = (await res.json()) as { data: TestSubscription & { clientHash: string } };
    return data;
  }

  /** The decrypted payloads the device received, oldest first. */
  async received(clientHash: string): Promise<any[]> {
    const res = await this.call('/get-notifications', { clientHash });
    const { data } = (await res.json()) as { data: { messages: string[] } };
    return data.messages.map((m) => JSON.parse(m));
  }

  /** From now on the service answers 410 Gone for this subscription. */
  async expire(clientHash: string): Promise<void> {
    await this.call(`/expire-subscription/${clientHash}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** One loopback listener serves every scripted endpoint of a test file, so its origin can go on the allowlist before the server starts. */
let scriptedHost: Promise<{ server: Server; origin: string }> | undefined;
const scriptedEndpoints = new Map<string, ScriptedPushEndpoint>();

function startScriptedHost() {
  scriptedHost ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const endpoint = scriptedEndpoints.get(req.url ?? '');
        if (endpoint) endpoint.handle(req, Buffer.concat(chunks), res);
        else res.writeHead(404).end();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
  return scriptedHost;
}

/**
 * A push endpoint under the test's control: it answers each push with the next status of
 * `script` (the last one repeats), or holds it unanswered for `hang`, and decrypts what it accepts.
 */
export class ScriptedPushEndpoint {
  readonly requests: { status: number | 'hung'; topic?: string; urgency?: string; ttl?: string }[] = [];
  readonly accepted: any[] = [];
  readonly subscription: TestSubscription;
  private readonly ecdh = createECDH('prime256v1');
  private readonly authSecret = randomBytes(16);

  private constructor(
    private readonly host: Server,
    origin: string,
    private readonly path: string,
    private readonly script: (number | 'hang')[],
  ) {
    this.ecdh.generateKeys();
    this.subscription = {
      endpoint: `${origin}${path}`,
      keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.authSecret.toString('base64url') },
    };
  }

  /** Where every scripted endpoint of this test file lives: the origin for `PUSH_ENDPOINT_ALLOWLIST`. */
  static async origin(): Promise<string> {
    return (await startScriptedHost()).origin;
  }

  static async start(script: (number | 'hang')[]): Promise<ScriptedPushEndpoint> {
    const { server, origin } = await startScriptedHost();
    const endpoint = new ScriptedPushEndpoint(server, origin, `/push/${randomBytes(8).toString('hex')}`, script);
    scriptedEndpoints.set(endpoint.path, endpoint);
    return endpoint;
  }

  handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const step = this.script[Math.min(this.requests.length, this.script.length - 1)];
    const headers = { topic: req.headers.topic as string | undefined, urgency: req.headers.urgency as string | undefined, ttl: req.headers.ttl as string | undefined };
    if (step === 'hang') {
      // Never answered: the sender's timeout or shutdown has to deal with it.
      this.requests.push({ status: 'hung', ...headers });
      return;
    }
    this.requests.push({ status: step, ...headers });
    if (step >= 200 && step < 300) {
      const plain: Buffer = ece.decrypt(body, { version: req.headers['content-encoding'], privateKey: this.ecdh, authSecret: this.authSecret });
      this.accepted.push(JSON.parse(plain.toString('utf8')));
    }
    res.writeHead(step).end();
  }

  async close(): Promise<void> {
    scriptedEndpoints.delete(this.path);
    // Drops held requests and idle connections; the listener stays for the file's next endpoint.
    this.host.closeAllConnections();
  }
}

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
