import { Injectable } from '@nestjs/common';
import webpush from 'web-push';
import { PushQueue } from './push-queue';

export interface DeviceSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** How one push request ended. `gone`: the push service no longer knows the subscription. */
export type SendOutcome = { result: 'delivered' } | { result: 'gone'; status: number } | { result: 'failed'; reason: string };

/**
 * One encrypted Web Push request (RFC 8291 payload, VAPID authorization), sent with `fetch` so
 * that the timeout and the retries stay ours.
 */
@Injectable()
export class PushSender {
  constructor(private readonly queue: PushQueue) {}

  async send(subscription: DeviceSubscription, payload: string, signal: AbortSignal): Promise<SendOutcome> {
    const { publicKey, privateKey, subject, ttlSeconds, sendTimeoutMs } = this.queue.config;
    const request = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      { vapidDetails: { subject, publicKey, privateKey }, TTL: ttlSeconds },
    );
    // fetch sets the length of the body itself.
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-length').map(([name, value]) => [name, String(value)]),
    );
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
