import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, isMemberOf, itemsOf, type Conversation, type ConversationMessage, type Dispatch } from '../api';
import { ChatInput, ChatLog, useConversationMessages, useMarkRead, useSendToConversation } from '../chat';
import { ErrorNote, Notice, Spinner, useAction } from '../components/common';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { conversationTitle } from './Chat';

interface DispatchRow {
  id: number;
  label: string;
  detail: string;
  closed: boolean;
}

/**
 * The list comes from `GET /api/dispatches` where the server has it; otherwise from the
 * caller's dispatch conversations, which carry their dispatch's id.
 */
export function DispatchesScreen() {
  const session = useSession();
  const [rows, setRows] = useState<DispatchRow[] | null>(null);
  const [openId, setOpenId] = useState('');
  const loading = useAction();
  const zoneName = (id: number) => session.directory.zones.find((z) => z.id === id)?.name ?? `zone ${id}`;

  const load = useCallback(async () => {
    const res = await loading.run(async () => {
      try {
        const list = itemsOf<Dispatch>(await api.get<unknown>('/dispatches'));
        return list.map((d) => ({ id: d.id, label: `${d.number} · ${d.title}`, detail: zoneName(d.zoneId), closed: !!d.closedAt || d.status === 'closed' }));
      } catch (e) {
        if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
        const conversations = itemsOf<Conversation>(await api.get<unknown>('/conversations?kind=dispatch&limit=500'));
        return conversations
          .filter((c) => c.kind === 'dispatch' && c.dispatchId)
          .map((c) => ({ id: c.dispatchId!, label: conversationTitle(c, session), detail: c.zoneId ? zoneName(c.zoneId) : '', closed: !!c.archivedAt }));
      }
    });
    if (res) setRows(res);
  }, [session]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    void load();
  }, [load]);

  const canDispatch = session.me.isAdmin || session.can('Messages_MassText');
  return (
    <section aria-labelledby="dispatches-title">
      <div className="section-head">
        <h1 id="dispatches-title">Dispatches</h1>
      </div>
      {!session.messagesEnabled && <Notice>The messages module is off: dispatches have no conversations while it is.</Notice>}
      <div className="grid-2 top">
        <div>
          <ErrorNote error={loading.error} />
          {rows === null ? (
            loading.busy && <Spinner />
          ) : rows.length === 0 ? (
            <p className="empty">No dispatches to show.</p>
          ) : (
            <ul className="plain-list">
              {rows.map((r) => (
                <li key={r.id}>
                  <Link to={`/dispatches/${r.id}`} className="list-item">
                    <strong>{r.label}</strong>
                    <span className="muted small">
                      {r.detail}
                      {r.closed && ' · closed'}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (/^\d+$/.test(openId)) navigate(`/dispatches/${openId}`);
            }}
          >
            <label htmlFor="open-dispatch">Open dispatch by id</label>
            <input id="open-dispatch" inputMode="numeric" pattern="\d+" value={openId} onChange={(e) => setOpenId(e.target.value)} />
            <button type="submit">Open</button>
          </form>
        </div>
        {canDispatch && <NewDispatch />}
      </div>
    </section>
  );
}

function NewDispatch() {
  const session = useSession();
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  const [zoneId, setZoneId] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = await run(() => api.post<Dispatch>('/dispatches', { number: number.trim(), title: title.trim(), zoneId: Number(zoneId) }));
    if (d) navigate(`/dispatches/${d.id}`);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-dispatch-title">
      <h2 id="new-dispatch-title">New dispatch</h2>
      <label htmlFor="dispatch-number">Number</label>
      <input id="dispatch-number" required maxLength={40} value={number} onChange={(e) => setNumber(e.target.value)} />
      <label htmlFor="dispatch-title">Title</label>
      <input id="dispatch-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="dispatch-zone">Zone</label>
      <select id="dispatch-zone" required value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
        <option value="">Choose a zone…</option>
        {session.directory.zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Create
      </button>
    </form>
  );
}

export function DispatchScreen({ id }: { id: number }) {
  const session = useSession();
  const [loaded, setLoaded] = useState<{ conversation: Conversation; messages: ConversationMessage[] } | null>(null);
  const loading = useAction();

  const load = useCallback(async () => {
    const res = await loading.run(() => api.get<{ conversation: Conversation; messages: ConversationMessage[] }>(`/dispatches/${id}/conversation`));
    if (res) setLoaded({ conversation: res.conversation, messages: itemsOf<ConversationMessage>(res.messages) });
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => session.realtime.onReconnect(() => void load()), [session.realtime, load]);

  if (!loaded) return loading.error ? <ErrorNote error={loading.error} /> : <Spinner />;
  return <DispatchConversation key={loaded.conversation.id} dispatchId={id} conversation={loaded.conversation} history={loaded.messages} reload={load} />;
}

function DispatchConversation({ dispatchId, conversation: initial, history, reload }: { dispatchId: number; conversation: Conversation; history: ConversationMessage[]; reload: () => Promise<void> }) {
  const session = useSession();
  const [conversation, setConversation] = useState(initial);
  const [joined, setJoined] = useState(false);
  const { messages, add, addAll } = useConversationMessages(conversation.id, { initial: history, skipHistory: true });
  useEffect(() => setConversation(initial), [initial]);
  useEffect(() => addAll(history), [history, addAll]);
  useEffect(
    () =>
      session.realtime.on('conversation:archived', ({ conversationId }) => {
        if (conversationId === conversation.id) setConversation((c) => ({ ...c, archivedAt: c.archivedAt ?? new Date().toISOString() }));
      }),
    [session.realtime, conversation.id],
  );

  const member = joined || !!isMemberOf(conversation, session.me.id);
  const archived = !!conversation.archivedAt;
  useMarkRead(conversation.id, messages, member && !archived);
  const sendAsMember = useSendToConversation(conversation.id);
  const title = conversationTitle(conversation, session);

  const comment = async (body: string) => {
    if (member) return add(await sendAsMember(body));
    const res = await api.post<ConversationMessage | { message?: ConversationMessage } | null>(`/dispatches/${dispatchId}/comment`, { body });
    setJoined(true);
    const m = res && 'seq' in res ? res : (res as { message?: ConversationMessage } | null)?.message;
    if (m) add(m);
    else await reload();
  };

  return (
    <section className="dispatch" aria-labelledby="dispatch-title">
      <p>
        <Link to="/dispatches">← Dispatches</Link>
      </p>
      <div className="section-head">
        <h1 id="dispatch-title">{title}</h1>
        {member && !archived && <span className="tag">You are in this conversation</span>}
      </div>
      {archived && <Notice>This dispatch is closed; its conversation is kept read only.</Notice>}
      {(session.me.isAdmin || session.can('Messages_MassText')) && !archived && <AssignOfficer dispatchId={dispatchId} onAssigned={reload} />}
      <div className="conversation">
        <ChatLog messages={messages} label={`Messages in ${title}`} />
        <ChatInput
          disabled={archived}
          onSend={comment}
          label={member ? `Message to ${title}` : `Comment on ${title}`}
          placeholder={member ? 'Write a message' : 'Comment to join this dispatch conversation'}
        />
      </div>
    </section>
  );
}

function AssignOfficer({ dispatchId, onAssigned }: { dispatchId: number; onAssigned: () => void }) {
  const session = useSession();
  const [officerId, setOfficerId] = useState('');
  const [description, setDescription] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await run(() => api.post(`/dispatches/${dispatchId}/tasks`, { officerId: Number(officerId), description: description.trim() }));
    if (res !== undefined) {
      setDone(`${session.nameOf(Number(officerId))} assigned.`);
      setOfficerId('');
      setDescription('');
      onAssigned();
    }
  };
  return (
    <details className="card inset">
      <summary>Assign an officer</summary>
      <form onSubmit={submit} className="field-row">
        <div className="field">
          <label htmlFor="task-officer">Officer</label>
          <select id="task-officer" required value={officerId} onChange={(e) => setOfficerId(e.target.value)}>
            <option value="">Choose…</option>
            {session.directory.members
              .filter((m) => m.active)
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="task-description">Task</label>
          <input id="task-description" required maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Assign
        </button>
      </form>
      <ErrorNote error={error} />
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
    </details>
  );
}
