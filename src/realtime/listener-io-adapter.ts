import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { filter, type Observable } from 'rxjs';

/** A socket as the adapter's own socket.io hands it over. */
type AdapterSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];

/** What a gateway handler may answer: an event to emit back, or the acknowledgement's value. */
type HandlerResponse = { event?: string; data?: unknown } | null | undefined;

/**
 * Nest's socket.io adapter, with each gateway handler bound to a socket by one plain listener.
 * Nest's own keeps a chain of stream subscriptions per handler for every socket's lifetime
 * (with the messages gateway's seven handlers, about 30 of the 50 KB each open socket cost the
 * server); here the chain is made per event, as it arrives, and is gone once it has answered.
 * Handlers see the same data and acknowledgement, and answer the same way.
 */
export class ListenerIoAdapter extends IoAdapter {
  override bindMessageHandlers(socket: AdapterSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // As rxjs' fromEvent hands them on: one argument as it is, several as an array.
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        transform(callback(data, ack))
          .pipe(filter((response) => response !== null && response !== undefined))
          .subscribe((response) => {
            const answer = response as NonNullable<HandlerResponse>;
            if (answer.event) return void socket.emit(answer.event, answer.data);
            if (!isAckHandledManually && typeof ack === 'function') ack(response);
          });
      });
    }
  }
}
