import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { setUnauthorizedHandler, tokenStore } from './api';
import { ErrorNote, Spinner } from './components/common';
import { NotificationPrompt } from './components/NotificationPrompt';
import { TopBar } from './components/TopBar';
import { UrgentBanner } from './components/UrgentBanner';
import { handOverSession } from './notifications';
import { Outlet } from 'react-router';
import { useOffline, useOutboxFlush } from './outbox';
import { queryClient, useLiveInvalidation } from './queries';
import { Link, match, navigate, usePath } from './router';
import { adminTitleOf } from './screens/admin/AdminScreen';
import { LoginScreen } from './screens/Login';
import { SessionProvider, useSession } from './session';
import { MessagesPermission } from '../../src/messages/messages.permissions';
import { useChatUnread, useUnreadTop } from './unread';

export function App() {
  const [token, setToken] = useState(() => tokenStore.get());
  /** Why the last session ended by itself, said on the login screen; null after a sign-out of one's own. */
  const [ended, setEnded] = useState<string | null>(null);
  const logout = useCallback((reason?: string) => {
    setEnded(reason ?? null);
    tokenStore.clear();
    // Nothing read for one user may show to the next.
    queryClient.clear();
    setToken(null);
    // A session that ended by itself leaves the address alone, so signing in again returns to the same screen (and its draft).
    if (!reason) navigate('/login', { replace: true });
  }, []);
  const replaceToken = useCallback((t: string) => {
    tokenStore.set(t);
    setToken(t);
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(logout);
  }, [logout]);
  // The service worker acknowledges from a notification's button as the signed-in user.
  useEffect(() => {
    void handOverSession(token).catch(() => undefined);
  }, [token]);

  if (!token) {
    return (
      <LoginScreen
        notice={ended && `Your session ended. ${ended}`}
        onLoggedIn={(t) => {
          setEnded(null);
          tokenStore.set(t);
          setToken(t);
          if (location.pathname === '/login' || location.pathname === '/') navigate('/inbox', { replace: true });
        }}
      />
    );
  }
  return (
    <SessionProvider
      key={token}
      token={token}
      onLogout={logout}
      onToken={replaceToken}
      fallback={(error) => (
        <main className="centered">
          {error ? (
            <>
              <ErrorNote error={error} />
              <button onClick={() => logout()}>Back to login</button>
            </>
          ) : (
            <Spinner />
          )}
        </main>
      )}
    >
      <Shell />
    </SessionProvider>
  );
}

/** The screens that are the messages module's own: with the module off, they have nothing to show. */
const MESSAGES_SCREENS = /^\/(inbox|outbox|compose|messages|chat|search)?(\/|$)/;

/** In place of a mail or chat screen while the module is off, so an open page does not sit on failed reads. */
function MessagesSwitchedOff() {
  const { department, me } = useSession();
  return (
    <section aria-labelledby="module-off-title">
      <h1 id="module-off-title">Mail and chat are switched off</h1>
      <p>
        An administrator of {department.name} has turned off department mail and conversations. Nothing is lost: this screen comes back as it was
        once they are on again.
      </p>
      {me.isAdmin && (
        <p>
          <Link to="/admin">Open Admin to switch them on</Link>
        </p>
      )}
    </section>
  );
}

/** What the page title calls each screen. */
function titleOf(path: string): string {
  if (path === '/inbox' || path === '/') return 'Inbox';
  if (path === '/outbox') return 'Sent';
  if (path === '/compose') return 'New message';
  if (match('/messages/:id', path)) return 'Message';
  if (path === '/chat' || match('/chat/:id', path)) return 'Chat';
  if (path === '/dispatches') return 'Dispatches';
  if (path.startsWith('/dispatches/')) return `Dispatch ${decodeURIComponent(path.slice('/dispatches/'.length))}`;
  if (path === '/my-tasks') return 'My tasks';
  if (match('/chat/mass-texts/:id', path)) return 'Mass text';
  if (path === '/admin' || path.startsWith('/admin/')) return adminTitleOf(path);
  if (path === '/account') return 'Your account';
  return 'Not found';
}

/**
 * After a navigation, the new screen's heading takes the focus (once it is there), so a screen
 * reader announces where the user is and Tab starts from the top of the screen. A screen that
 * moved the focus itself keeps it: only a focus still on the link that navigated, or on nothing,
 * is moved.
 */
function useFocusOnNavigation(path: string, main: RefObject<HTMLElement | null>) {
  const shown = useRef<string | null>(null);
  const trigger = useRef<Element | null>(null);
  // Read while rendering the new screen, before any of its effects can move the focus.
  if (shown.current !== null && shown.current !== path) trigger.current = document.activeElement;
  useEffect(() => {
    // The first screen keeps the page's own start; a screen shown already (an effect run again) is left alone.
    const first = shown.current === null;
    if (shown.current === path) return;
    shown.current = path;
    if (first) return;
    let frames = 0;
    let handle = 0;
    const focusHeading = () => {
      const root = main.current;
      const focused = document.activeElement;
      if (!root || !(focused === null || focused === document.body || focused === root || focused === trigger.current)) return;
      const heading = root.querySelector<HTMLElement>('h1');
      if (heading) {
        if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
        heading.focus();
      } else if (++frames < 60) handle = requestAnimationFrame(focusHeading);
    };
    handle = requestAnimationFrame(focusHeading);
    return () => cancelAnimationFrame(handle);
  }, [path, main]);
}

function Shell() {
  const path = usePath();
  const session = useSession();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    if (path === '/' || path === '/login') navigate('/inbox', { replace: true });
  }, [path]);
  const mail = useUnreadTop(session.realtime, session.messagesEnabled);
  const chat = useChatUnread(session.me.id, session.messagesEnabled && session.can(MessagesPermission.View));
  // What waits for the member shows in the tab's title, so a tab in the background still tells.
  const waiting = (mail.count ?? 0) + (chat ? chat.messages + chat.invitations : 0);
  useEffect(() => {
    document.title = `${waiting > 0 ? `(${waiting}) ` : ''}${titleOf(path)} · ${session.department.name}`;
  }, [path, session.department.name, waiting]);
  useFocusOnNavigation(path, main);
  useLiveInvalidation(session.realtime);
  useOutboxFlush(session.me.id, session.realtime);
  const offline = useOffline();
  return (
    <div className="shell">
      <a className="skip-link" href="#main-content" onClick={(e) => {
        e.preventDefault();
        main.current?.focus();
      }}>
        Skip to content
      </a>
      <TopBar />
      {session.accessNotice && (
        <div className="banner" role="status">
          {session.accessNotice}
        </div>
      )}
      {offline && (
        <div className="banner offline-banner" role="status">
          You are offline. Chat messages you write wait on this device and go when the connection is back.
        </div>
      )}
      <UrgentBanner />
      <NotificationPrompt />
      {!session.messagesEnabled && (
        <div className="banner" role="status">
          The messages module is switched off for {session.department.name}.{session.me.isAdmin ? ' Switch it on from Admin.' : ''}
        </div>
      )}
      <main className="content" id="main-content" tabIndex={-1} ref={main}>
        {!session.messagesEnabled && MESSAGES_SCREENS.test(path) ? <MessagesSwitchedOff /> : <Outlet />}
      </main>
    </div>
  );
}
