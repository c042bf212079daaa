import type { ResponseCode } from '../realtime/socket-events';

/** A recipient answered a callback or poll; the sender's screens show the tally as it moves. */
export class MessageResponded {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly payload: { messageId: number; userId: number; response: ResponseCode; respondedAt: string },
  ) {}
}
