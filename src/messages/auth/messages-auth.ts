import { Authenticator } from '../../common/access';

/**
 * What the module needs of the host's auth: an `Authenticator` (shared kernel, `common/access`)
 * that turns a token into the caller and announces changes to who someone is. The module's own
 * providers take it through this token, which refuses to start without one.
 */
export const MESSAGES_AUTHENTICATOR = Symbol('MESSAGES_AUTHENTICATOR');

export { Authenticator };

/** The host's authenticator, or the reason the module cannot start. */
export function requireAuthenticator(authenticator: Authenticator | undefined | null): Authenticator {
  if (authenticator) return authenticator;
  throw new Error(
    'MessagesModule needs the host\'s Authenticator (from common/access): provide it globally, or export it from a module listed in ' +
      'MessagesModule.forRootAsync({ imports }). Without one no route or socket could tell who is calling.',
  );
}
