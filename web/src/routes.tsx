import { createBrowserRouter, useParams, type RouteObject } from 'react-router';
import { App } from './App';
import { bindRouter, usePath } from './router';
import { AccountScreen } from './screens/Account';
import { AdminScreen } from './screens/admin/AdminScreen';
import { ChatScreen } from './screens/Chat';
import { ComposeScreen } from './screens/Compose';
import { DispatchConsole } from './screens/dispatch/DispatchConsole';
import { MassTextOverviewScreen } from './screens/dispatch/MassTextOverview';
import { MailboxScreen } from './screens/Mailbox';
import { MessageScreen } from './screens/Message';
import { OfficerTasksScreen } from './screens/officer/OfficerTasks';
import { SearchScreen } from './screens/Search';

/** The `:id` of the current route as a number; null when it is not one (the URL is then not a screen). */
function useNumericParam(name = 'id'): number | null | undefined {
  const value = useParams()[name];
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : null;
}

export function NotFound() {
  const path = usePath();
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no screen at {path}.</p>
    </section>
  );
}

function MessageRoute() {
  const id = useNumericParam();
  return id ? <MessageScreen key={id} id={id} /> : <NotFound />;
}

function ChatRoute() {
  const id = useNumericParam();
  // One route for the list and an open conversation, so opening one keeps the screen mounted.
  if (id === null) return <NotFound />;
  return <ChatScreen conversationId={id} />;
}

/** Dispatches are addressed by their number, as people call them. */
function DispatchRoute() {
  const number = useParams().number;
  return <DispatchConsole number={number} />;
}

function MassTextRoute() {
  const id = useNumericParam();
  return id ? <MassTextOverviewScreen key={id} id={id} /> : <NotFound />;
}

function AdminRoute() {
  return <AdminScreen path={usePath()} />;
}

/** Every screen's URL; the signed-in shell (App) draws the frame around them. */
export const screens: RouteObject[] = [
  // `/` and `/login` lead to the inbox once signed in (the shell redirects).
  { index: true, element: null },
  { path: 'login', element: null },
  { path: 'inbox', element: <MailboxScreen box="inbox" /> },
  { path: 'outbox', element: <MailboxScreen box="outbox" /> },
  { path: 'compose', element: <ComposeScreen /> },
  { path: 'messages/:id', element: <MessageRoute /> },
  { path: 'chat/:id?', element: <ChatRoute /> },
  { path: 'chat/mass-texts/:id', element: <MassTextRoute /> },
  { path: 'dispatches', element: <DispatchConsole /> },
  { path: 'dispatches/:number', element: <DispatchRoute /> },
  { path: 'my-tasks', element: <OfficerTasksScreen /> },
  { path: 'admin/*', element: <AdminRoute /> },
  { path: 'account', element: <AccountScreen /> },
  { path: 'search', element: <SearchScreen /> },
  { path: '*', element: <NotFound /> },
];

export function createAppRouter() {
  const router = createBrowserRouter([{ path: '/', element: <App />, children: screens }]);
  bindRouter(router);
  return router;
}
