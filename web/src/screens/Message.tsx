import { AttachmentList } from '../chat-extras';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, type FullMessage, type RecipientStatus, type ResponseCode } from '../api';
import { ErrorNote, formatDateTime, Notice, Spinner, TypeTag, useAction } from '../components/common';
import { Link, navigate } from '../router';
import { DeliveryPanel } from '../components/DeliveryPanel';
import { queryKeys } from '../queries';
import { useSession } from '../session';
import { refreshUnread } from '../unread';
import { MessagesPermission } from '../../../src/messages/messages.permissions';

const ANSWERS: { value: ResponseCode; label: string }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'maybe', label: 'Maybe' },
];

export function MessageScreen({ id }: { id: number }) {
  const session = useSession();
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.message(id),
    enabled: session.messagesEnabled,
    queryFn: async () => {
      const m = await api.get<FullMessage>(`/messages/${id}`);
      // Opening it marked it read on the server.
      refreshUnread();
      return m;
    },
  });
  const message = query.data ?? null;
  const setMessage = (m: FullMessage) => client.setQueryData(queryKeys.message(id), m);
  const loading = { error: query.error ? query.error.message : null };
  // The sender's tally moves as answers come in.
  useEffect(
    () =>
      session.realtime.on('message:response', (r) => {
        if (r.messageId === id) void client.invalidateQueries({ queryKey: queryKeys.message(id) });
      }),
    [session.realtime, id, client],
  );

  if (!session.messagesEnabled) return <Notice>The messages module is disabled for this department.</Notice>;
  if (!message) return loading.error ? <ErrorNote error={loading.error} /> : <Spinner />;

  const mine = message.senderId === session.me.id;
  const asks = message.type === 'callback' || message.type === 'poll';
  const expired = message.expired ?? (!!message.expiresAt && new Date(message.expiresAt) <= new Date());

  return (
    <article className="message" aria-labelledby="message-subject">
      <p>
        <Link to={mine ? '/outbox' : '/inbox'}>← {mine ? 'Sent' : 'Inbox'}</Link>
      </p>
      <header className="message-head">
        <h1 id="message-subject">
          {message.subject} <TypeTag type={message.type} />
          {message.priority === 'urgent' && <span className="tag tag-urgent">Urgent</span>}
        </h1>
        <p className="muted">
          From <strong>{message.senderName ?? session.nameOf(message.senderId)}</strong> · {formatDateTime(message.createdAt)}
          {message.expiresAt && <> · {expired ? 'expired' : 'expires'} {formatDateTime(message.expiresAt)}</>}
        </p>
      </header>
      {/* The server stores and returns the body sanitized (no scripts, handlers or javascript: links). */}
      <div className="message-body" dangerouslySetInnerHTML={{ __html: message.body }} />
      <AttachmentList attachments={message.attachments} />
      {asks && !mine && <AnswerForm message={message} expired={expired} onAnswered={(response, note) => setMessage({ ...message, response, note })} />}
      {!mine && message.priority === 'urgent' && (
        <p className="muted">{message.acknowledgedAt ? `You acknowledged this message ${formatDateTime(message.acknowledgedAt)}.` : 'This urgent message asks you to acknowledge it (the banner above).'}</p>
      )}
      {mine && <DeliveryPanel messageId={message.id} />}
      {mine && <Recipients message={message} />}
      {session.can(MessagesPermission.Delete) && <DeleteButton id={message.id} box={mine ? 'outbox' : 'inbox'} />}
    </article>
  );
}

function AnswerForm({ message, expired, onAnswered }: { message: FullMessage; expired: boolean; onAnswered: (r: ResponseCode, note: string) => void }) {
  const [response, setResponse] = useState<ResponseCode | null>(message.response ?? null);
  const [note, setNote] = useState(message.note ?? '');
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!response) return;
    const ok = await run(() => api.post(`/messages/${message.id}/response`, { response, ...(note.trim() && { note: note.trim() }) }));
    if (ok !== undefined) {
      setSaved(true);
      onAnswered(response, note.trim());
    }
  };
  return (
    <form className="card answer" onSubmit={submit} aria-labelledby="answer-title">
      <h2 id="answer-title">{message.type === 'poll' ? 'Your vote' : 'Your answer'}</h2>
      {expired ? (
        <p className="muted">This message has expired and can no longer be answered.</p>
      ) : (
        <>
          <fieldset className="answers">
            <legend className="sr-only">Answer</legend>
            {ANSWERS.map((a) => (
              <label key={a.value} className={`answer-choice answer-${a.value}${response === a.value ? ' on' : ''}`}>
                <input type="radio" name="response" value={a.value} checked={response === a.value} onChange={() => setResponse(a.value)} />
                {a.label}
              </label>
            ))}
          </fieldset>
          <label htmlFor="answer-note">Note (optional)</label>
          <textarea id="answer-note" rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
          <ErrorNote error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!response || busy}>
              {message.response ? 'Change answer' : 'Send answer'}
            </button>
            {saved && (
              <span role="status" className="ok">
                Answer sent: {response}
              </span>
            )}
          </div>
        </>
      )}
    </form>
  );
}

function Recipients({ message }: { message: FullMessage }) {
  const { nameOf } = useSession();
  const list: RecipientStatus[] = message.recipients ?? [];
  // The server counts over every recipient; the list is only its first page.
  const read = message.readCount ?? 0;
  const tally = message.responses ?? { yes: 0, no: 0, maybe: 0 };
  const asks = message.type === 'callback' || message.type === 'poll';
  return (
    <section className="card" aria-labelledby="recipients-title">
      <h2 id="recipients-title">Recipients</h2>
      <p className="muted">
        Read by {read} of {message.recipientCount ?? list.length}
        {asks && (
          <>
            {' '}
            · yes {tally.yes}, no {tally.no}, maybe {tally.maybe}
          </>
        )}
      </p>
      <div className="table-wrap">
        <table className="recipients">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Read</th>
              {asks && <th scope="col">Answer</th>}
              {asks && <th scope="col">Note</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.userId} data-recipient-id={r.userId}>
                <td>{r.name ?? nameOf(r.userId)}</td>
                <td>{r.readAt ? formatDateTime(r.readAt) : <span className="muted">not yet</span>}</td>
                {asks && <td>{r.response ? <span className={`tag answer-${r.response}`}>{r.response}</span> : <span className="muted">–</span>}</td>}
                {asks && <td>{r.note ?? ''}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {message.recipientsNextCursor && (
        <p className="muted" data-testid="recipients-more">
          The first {list.length} of {message.recipientCount} recipients are listed here.
        </p>
      )}
    </section>
  );
}

function DeleteButton({ id, box }: { id: number; box: 'inbox' | 'outbox' }) {
  const where = box === 'inbox' ? 'your inbox' : 'your sent messages (recipients keep it)';
  const { busy, error, run } = useAction();
  return (
    <div className="actions">
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={async () => {
          if (!confirm(`Delete this message from ${where}?`)) return;
          const ok = await run(() => api.delete(`/messages/${box}/${id}`));
          if (ok !== undefined) {
            refreshUnread();
            navigate(box === 'inbox' ? '/inbox' : '/outbox');
          }
        }}
      >
        {box === 'inbox' ? 'Delete from inbox' : 'Delete from sent'}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}
