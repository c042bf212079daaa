import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { SqlPool } from '../database/sql-pool';
import { DeliveryRecorder } from '../urgent/delivery-recorder';
import type { OfflineNotification } from './offline-notifier';
import { pushTopic } from './push-payload';
import { PushSender } from './push-sender';
import { PushRepository } from './push.repository';
import { PUSH_DEVICE_QUEUE, PUSH_EVENT_QUEUE, PushQueue, type PushDeviceJob, type PushEventJob } from './push-queue';

const DEVICE_WORKERS = 2;
const DEVICE_BATCH = 25;
const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
const EVENT_RETENTION_DAYS = 30;

/**
 * The two workers of push delivery. An event job records one pending delivery per device of its
 * offline members and queues one device job for each, in one transaction; repeating it queues
 * nothing twice. A device job sends one push unless its delivery is already sent, so a retried job
 * never notifies a device twice.
 */
@Injectable()
export class PushDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PushDelivery');
  private cleanup?: NodeJS.Timeout;

  constructor(
    private readonly queue: PushQueue,
    private readonly sql: SqlPool,
    private readonly push: PushRepository,
    private readonly sender: PushSender,
    private readonly record: DeliveryRecorder,
  ) {}

  async onApplicationBootstrap() {
    if (!this.queue.enabled || !this.queue.config.workers) return;
    await this.queue.work<PushEventJob>(PUSH_EVENT_QUEUE, 4, (job) => this.fanOut(job.data.eventId));
    // Sends wait on the network, not the CPU: several loops keep many of them in flight.
    for (let i = 0; i < DEVICE_WORKERS; i++) {
      await this.queue.work<PushDeviceJob>(PUSH_DEVICE_QUEUE, DEVICE_BATCH, (job, signal) => this.deliver(job, signal));
    }
    this.cleanup = setInterval(() => void this.forgetOldEvents(), CLEANUP_INTERVAL_MS);
    this.cleanup.unref();
  }

  beforeApplicationShutdown() {
    clearInterval(this.cleanup);
  }

  /** Events (and their delivery records) outlive every retry by far, then go. */
  async forgetOldEvents(): Promise<void> {
    await this.push
      .forgetOldEvents(EVENT_RETENTION_DAYS)
      .catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
  }

  /** One device job per subscription of the event's members, set-based. */
  async fanOut(eventId: number): Promise<void> {
    const queued = await this.sql.transaction(async (client) => {
      const subscriptionIds = await this.push.fanOut(client, eventId);
      await this.queue.insertMany(
        client,
        PUSH_DEVICE_QUEUE,
        subscriptionIds.map((subscriptionId) => ({ eventId, subscriptionId }) satisfies PushDeviceJob),
      );
      return subscriptionIds.length;
    });
    if (queued > 0) this.queue.wake(PUSH_DEVICE_QUEUE);
  }

  async deliver(job: PgBoss.JobWithMetadata<PushDeviceJob>, signal: AbortSignal): Promise<void> {
    const { eventId, subscriptionId } = job.data;
    const target = await this.push.target(eventId, subscriptionId);
    // Unsubscribed since, or already delivered by an earlier attempt.
    if (!target || target.status === 'sent') return;

    const payload = target.payload as OfflineNotification;
    const topic = pushTopic(payload) ?? `event-${eventId}`;
    const outcome = await this.sender.send(target, JSON.stringify(payload), topic, signal, payload.urgent ? 'high' : 'normal');
    switch (outcome.result) {
      case 'delivered':
        await this.push.markSent(eventId, subscriptionId);
        await this.record.pushAccepted(eventId, subscriptionId, payload);
        return;
      case 'gone':
        // The push service says the device unsubscribed: forget it (its deliveries go with it).
        await this.push.forgetSubscription(subscriptionId);
        this.logger.log(`subscription ${subscriptionId} removed: the push service answered ${outcome.status}`);
        return;
      case 'refused':
        // The endpoint points where pushes may not go: kept as failed at once, never retried.
        await this.push.markRefused(eventId, subscriptionId, outcome.reason);
        this.logger.warn(`push to subscription ${subscriptionId} refused: ${outcome.reason}`);
        return;
      case 'failed': {
        const last = PushQueue.isLastAttempt(job);
        await this.push.markFailed(eventId, subscriptionId, outcome.reason, last);
        throw new Error(`push to subscription ${subscriptionId} failed: ${outcome.reason}`);
      }
    }
  }
}
