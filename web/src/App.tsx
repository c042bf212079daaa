import { useCallback, useEffect, useState } from 'react';
import { setUnauthorizedHandler, tokenStore } from './api';
import { ErrorNote, Spinner } from './components/common';
import { NotificationPrompt } from './components/NotificationPrompt';
import { TopBar } from './components/TopBar';
import { UrgentBanner } from './components/UrgentBanner';
import { handOverSession } from './notifications';
import { match, navigate, usePath } from './router';
import { AccountScreen } from './screens/Account';
import { AdminScreen } from './screens/Admin';
import { ChatScreen } from './screens/Chat';
import { ComposeScreen } from './screens/Compose';
import { DispatchesScreen, DispatchScreen } from './screens/Dispatches';
import { LoginScreen } from './screens/Login';
import { MailboxScreen } from './screens/Mailbox';
import { MessageScreen } from './screens/Message';
import { SearchScreen } from './screens/Search';
import { SessionProvider, useSession } from './session';

export function App() {
  const [token, setToken] = useState(() => tokenStore.get());
  const logout = useCallback(() => {
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

function Shell() {
  const path = usePath();
  const session = useSession();
  useEffect(() => {
    if (path === '/' || path === '/login') navigate('/inbox', { replace: true });
  }, [path]);
  return (
    <div className="shell">
      <TopBar />
      <UrgentBanner />
      <NotificationPrompt />
      {!session.messagesEnabled && (
        <div className="banner" role="status">
          The messages module is switched off for {session.department.name}.{session.me.isAdmin ? ' Switch it on from Admin.' : ''}
        </div>
      )}
      <main className="content">
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
  if (path === '/dispatches') return <DispatchesScreen />;
  if ((m = match('/dispatches/:id', path))) return <DispatchScreen key={m.id} id={Number(m.id)} />;
  if (path === '/admin') return <AdminScreen />;
  if (path === '/account') return <AccountScreen />;
  if (path === '/search') return <SearchScreen />;
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no screen at {path}.</p>
    </section>
  );
}
