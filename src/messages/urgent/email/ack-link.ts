import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../../messages.options';

/** Whom a valid link acknowledges for. */
export interface AckLinkHolder {
  departmentId: number;
  userId: number;
}

/**
 * The emailed acknowledgement link: a token for one recipient and one message, signed
 * (HMAC-SHA256) and expiring, so the link alone authorises exactly that acknowledgement.
 */
@Injectable()
export class AckLinks {
  private readonly secret?: string;
  private readonly validitySeconds: number;
  private readonly publicUrl: string;

  constructor(@Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions) {
    this.secret = options.urgent?.linkSecret;
    this.validitySeconds = (options.urgent?.linkValidityHours ?? 72) * 3600;
    this.publicUrl = options.urgent?.publicUrl ?? 'http://localhost:3000';
  }

  get enabled(): boolean {
    return !!this.secret;
  }

  private sign(messageId: number, departmentId: number, userId: number, expires: number): string {
    return createHmac('sha256', this.secret!).update(`ack:${messageId}:${departmentId}:${userId}:${expires}`).digest('base64url');
  }

  /** The link for `userId` to acknowledge `messageId`. */
  linkFor(messageId: number, departmentId: number, userId: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + this.validitySeconds;
    const token = `${departmentId}.${userId}.${expires}.${this.sign(messageId, departmentId, userId, expires)}`;
    return `${this.publicUrl}/api/messages/${messageId}/ack?token=${token}`;
  }

  /** Who the token speaks for, or 403 saying why it does not. */
  verify(messageId: number, token: string): AckLinkHolder {
    const match = /^(\d{1,10})\.(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!this.secret || !match) throw DomainError.forbidden('This acknowledgement link is not valid');
    const [departmentId, userId, expires] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const expected = Buffer.from(this.sign(messageId, departmentId, userId, expires));
    const given = Buffer.from(match[4]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw DomainError.forbidden('This acknowledgement link is not valid');
    if (expires * 1000 < Date.now()) throw DomainError.forbidden('This acknowledgement link has expired; open the message in the app to acknowledge it');
    return { departmentId, userId };
  }
}
