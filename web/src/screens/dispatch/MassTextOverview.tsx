import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../../api';
import { ErrorNote, formatTime, Spinner } from '../../components/common';
import { Link } from '../../router';
import { useSession, type Session } from '../../session';
import type { MassTextOverview, MassTextSummary } from '../../../../src/messages/conversations/mass-texts/mass-text.queries';
import './dispatch.css';

export type { MassTextSummary };

const MASS_TEXT_KEY = ['mass-texts'] as const;

/** Replies and read positions change the tallies: read them again as they come in. */
function useMassTextEvents(session: Session, enabled: boolean) {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const again = () => void client.invalidateQueries({ queryKey: MASS_TEXT_KEY });
    const r = session.realtime;
    const offs = [r.on('conversation:message', again), r.on('conversation:receipt', again), r.onReconnect(again)];
    return () => offs.forEach((off) => off());
  }, [session.realtime, client, enabled]);
}

/** The caller's recent mass texts, newest first. */
export function useMassTexts(session: Session, enabled: boolean) {
  useMassTextEvents(session, enabled);
  const query = useQuery({
    queryKey: [...MASS_TEXT_KEY, 'list'],
    queryFn: async () => (await api.get<{ items: MassTextSummary[] }>('/conversations/mass-texts?limit=20')).items,
    enabled,
  });
  return { items: query.data ?? [], reload: () => query.refetch() };
}

/** Who a mass text went to, who has read it and who replied, live. */
export function MassTextOverviewScreen({ id }: { id: number }) {
  const session = useSession();
  useMassTextEvents(session, true);
  const query = useQuery({ queryKey: [...MASS_TEXT_KEY, id], queryFn: () => api.get<MassTextOverview>(`/conversations/mass-texts/${id}`) });
  const overview = query.data ?? null;
  const error = query.error ? (query.error as Error).message : null;
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
