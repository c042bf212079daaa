import { QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { setUnauthorizedHandler, tokenStore } from './api';
import { ErrorNote, Spinner } from './components/common';
import { NotificationPrompt } from './components/NotificationPrompt';
import { TopBar } from './components/TopBar';
import { UrgentBanner } from './components/UrgentBanner';
import { handOverSession } from './notifications';
import { queryClient } from './query';
import { match, navigate, usePath } from './router';
import { AccountScreen } from './screens/Account';
import { AdminScreen, adminTitleOf } from './screens/admin/AdminScreen';
import { ChatScreen } from './screens/Chat';
import { ComposeScreen } from './screens/Compose';
import { DispatchConsole } from './screens/dispatch/DispatchConsole';
import { MassTextOverviewScreen } from './screens/dispatch/MassTextOverview';
import { OfficerTasksScreen } from './screens/officer/OfficerTasks';
import { LoginScreen } from './screens/Login';
import { MailboxScreen } from './screens/Mailbox';
import { MessageScreen } from './screens/Message';
import { SearchScreen } from './screens/Search';
import { SessionProvider, useSession } from './session';

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SignedInApp />
    </QueryClientProvider>
  );
}

function SignedInApp() {
  const [token, setToken] = useState(() => tokenStore.get());
  const logout = useCallback(() => {
    // Nothing read as one person may show to the next.
    queryClient.clear();
    tokenStore.clear();
    setToken(null);
    navigate('/login', { replace: true });
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
        onLoggedIn={(t) => {
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
              <button onClick={logout}>Back to login</button>
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
  useEffect(() => {
    document.title = `${titleOf(path)} · ${session.department.name}`;
  }, [path, session.department.name]);
  useFocusOnNavigation(path, main);
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
      <UrgentBanner />
      <NotificationPrompt />
      {!session.messagesEnabled && (
        <div className="banner" role="status">
          The messages module is switched off for {session.department.name}.{session.me.isAdmin ? ' Switch it on from Admin.' : ''}
        </div>
      )}
      <main className="content" id="main-content" tabIndex={-1} ref={main}>
        <Screen path={path} />
      </main>
    </div>
  );
}

function Screen({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/inbox' || path === '/') return <MailboxScreen box="inbox" />;
  if (path === '/outbox') return <MailboxScreen box="outbox" />;
  if (path === '/compose') return <ComposeScreen />;
  if ((m = match('/messages/:id', path))) return <MessageScreen key={m.id} id={Number(m.id)} />;
  if (path === '/chat') return <ChatScreen />;
  if ((m = match('/chat/:id', path))) return <ChatScreen conversationId={Number(m.id)} />;
  if (path === '/dispatches') return <DispatchConsole />;
  // Dispatches are addressed by their number, as people call them.
  if (path.startsWith('/dispatches/')) return <DispatchConsole number={decodeURIComponent(path.slice('/dispatches/'.length))} />;
  if (path === '/my-tasks') return <OfficerTasksScreen />;
  if ((m = match('/chat/mass-texts/:id', path))) return <MassTextOverviewScreen key={m.id} id={Number(m.id)} />;
  if (path === '/admin' || path.startsWith('/admin/')) return <AdminScreen path={path} />;
  if (path === '/account') return <AccountScreen />;
  if (path === '/search') return <SearchScreen />;
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no screen at {path}.</p>
    </section>
  );
}
