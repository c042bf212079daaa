import type { DispatchEvent } from './dispatch.events';

/**
 * Reacts to the dispatch module's events. Extend it and list the class as a provider in any
 * module: the host finds every such provider at start (`DispatchEventSubscribers`), so the
 * subscriber's module never imports the dispatch module, nor the dispatch module it.
 *
 * Contract for `handle`:
 * - Called after the dispatch change committed, for every event of every department.
 * - Resolve when the reaction is durable; reject (throw) to have the event delivered to this
 *   subscriber again later, with backoff. The dispatch itself is never rolled back.
 * - At least once: the same event can arrive again (a retry after a failure, a process that
 *   stopped between the reaction and its bookkeeping). Make the reaction idempotent, keyed by
 *   `event.eventId` (e.g. a unique column written in the same transaction as the reaction).
 * - In order: the next event of the same dispatch is not delivered to any subscriber until
 *   this one has been handled by all of them.
 * - Bounded: a call that takes longer than the relay's timeout counts as a failure.
 */
export abstract class DispatchEventSubscriber {
  /**
   * Names this subscriber in the outbox's bookkeeping and in logs; stable across releases,
   * unique among subscribers. Defaults to the class name.
   */
  get subscriberName(): string {
    return this.constructor.name;
  }

  abstract handle(event: DispatchEvent): Promise<void>;
}
