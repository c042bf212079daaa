import { Transform } from 'class-transformer';
import { isWellFormed } from './raw-input';

/**
 * The one form an email is compared in, for login, limits and uniqueness alike: Unicode NFKC
 * (so look-alike compatibility characters are the same letters), then lower case, as JavaScript
 * does it. PostgreSQL's lower() depends on the database's locale, so the comparison never leaves
 * it to the database: emails are stored in this form and compared as they are.
 */
export const normalizeEmail = (email: string): string => email.normalize('NFKC').toLowerCase();

/** A body field holding an email: normalized before it is validated and used. */
export const NormalizedEmail = () => Transform(({ value }) => (typeof value === 'string' && isWellFormed(value) ? normalizeEmail(value) : value));
