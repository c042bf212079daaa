import { Injectable } from '@nestjs/common';
import webpush from 'web-push';
import { PushQueue } from './push-queue';

export interface DeviceSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

const VAPID_VALIDITY_SECONDS = 12 * 3600;

/** How one push request ended. `gone`: the push service no longer knows the subscription. */
export type SendOutcome = { result: 'delivered' } | { result: 'gone'; status: number } | { result: 'failed'; reason: string };

/**
 * One encrypted Web Push request (RFC 8291 payload, VAPID authorization), sent with `fetch` so
 * that the timeout and the retries stay ours.
 */
@Injectable()
export class PushSender {
  /** Signed VAPID headers per push service origin: signing costs as much as encrypting, so it is done twice a day, not per push. */
  private readonly vapid = new Map<string, { headers: Record<string, string>; renewAt: number }>();

  constructor(private readonly queue: PushQueue) {}

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
    // fetch sets the length of the body itself.
    const headers = Object.fromEntries([
      ...Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-length').map(([name, value]) => [name, String(value)]),
      ...Object.entries(vapid),
    ]);
    let response: Response;
    try {
      response = await fetch(request.endpoint, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(sendTimeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const e = error as Error;
      const reason = e.name === 'TimeoutError' ? `no answer within ${sendTimeoutMs} ms` : e.message;
      return { result: 'failed', reason };
    }
    if (response.status >= 200 && response.status < 300) return { result: 'delivered' };
    if (response.status === 404 || response.status === 410) return { result: 'gone', status: response.status };
    return { result: 'failed', reason: `push service answered ${response.status}` };
  }
}
