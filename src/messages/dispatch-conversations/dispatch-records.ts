import { Injectable } from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';

/** The messages module's view of one dispatch, built from the host's dispatch events. */
export interface DispatchRecord {
  departmentId: number;
  dispatchId: number;
  number: string;
  zoneId: number;
  dispatcherId: number;
  status: 'open' | 'closed';
  /** false when the department had the messages module off as the dispatch was created. */
  withConversation: boolean;
  conversationId: number | null;
  closedAt: string | null;
}

const COLUMNS = `department_id as "departmentId", dispatch_id as "dispatchId", number, zone_id as "zoneId",
  dispatcher_id as "dispatcherId", status, with_conversation as "withConversation", conversation_id as "conversationId",
  closed_at as "closedAt"`;

/** Every statement of the dispatch record, written once; the snapshot test keeps their text. */
export const DISPATCH_RECORD_SQL = {
  find: `select ${COLUMNS}, coalesce($3::uuid = any(applied_event_ids), false) as applied
         from dispatch_conversations where department_id = $1 and dispatch_id = $2`,
  create: `insert into dispatch_conversations (department_id, dispatch_id, number, zone_id, dispatcher_id, with_conversation)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (department_id, dispatch_id) do nothing`,
  applied: `update dispatch_conversations
          set applied_event_ids = array_append(applied_event_ids, $3::uuid),
              conversation_id = coalesce($4::int, conversation_id),
              status = case when $5::timestamptz is null then status else 'closed' end,
              closed_at = coalesce(closed_at, $5::timestamptz)
        where department_id = $1 and dispatch_id = $2 and not ($3::uuid = any(applied_event_ids))`,
};

type Row = Omit<DispatchRecord, 'closedAt'> & { closedAt: Date | null };
const toRecord = ({ closedAt, ...rest }: Row): DispatchRecord => ({ ...rest, closedAt: closedAt?.toISOString() ?? null });

/** The SQL of the `dispatch_conversations` table: the one place it is written. */
@Injectable()
export class DispatchRecords {
  constructor(private readonly sql: SqlPool) {}

  /** The dispatch as recorded, and whether `eventId` was already applied to it. */
  async find(departmentId: number, dispatchId: number, eventId: string | null = null): Promise<(DispatchRecord & { applied: boolean }) | null> {
    const [row] = await this.sql.query<Row & { applied: boolean }>(DISPATCH_RECORD_SQL.find, [departmentId, dispatchId, eventId]);
    return row ? { ...toRecord(row), applied: row.applied } : null;
  }

  /** Records a new dispatch; a repeat keeps the first record (and its decision on a conversation). */
  async create(
    record: Pick<DispatchRecord, 'departmentId' | 'dispatchId' | 'number' | 'zoneId' | 'dispatcherId' | 'withConversation'>,
  ): Promise<DispatchRecord & { applied: boolean }> {
    await this.sql.query(DISPATCH_RECORD_SQL.create, [
      record.departmentId,
      record.dispatchId,
      record.number,
      record.zoneId,
      record.dispatcherId,
      record.withConversation,
    ]);
    return (await this.find(record.departmentId, record.dispatchId))!;
  }

  /**
   * Marks the event applied, with what it changed, in one statement: the reaction before it is
   * idempotent, so a failure between the two only repeats a reaction that changes nothing.
   */
  async applied(
    departmentId: number,
    dispatchId: number,
    eventId: string,
    changes: { conversationId?: number | null; closedAt?: string } = {},
  ): Promise<void> {
    await this.sql.query(DISPATCH_RECORD_SQL.applied, [departmentId, dispatchId, eventId, changes.conversationId ?? null, changes.closedAt ?? null]);
  }
}
