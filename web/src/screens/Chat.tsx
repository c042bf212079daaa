import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, memberIdsOf, type Conversation, type ConversationMessage, type ConversationPage } from '../api';
import { NotificationLevelPicker, useReceipts, useTyping } from '../chat-extras';
import { ChatInput, ChatLog, useConversationMessages, useMarkRead, useSendToConversation } from '../chat';
import { ErrorNote, formatTime, MultiPicker, Notice, Spinner, useAction } from '../components/common';
import { Link, navigate } from '../router';
import { useSession, type Session } from '../session';
import { MessagesPermission } from '../../../src/messages/messages.permissions';
import { dispatchPath } from './dispatch/dispatch-data';
import { useMassTexts } from './dispatch/MassTextOverview';
import { useZoneInvite } from './dispatch/ZoneInvite';

type Panel = null | 'personal' | 'direct' | 'mass';

/** Conversations asked for at a time; `More conversations` reaches the rest. */
const LIST_PAGE = 30;

/** The list's preview of a conversation's last message. */
function lastLine(m: ConversationMessage): string {
  if (m.retractedAt) return 'Message retracted';
  if (m.body) return m.body;
  if (m.attachments?.length) return `📎 ${m.attachments.map((a) => a.name).join(', ')}`;
  return m.location ? '📍 Location' : '';
}

export function conversationTitle(c: Conversation, session: Session): string {
  if (c.title) return c.kind === 'dispatch' && !/^dispatch/i.test(c.title) ? `Dispatch ${c.title}` : c.title;
  if (c.kind === 'direct') {
    const other = memberIdsOf(c).find((id) => id !== session.me.id);
    return other ? session.nameOf(other) : 'Direct conversation';
  }
  return `Conversation ${c.id}`;
}

export function ChatScreen({ conversationId }: { conversationId?: number }) {
  const session = useSession();
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [kind, setKind] = useState<'' | Conversation['kind']>('');
  const [panel, setPanel] = useState<Panel>(null);
  const loading = useAction();
  const massTexts = useMassTexts(session, session.can(MessagesPermission.MassText) && session.messagesEnabled);

  const pagePath = (cursor: string | null) => {
    const q = new URLSearchParams({ limit: String(LIST_PAGE) });
    if (kind) q.set('kind', kind);
    if (cursor) q.set('cursor', cursor);
    return `/conversations?${q}`;
  };
  // The first page again: after a change, an invitation or a reconnect.
  const load = useCallback(async () => {
    const res = await loading.run(() => api.get<ConversationPage>(pagePath(null)));
    if (res) {
      setConversations(res.items);
      setNextCursor(res.nextCursor);
    }
  }, [kind]);
  const loadMore = async () => {
    if (!nextCursor) return;
    const res = await loading.run(() => api.get<ConversationPage>(pagePath(nextCursor)));
    if (res) {
      setConversations((prev) => [...(prev ?? []), ...res.items.filter((c) => !prev?.some((p) => p.id === c.id))]);
      setNextCursor(res.nextCursor);
    }
  };

  useEffect(() => {
    if (session.messagesEnabled) void load();
  }, [load, session.messagesEnabled]);

  // Keep the list's unread counts and last lines moving with the live events.
  useEffect(() => {
    const r = session.realtime;
    const offs = [
      r.on('conversation:message', (m) => {
        setConversations((prev) => {
          if (!prev) return prev;
          if (!prev.some((c) => c.id === m.conversationId)) {
            void load();
            return prev;
          }
          const open = m.conversationId === conversationId;
          const updated = prev.map((c) =>
            c.id === m.conversationId
              ? { ...c, lastMessage: m, unreadCount: open || m.senderId === session.me.id ? 0 : (c.unreadCount ?? 0) + (m.kind === 'system' ? 0 : 1) }
              : c,
          );
          return [...updated.filter((c) => c.id === m.conversationId), ...updated.filter((c) => c.id !== m.conversationId)];
        });
      }),
      r.on('conversation:invited', () => void load()),
      r.on('conversation:archived', ({ conversationId: id }) => setConversations((prev) => prev?.map((c) => (c.id === id ? { ...c, archivedAt: c.archivedAt ?? new Date().toISOString() } : c)) ?? null)),
      r.on('conversation:member', (p) => {
        if (p.userId === session.me.id && p.change === 'left') setConversations((prev) => prev?.filter((c) => c.id !== p.conversationId || c.kind === 'dispatch') ?? null);
        // Writing in a left dispatch conversation rejoins it: read the list again to show that.
        if (p.userId === session.me.id && p.change === 'joined') void load();
      }),
      r.onReconnect(() => void load()),
    ];
    return () => offs.forEach((off) => off());
  }, [session.realtime, session.me.id, conversationId, load]);

  if (!session.messagesEnabled) return <Notice>The messages module is disabled for this department.</Notice>;

  const current = conversations?.find((c) => c.id === conversationId) ?? null;
  // A mass text is one row: the direct conversations it went into are folded into it until someone writes there again.
  const folded = new Set(
    massTexts.items.flatMap((t) =>
      (conversations ?? [])
        .filter((c) => c.kind === 'direct' && t.conversationIds.includes(c.id) && c.lastMessage?.senderId === session.me.id && c.lastMessage.body === t.body)
        .map((c) => c.id),
    ),
  );
  const shownMassTexts = kind === '' || kind === 'direct' ? massTexts.items.filter((t) => t.conversationIds.some((id) => folded.has(id)) || t.repliedCount > 0).slice(0, 5) : [];
  const listed = (conversations ?? []).filter((c) => !folded.has(c.id) || c.id === conversationId);
  return (
    <section className={`chat${conversationId ? ' has-open' : ''}`} aria-label="Conversations">
      <aside className="chat-list">
        <div className="section-head">
          <h1>Chat</h1>
        </div>
        <div className="chat-new" role="group" aria-label="Start">
          <button type="button" onClick={() => setPanel(panel === 'direct' ? null : 'direct')} aria-expanded={panel === 'direct'}>
            Direct
          </button>
          <button type="button" onClick={() => setPanel(panel === 'personal' ? null : 'personal')} aria-expanded={panel === 'personal'}>
            Group chat
          </button>
          {session.can(MessagesPermission.MassText) && (
            <button type="button" onClick={() => setPanel(panel === 'mass' ? null : 'mass')} aria-expanded={panel === 'mass'}>
              Mass text
            </button>
          )}
        </div>
        {panel === 'direct' && <StartDirect onDone={(id) => (setPanel(null), void load(), navigate(`/chat/${id}`))} />}
        {panel === 'personal' && <StartPersonal onDone={(id) => (setPanel(null), void load(), navigate(`/chat/${id}`))} />}
        {panel === 'mass' && <MassText onDone={(id) => (setPanel(null), void load(), void massTexts.reload(), id && navigate(`/chat/mass-texts/${id}`))} />}
        <label className="sr-only" htmlFor="chat-kind">
          Show
        </label>
        <select id="chat-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="">All conversations</option>
          <option value="dispatch">Dispatch</option>
          <option value="personal">Group chats</option>
          <option value="direct">Direct</option>
        </select>
        <ErrorNote error={loading.error} />
        {conversations === null ? (
          loading.busy && <Spinner />
        ) : listed.length + shownMassTexts.length === 0 ? (
          <p className="empty">No open conversations.</p>
        ) : (
          <ul className="conversation-list">
            {shownMassTexts.map((t) => (
              <li key={`mass-${t.id}`}>
                <Link to={`/chat/mass-texts/${t.id}`} className="conversation-item">
                  <span className="line">
                    <span className="kind kind-mass">mass text</span>
                    <strong className="grow ellipsis">{t.body}</strong>
                  </span>
                  <span className="muted small">
                    To {t.recipientCount} · {t.readCount} read · {t.repliedCount} replied · {formatTime(t.createdAt)}
                  </span>
                </Link>
              </li>
            ))}
            {listed.map((c) => (
              <li key={c.id}>
                <Link to={`/chat/${c.id}`} className={`conversation-item${c.id === conversationId ? ' active' : ''}`} aria-current={c.id === conversationId ? 'true' : undefined}>
                  <span className="line">
                    <span className={`kind kind-${c.kind}`}>{c.kind}</span>
                    <strong className="grow">{conversationTitle(c, session)}</strong>
                    {!!c.unreadCount && c.id !== conversationId && (
                      <span className="badge has-unread" aria-label={`${c.unreadCount} unread`}>
                        {c.unreadCount}
                      </span>
                    )}
                  </span>
                  {c.lastMessage && (
                    <span className="muted small ellipsis">
                      {c.lastMessage.kind === 'system' ? '' : `${c.lastMessage.senderName ?? session.nameOf(c.lastMessage.senderId)}: `}
                      {lastLine(c.lastMessage)} · {formatTime(c.lastMessage.createdAt)}
                    </span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
        )}
        {nextCursor && (
          <button type="button" onClick={() => void loadMore()} disabled={loading.busy}>
            More conversations
          </button>
        )}
      </aside>
      <div className="chat-main">
        {conversationId ? (
          current ? (
            <ConversationPane
              key={current.id}
              conversation={current}
              onLeft={() => {
                // A left dispatch conversation stays readable until the task is cleared: it stays listed, marked as left.
                if (current.kind === 'dispatch') {
                  setConversations((prev) => prev?.map((c) => (c.id === current.id ? { ...c, isMember: false } : c)) ?? null);
                  void load();
                  return;
                }
                setConversations((prev) => prev?.filter((c) => c.id !== current.id) ?? null);
                navigate('/chat');
              }}
              onRead={() => setConversations((prev) => prev?.map((c) => (c.id === current.id ? { ...c, unreadCount: 0 } : c)) ?? null)}
              onChanged={load}
            />
          ) : conversations ? (
            <Notice>This conversation is not among yours.</Notice>
          ) : (
            <Spinner />
          )
        ) : (
          <p className="muted pad hide-narrow">Choose a conversation, or start one.</p>
        )}
      </div>
    </section>
  );
}

function ConversationPane({ conversation, onLeft, onRead, onChanged }: { conversation: Conversation; onLeft: () => void; onRead: () => void; onChanged: () => void }) {
  const session = useSession();
  const { messages, error, add } = useConversationMessages(conversation.id);
  const send = useSendToConversation(conversation.id);
  const invite = useZoneInvite(conversation, onChanged);
  const [replyingTo, setReplyingTo] = useState<ConversationMessage | null>(null);
  const [editing, setEditing] = useState<ConversationMessage | null>(null);
  const leaving = useAction();
  const changing = useAction();
  const archived = !!conversation.archivedAt;
  useMarkRead(conversation.id, messages, !archived);
  // Each new message changes the list's unread counts.
  useEffect(onRead, [messages.length]);
  const title = conversationTitle(conversation, session);
  const receipts = useReceipts(conversation.id);
  const { typing, keyPressed } = useTyping(conversation.id);
  const others = conversation.members.filter((m) => m.userId !== session.me.id).map((m) => ({ id: m.userId, name: m.name }));
  const lastText = [...messages].reverse().find((m) => m.kind === 'text');
  const seenBy = lastText ? others.filter((o) => (receipts.get(o.id) ?? 0) >= lastText.seq).map((o) => o.name) : [];
  const typingNames = typing.map((id) => others.find((o) => o.id === id)?.name ?? session.nameOf(id));
  const actions = archived
    ? {}
    : {
        onReply: (m: ConversationMessage) => (setEditing(null), setReplyingTo(m)),
        onEdit: (m: ConversationMessage) => (setReplyingTo(null), setEditing(m)),
        onRetract: async (m: ConversationMessage) => {
          if (!confirm('Retract this message? Its text and attachments are removed for everyone.')) return;
          const gone = await changing.run(() => api.delete<ConversationMessage>(`/conversations/${conversation.id}/messages/${m.seq}`));
          if (gone) add(gone);
        },
      };

  return (
    <div className="conversation">
      <header className="conversation-head">
        <Link to="/chat" className="show-narrow" aria-label="Back to conversations">
          ←
        </Link>
        <h2 className="grow">{title}</h2>
        {conversation.kind === 'dispatch' && conversation.dispatchId && (
          <Link to={dispatchPath(conversation.title ?? '')} className="button">
            Dispatch
          </Link>
        )}
        {conversation.isMember && <NotificationLevelPicker conversationId={conversation.id} level={conversation.notificationLevel} />}
        {!archived && conversation.isMember && conversation.kind !== 'direct' && invite.button}
        {conversation.kind !== 'direct' && conversation.isMember && (
          <button
            type="button"
            disabled={leaving.busy}
            onClick={async () => {
              if (!confirm(`Leave “${title}”?`)) return;
              const ok = await leaving.run(() => api.post(`/conversations/${conversation.id}/leave`));
              if (ok !== undefined) onLeft();
            }}
          >
            Leave
          </button>
        )}
      </header>
      {archived && <Notice>This conversation is archived: read only.</Notice>}
      {!archived && conversation.isMember === false && <Notice>You left this conversation; writing in it brings you back.</Notice>}
      <ErrorNote error={leaving.error ?? changing.error ?? error} />
      {invite.panel}
      <ChatLog
        messages={messages}
        conversationId={conversation.id}
        label={`Messages in ${title}`}
        actions={actions}
        footer={
          seenBy.length > 0 && (
            <p className="muted small receipts" data-testid="receipts">
              Seen by {seenBy.join(', ')}
            </p>
          )
        }
      />
      <p className="muted small typing" aria-live="polite">
        {typingNames.length > 0 && `${typingNames.join(', ')} ${typingNames.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      <ChatInput
        disabled={archived}
        onSend={async (body, extras) => add(await send(body, extras))}
        label={`Message to ${title}`}
        tools={{
          members: others,
          replyingTo,
          onCancelReply: () => setReplyingTo(null),
          editing,
          onCancelEdit: () => setEditing(null),
          onSaveEdit: async (m, body) => {
            add(await api.patch<ConversationMessage>(`/conversations/${conversation.id}/messages/${m.seq}`, { body }));
            setEditing(null);
          },
          onKeyPressed: keyPressed,
          attachments: true,
          location: true,
        }}
      />
    </div>
  );
}

function usePeople() {
  const session = useSession();
  return useMemo(() => session.directory.members.filter((m) => m.active && m.id !== session.me.id).map((m) => ({ id: m.id, name: m.name })), [session]);
}

function StartDirect({ onDone }: { onDone: (id: number) => void }) {
  const people = usePeople();
  const [userId, setUserId] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await run(() => api.post<Conversation>('/conversations/direct', { userId: Number(userId) }));
    if (c) onDone(c.id);
  };
  return (
    <form className="card inset" onSubmit={submit} aria-label="Start a direct conversation">
      <label htmlFor="direct-user">Talk to</label>
      <select id="direct-user" required value={userId} onChange={(e) => setUserId(e.target.value)}>
        <option value="">Choose a person…</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy || !userId}>
        Open
      </button>
    </form>
  );
}

function StartPersonal({ onDone }: { onDone: (id: number) => void }) {
  const people = usePeople();
  const [title, setTitle] = useState('');
  const [memberIds, setMemberIds] = useState<number[]>([]);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await run(() => api.post<Conversation>('/conversations', { title: title.trim(), memberIds }));
    if (c) onDone(c.id);
  };
  return (
    <form className="card inset" onSubmit={submit} aria-label="Start a group chat">
      <label htmlFor="personal-title">Title</label>
      <input id="personal-title" required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} />
      <MultiPicker label="People" choices={people} selected={memberIds} onChange={setMemberIds} />
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy || !title.trim()}>
        Start
      </button>
    </form>
  );
}

function MassText({ onDone }: { onDone: (massTextId?: number) => void }) {
  const session = useSession();
  const people = usePeople();
  const [body, setBody] = useState('');
  const [userIds, setUserIds] = useState<number[]>([]);
  const [groupIds, setGroupIds] = useState<number[]>([]);
  const [roleIds, setRoleIds] = useState<number[]>([]);
  const [result, setResult] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const sets = (list: typeof session.directory.groups) => list.map((s) => ({ id: s.id, name: s.name, hint: `${s.memberIds.length}` }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await run(() => api.post<{ recipientCount?: number; conversationIds?: number[]; massTextId?: number } | null>('/conversations/mass-text', { body: body.trim(), userIds, groupIds, roleIds }));
    if (res !== undefined) {
      const n = res?.recipientCount ?? res?.conversationIds?.length;
      setResult(n === undefined ? 'Sent.' : `Sent to ${n} ${n === 1 ? 'person' : 'people'}, each in their own direct conversation.`);
      setBody('');
      setTimeout(() => onDone(res?.massTextId), 1500);
    }
  };
  return (
    <form className="card inset" onSubmit={submit} aria-label="Mass text">
      <label htmlFor="mass-body">Text</label>
      <textarea id="mass-body" required rows={3} maxLength={4000} value={body} onChange={(e) => setBody(e.target.value)} />
      <MultiPicker label="People" choices={people} selected={userIds} onChange={setUserIds} />
      <MultiPicker label="Groups" choices={sets(session.directory.groups)} selected={groupIds} onChange={setGroupIds} />
      <MultiPicker label="Roles" choices={sets(session.directory.roles)} selected={roleIds} onChange={setRoleIds} />
      <p className="muted small">Each person gets it in their direct conversation with you; replies stay private.</p>
      <ErrorNote error={error} />
      {result && (
        <p className="ok" role="status">
          {result}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || !body.trim() || userIds.length + groupIds.length + roleIds.length === 0}>
        Send mass text
      </button>
    </form>
  );
}

export type { ConversationMessage };
