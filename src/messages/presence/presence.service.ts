import { Injectable } from '@nestjs/common';

/**
 * Who has a live socket. The gateway reports connects and disconnects here; push delivery asks
 * it who is offline. (Placeholder until presence is shared across processes.)
 */
@Injectable()
export class PresenceService {
  async connected(_userId: number, _socketId: string): Promise<void> {}
  async disconnected(_userId: number, _socketId: string): Promise<void> {}
}
