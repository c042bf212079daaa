import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ErrorNote, formatDateTime, useAction } from '../../components/common';
import type { MessageAudit } from '../../../../src/messages/mail/dto/mail-views';

/** Who removed a message from which inbox or outbox, and when, by the message's id. */
export function AuditScreen() {
  const [messageId, setMessageId] = useState('');
  const [audit, setAudit] = useState<MessageAudit | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAudit(null);
    const res = await run(() => api.get<MessageAudit>(`/messages/${Number(messageId)}/audit`));
    if (res) setAudit(res);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Removal audit</h1>
      <p className="muted">Who removed a message from an inbox or an outbox, and when. The message’s subject and body are not shown.</p>
      <form className="card inline-form" onSubmit={submit} aria-label="Look up a message">
        <label htmlFor="audit-message-id">Message id</label>
        <input id="audit-message-id" type="number" inputMode="numeric" required min={1} step={1} value={messageId} onChange={(e) => setMessageId(e.target.value)} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Looking…' : 'Show audit'}
        </button>
      </form>
      <ErrorNote error={error} />
      <div aria-live="polite">
        {audit && (
          <div className="card">
            <h2>Message {audit.messageId}</h2>
            <p>
              Sent by {audit.senderName} on {formatDateTime(audit.createdAt)} to {audit.recipientCount} {audit.recipientCount === 1 ? 'person' : 'people'}.
            </p>
            {audit.removals.length === 0 ? (
              <p className="muted">Nobody has removed it.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Removals of message {audit.messageId}, oldest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">From</th>
                      <th scope="col">Whose</th>
                      <th scope="col">Removed by</th>
                      <th scope="col">When</th>
                    </tr>
                  </thead>
                  <tbody>
                    {audit.removals.map((r, i) => (
                      <tr key={i}>
                        <td>{r.box === 'inbox' ? 'Inbox' : 'Outbox'}</td>
                        <td>{r.ownerName ?? `#${r.ownerId}`}</td>
                        <td>{r.removedBy === null ? 'unknown' : (r.removedByName ?? `#${r.removedBy}`)}</td>
                        <td>{formatDateTime(r.removedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
