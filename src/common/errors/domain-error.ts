/**
 * The one exception type that commands and queries throw. `DomainErrorFilter` maps each code
 * to its HTTP status in a single exhaustive switch.
 */
export type DomainErrorCode =
  | 'invalid' // 400: the request names something that does not exist or is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404: also "exists, but not yours"
  | 'conflict' // 409
  | 'unprocessable' // 422: well-formed but cannot be carried out
  | 'unavailable'; // 503

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalid = (message: string) => new DomainError('invalid', message);
  static forbidden = (message: string) => new DomainError('forbidden', message);
  static notFound = (message: string) => new DomainError('not_found', message);
  static conflict = (message: string) => new DomainError('conflict', message);
  static unprocessable = (message: string) => new DomainError('unprocessable', message);
}
