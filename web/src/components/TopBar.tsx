import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { Link, navigate, usePath } from '../router';
import { useSession } from '../session';
import { useChatUnread, useUnreadTop, type ChatUnread } from '../unread';
import { formatTime, TypeTag } from './common';
import { MessagesPermission } from '../../../src/messages/messages.permissions';

export function TopBar() {
  const session = useSession();
  const path = usePath();
  const { me, department, messagesEnabled } = session;
  const nav = [
    { to: '/inbox', label: 'Inbox' },
    { to: '/outbox', label: 'Sent' },
    ...(session.can(MessagesPermission.Create) ? [{ to: '/compose', label: 'Compose' }] : []),
    { to: '/chat', label: 'Chat' },
    { to: '/dispatches', label: 'Dispatches' },
    { to: '/my-tasks', label: 'My tasks' },
    { to: '/search', label: 'Search' },
    ...(me.isAdmin ? [{ to: '/admin', label: 'Admin' }] : []),
  ];
  const current = (to: string) => path === to || (to !== '/' && path.startsWith(`${to}/`)) || (to === '/inbox' && path.startsWith('/messages/'));
  const chat = useChatUnread(me.id, messagesEnabled && session.can(MessagesPermission.View));
  const chatCount = chat ? chat.messages + chat.invitations : 0;
  return (
    <header className="topbar">
      <div className="topbar-row">
        <Link to="/inbox" className="brand">
          <span className="brand-mark small" aria-hidden>
            ✉
          </span>
          <span className="brand-name">{department.name}</span>
        </Link>
        <div className="topbar-right">
          {messagesEnabled && <LiveDot />}
          {messagesEnabled && <UnreadMenu />}
          <Link to="/account" className="who" title={`${me.email}: your account`}>
            {me.name}
          </Link>
          <button type="button" className="ghost" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </div>
      <nav aria-label="Main">
        {nav.map((n) => (
          <Link
            key={n.to}
            to={n.to}
            className={current(n.to) ? 'active' : undefined}
            aria-current={current(n.to) ? 'page' : undefined}
            aria-label={n.to === '/chat' && chat && chatCount > 0 ? `Chat, ${describeChatUnread(chat)}` : undefined}
          >
            {n.label}
            {n.to === '/chat' && chatCount > 0 && (
              <span className="badge has-unread tab-badge" data-testid="chat-count" aria-hidden>
                {chatCount}
              </span>
            )}
          </Link>
        ))}
      </nav>
    </header>
  );
}

/** The Chat tab's count in words, for its accessible name. */
export function describeChatUnread(c: ChatUnread): string {
  const parts = [
    ...(c.messages ? [`${c.messages} unread message${c.messages === 1 ? '' : 's'}`] : []),
    ...(c.invitations ? [`${c.invitations} new conversation${c.invitations === 1 ? '' : 's'}`] : []),
  ];
  return parts.join(', ');
}

/** Whether live updates arrive; without them the badge still polls. */
function LiveDot() {
  const { realtime } = useSession();
  const [state, setState] = useState(realtime.state);
  useEffect(() => {
    // A connection made between the render and this subscription would otherwise go unseen.
    setState(realtime.state);
    return realtime.onState(setState);
  }, [realtime]);
  const live = state === 'online';
  const label = live ? 'Live updates on' : state === 'connecting' ? 'Connecting for live updates' : 'Live updates off; checking every 20 seconds';
  return <span className={`live-dot${live ? ' on' : ''}`} role="img" aria-label={label} title={label} />;
}

function UnreadMenu() {
  const { realtime, messagesEnabled } = useSession();
  const { count, items, error } = useUnreadTop(realtime, messagesEnabled);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) {
        setOpen(false);
        if (e instanceof KeyboardEvent) box.current?.querySelector<HTMLElement>('.badge-button')?.focus();
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const menu = useRef<HTMLDivElement>(null);
  // A menu opened from the keyboard starts on its first item; arrows move between items.
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);
  const moveFocus = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  };

  const label = count === null ? 'Unread messages' : `${count} unread message${count === 1 ? '' : 's'}`;
  return (
    <div className="unread" ref={box}>
      <button type="button" className="badge-button" aria-haspopup="true" aria-expanded={open} aria-label={label} title={error ?? label} onClick={() => setOpen(!open)}>
        <svg aria-hidden width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        <span className={`badge${count ? ' has-unread' : ''}`} data-testid="unread-count">
          {count ?? '–'}
        </span>
      </button>
      {open && (
        <div className="dropdown" role="menu" aria-label="Newest unread" ref={menu} onKeyDown={moveFocus}>
          {items.length === 0 && <p className="muted pad">{error ?? 'Nothing unread.'}</p>}
          {items.map((item) => (
            <button
              type="button"
              role="menuitem"
              key={item.id}
              className="dropdown-item"
              onClick={() => {
                setOpen(false);
                navigate(`/messages/${item.id}`);
              }}
            >
              <span className="line">
                <strong>{item.subject}</strong> <TypeTag type={item.type} />
              </span>
              <span className="muted small">
                {item.senderName} · {formatTime(item.createdAt)}
              </span>
            </button>
          ))}
          <button
            type="button"
            role="menuitem"
            className="dropdown-footer"
            onClick={() => {
              setOpen(false);
              navigate('/inbox');
            }}
          >
            Open the inbox
          </button>
        </div>
      )}
    </div>
  );
}
