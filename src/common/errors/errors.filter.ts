import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { DomainError, type DomainErrorCode } from './domain-error';

const statusOf = (code: DomainErrorCode): number => {
  switch (code) {
    case 'invalid':
      return HttpStatus.BAD_REQUEST;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'unprocessable':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
};

const reasonOf = (status: number) =>
  (HttpStatus[status] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');

/**
 * pg/Node codes of a database that cannot be reached, is going away or is too slow to answer
 * (SQLSTATE classes 08 and 57P, 53300 too many connections, and the bounded waits: 57014 a
 * statement cancelled by `statement_timeout`, 55P03 `lock_timeout`, 25P03 an idle transaction ended).
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  '57014',
  '55P03',
  '25P03',
]);
/** What `pg` and knex say, without a code, about a connection that broke, never came, or whose server stopped answering. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|not queryable|timeout exceeded when trying to connect|Knex: Timeout acquiring|Query read timeout|timeout expired/i;

/** Connection-level failures from `pg` (refused, reset, terminated by an administrator), also when wrapped. */
export const isDatabaseUnavailable = (error: unknown, depth = 0): boolean => {
  if (error instanceof ConnectionException) return true;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return depth < 3 && e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1);
};

/** Turns anything thrown into Nest's error shape, `{ statusCode, message, error }`. */
export function toHttpError(exception: unknown): { statusCode: number; message: string; error: string } {
  if (exception instanceof DomainError) {
    const statusCode = statusOf(exception.code);
    return { statusCode, message: exception.message, error: reasonOf(statusCode) };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const body = exception.getResponse();
    const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
    return { statusCode, message, error: reasonOf(statusCode) };
  }
  if (exception instanceof UniqueConstraintViolationException) {
    return { statusCode: 409, message: 'That already exists', error: 'Conflict' };
  }
  if (isDatabaseUnavailable(exception)) {
    return { statusCode: 503, message: 'The database is unavailable; try again shortly', error: 'Service Unavailable' };
  }
  // Errors raised by Fastify itself (malformed JSON, body too large, bad content type).
  const fastifyStatus = (exception as { statusCode?: number } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return { statusCode: fastifyStatus, message: (exception as Error).message, error: reasonOf(fastifyStatus) };
  }
  return { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' };
}

@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost) {
    const body = toHttpError(exception);
    // While the database is away every request fails the same way: one line each, not a stack.
    if (body.statusCode === 503) this.logger.warn(`${body.message}: ${exception instanceof Error ? exception.message : String(exception)}`);
    else if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse();
    if (body.statusCode === 503) reply.header('Retry-After', '5');
    reply.status(body.statusCode).send(body);
  }
}
