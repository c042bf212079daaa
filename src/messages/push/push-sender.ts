import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import webpush from 'web-push';
import { PushEndpointPolicy, RefusedPushAddress } from './push-endpoint-policy';
import { PushQueue } from './push-queue';

export interface DeviceSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

const VAPID_VALIDITY_SECONDS = 12 * 3600;

/**
 * How one push request ended. `gone`: the push service no longer knows the subscription.
 * `refused`: the endpoint is not one the server may post to; no retry can change that.
 */
export type SendOutcome =
  | { result: 'delivered' }
  | { result: 'gone'; status: number }
  | { result: 'failed'; reason: string }
  | { result: 'refused'; reason: string };

/**
 * One encrypted Web Push request (RFC 8291 payload, VAPID authorization), sent with Node's own
 * client so that the timeout and the retries stay ours, redirects are never followed, and the
 * connection goes only to addresses the endpoint policy admitted after resolving the name.
 */
@Injectable()
export class PushSender implements OnApplicationShutdown {
  /** Signed VAPID headers per push service origin: signing costs as much as encrypting, so it is done twice a day, not per push. */
  private readonly vapid = new Map<string, { headers: Record<string, string>; renewAt: number }>();
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(
    private readonly queue: PushQueue,
    private readonly policy: PushEndpointPolicy,
  ) {}

  onApplicationShutdown() {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Posts the request and resolves with the status; the answer's body is read and dropped. */
  private post(url: URL, method: string, headers: Record<string, string>, body: Buffer | null, signal: AbortSignal): Promise<number> {
    const https = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        url,
        { method, headers, signal, agent: https ? this.agents.https : this.agents.http, lookup: this.policy.lookupFor(url) },
        (res: IncomingMessage) => {
          res.on('error', reject);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.resume();
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }

  private vapidHeaders(audience: string): Record<string, string> {
    const now = Date.now();
    const cached = this.vapid.get(audience);
    if (cached && cached.renewAt > now) return cached.headers;
    const { publicKey, privateKey, subject } = this.queue.config;
    // Valid for 12 hours (push services accept up to 24), renewed an hour before it ends.
    const expiresAt = Math.floor(now / 1000) + VAPID_VALIDITY_SECONDS;
    const headers: Record<string, string> = webpush.getVapidHeaders(audience, subject, publicKey, privateKey, 'aes128gcm', expiresAt);
    if (this.vapid.size > 1000) this.vapid.clear();
    this.vapid.set(audience, { headers, renewAt: now + (VAPID_VALIDITY_SECONDS - 3600) * 1000 });
    return headers;
  }

  /**
   * `topic` names the message or conversation: a newer push (or a retry of one whose answer was
   * lost) replaces the copy the push service still holds for an offline device instead of both
   * being shown. `urgency` lets the device wake for urgent ones only.
   */
  async send(
    subscription: DeviceSubscription,
    payload: string,
    topic: string,
    signal: AbortSignal,
    urgency: 'high' | 'normal' | 'low' = 'normal',
  ): Promise<SendOutcome> {
    const { ttlSeconds, sendTimeoutMs } = this.queue.config;
    const refusal = this.policy.problemWith(subscription.endpoint, 'sending');
    if (refusal) return { result: 'refused', reason: refusal };
    let request: webpush.RequestDetails;
    let vapid: Record<string, string>;
    try {
      request = webpush.generateRequestDetails(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        payload,
        { TTL: ttlSeconds, contentEncoding: 'aes128gcm', topic, urgency },
      );
      vapid = this.vapidHeaders(new URL(subscription.endpoint).origin);
    } catch (error) {
      // Keys the push service gave but that do not make a valid subscription.
      return { result: 'failed', reason: `cannot encrypt for this subscription: ${(error as Error).message}` };
    }
    const headers = Object.fromEntries([
      ...Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      ...Object.entries(vapid),
    ]);
    const timeout = AbortSignal.timeout(sendTimeoutMs);
    let status: number;
    try {
      status = await this.post(new URL(request.endpoint), request.method, headers, request.body, AbortSignal.any([signal, timeout]));
    } catch (error) {
      if (error instanceof RefusedPushAddress || (error as { code?: string }).code === 'EPUSHREFUSED') return { result: 'refused', reason: (error as Error).message };
      const reason = timeout.aborted
        ? `no answer within ${sendTimeoutMs} ms`
        : signal.aborted
          ? String((signal.reason as Error)?.message ?? signal.reason)
          : (error as Error).message;
      return { result: 'failed', reason };
    }
    if (status >= 200 && status < 300) return { result: 'delivered' };
    if (status === 404 || status === 410) return { result: 'gone', status };
    return { result: 'failed', reason: `push service answered ${status}` };
  }
}
