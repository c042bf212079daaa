import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorNote, formatTime, Spinner } from '../../components/common';
import { Link } from '../../router';
import { useSession, type Session } from '../../session';
import type { MassTextOverview, MassTextSummary } from '../../../../src/messages/conversations/mass-texts/mass-text.queries';
import './dispatch.css';

export type { MassTextSummary };

/** The caller's recent mass texts, read again as replies and read positions come in. */
export function useMassTexts(session: Session, enabled: boolean) {
  const [items, setItems] = useState<MassTextSummary[]>([]);
  const load = useCallback(async () => {
    if (!enabled) return;
    try {
      setItems((await api.get<{ items: MassTextSummary[] }>('/conversations/mass-texts?limit=20')).items);
    } catch {
      /* the list still shows each conversation */
    }
  }, [enabled]);
  useEffect(() => {
    void load();
    if (!enabled) return;
    const offs = [session.realtime.on('conversation:message', () => void load()), session.realtime.on('conversation:receipt', () => void load())];
    return () => offs.forEach((off) => off());
  }, [session.realtime, load, enabled]);
  return { items, reload: load };
}

/** Who a mass text went to, who has read it and who replied, live. */
export function MassTextOverviewScreen({ id }: { id: number }) {
  const session = useSession();
  const [overview, setOverview] = useState<MassTextOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setOverview(await api.get<MassTextOverview>(`/conversations/mass-texts/${id}`));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => {
    void load();
    const r = session.realtime;
    const offs = [r.on('conversation:message', () => void load()), r.on('conversation:receipt', () => void load()), r.onReconnect(() => void load())];
    return () => offs.forEach((off) => off());
  }, [session.realtime, load]);
  return (
    <section aria-labelledby="mass-title">
      <p>
        <Link to="/chat">← Chat</Link>
      </p>
      <h1 id="mass-title">Mass text</h1>
      <ErrorNote error={error} />
      {!overview ? (
        !error && <Spinner />
      ) : (
        <>
          <blockquote className="message-body">{overview.body}</blockquote>
          <p role="status" aria-live="polite">
            Sent {formatTime(overview.createdAt)} to {overview.recipientCount} · {overview.readCount} read · {overview.repliedCount} replied
          </p>
          <div className="table-wrap">
            <table className="mass-overview">
              <caption className="sr-only">Recipients</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Read</th>
                  <th scope="col">Reply</th>
                  <th scope="col">
                    <span className="sr-only">Conversation</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.recipients.map((r) => (
                  <tr key={r.userId}>
                    <th scope="row">{r.name}</th>
                    <td>{r.read ? 'Read' : 'Not yet'}</td>
                    <td>{r.lastReply ? `“${r.lastReply.body}” · ${formatTime(r.lastReply.createdAt)}` : <span className="muted">No reply</span>}</td>
                    <td>
                      <Link to={`/chat/${r.conversationId}`} aria-label={`Open the conversation with ${r.name}`}>
                        Open
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
