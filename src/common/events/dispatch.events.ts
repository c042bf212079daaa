/**
 * Integration events of the host's dispatch module: what a dispatch went through, as other
 * modules (the messages plugin) see it. They travel as JSON through a durable outbox, so they
 * are plain data: no classes, no Dates (timestamps are ISO strings).
 *
 * Delivery is at least once: after a failure or a crash an event can reach a subscriber again.
 * `eventId` is unique per event and stable across redeliveries; key idempotency on it.
 * Events of one dispatch reach every subscriber in the order they happened.
 */
interface DispatchEventBase {
  /** Unique per event (a UUID); the same on every redelivery. */
  readonly eventId: string;
  readonly departmentId: number;
  readonly dispatchId: number;
  /** When the change was committed, ISO 8601. */
  readonly occurredAt: string;
}

/** A dispatch was opened; `dispatcherId` is the member who created it. */
export interface DispatchCreated extends DispatchEventBase {
  readonly type: 'DispatchCreated';
  /** The department's number for it, e.g. "F26-0412", unique in the department. */
  readonly number: string;
  readonly title: string;
  /** The operational zone of the dispatch (a zone member set of the department). */
  readonly zoneId: number;
  readonly dispatcherId: number;
}

/** An officer was given a task on the dispatch. An officer may hold several tasks on one dispatch. */
export interface TaskAssigned extends DispatchEventBase {
  readonly type: 'TaskAssigned';
  readonly taskId: number;
  readonly officerId: number;
  readonly description: string;
  /** The member who assigned it. */
  readonly assignedBy: number;
}

/** A task was cleared, by a member or because its dispatch closed. */
export interface TaskCleared extends DispatchEventBase {
  readonly type: 'TaskCleared';
  readonly taskId: number;
  readonly officerId: number;
  /** Whether the officer still holds another uncleared task on the same dispatch. */
  readonly officerHasOpenTasks: boolean;
  /** The member who cleared it (for a close, the member who closed the dispatch). */
  readonly clearedBy: number;
}

/** The dispatch was closed. Its open tasks were cleared first, each with its own `TaskCleared`. */
export interface DispatchClosed extends DispatchEventBase {
  readonly type: 'DispatchClosed';
  readonly number: string;
  readonly closedBy: number;
}

export type DispatchEvent = DispatchCreated | TaskAssigned | TaskCleared | DispatchClosed;
export type DispatchEventType = DispatchEvent['type'];

export const DISPATCH_EVENT_TYPES: readonly DispatchEventType[] = ['DispatchCreated', 'TaskAssigned', 'TaskCleared', 'DispatchClosed'];
