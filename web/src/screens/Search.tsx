import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Snippet } from '../chat-extras';
import { ErrorNote, formatTime, Notice, Spinner, useAction } from '../components/common';
import { Link } from '../router';
import { useSession } from '../session';
import type { SearchHit, SearchPage } from '../../../src/messages/search/search-views';

const PAGE = 20;

/** One box for department mail and chat; the server answers only with what this user may read. */
export function SearchScreen() {
  const session = useSession();
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const searching = useAction();

  const fetchPage = (query: string, cursor: string | null) =>
    searching.run(() => api.get<SearchPage>(`/search?${new URLSearchParams({ q: query, limit: String(PAGE), ...(cursor && { cursor }) })}`));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const query = q.trim();
    if (!query) return;
    const page = await fetchPage(query, null);
    if (page) {
      setAsked(query);
      setHits(page.items);
      setNext(page.nextCursor);
    }
  };
  const more = async () => {
    if (!asked || !next) return;
    const page = await fetchPage(asked, next);
    if (page) {
      setHits((prev) => [...prev, ...page.items]);
      setNext(page.nextCursor);
    }
  };

  if (!session.messagesEnabled) return <Notice>The messages module is disabled for this department.</Notice>;
  return (
    <section aria-label="Search">
      <div className="section-head">
        <h1>Search</h1>
      </div>
      <form role="search" className="search-form" onSubmit={submit}>
        <label htmlFor="search-q" className="sr-only">
          Search mail and chat
        </label>
        <input id="search-q" type="search" placeholder='Search mail and chat: words, "a phrase", -without' value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} />
        <button type="submit" className="primary" disabled={searching.busy || !q.trim()}>
          Search
        </button>
      </form>
      <ErrorNote error={searching.error} />
      {searching.busy && !hits.length && <Spinner />}
      {asked !== null && !hits.length && !searching.busy && <p className="empty">Nothing found for “{asked}”.</p>}
      {hits.length > 0 && (
        <ul className="search-results" aria-label="Results">
          {hits.map((h) => (
            <li key={h.kind === 'mail' ? `m${h.messageId}` : `c${h.conversationId}:${h.seq}`}>
              <Link to={h.kind === 'mail' ? `/messages/${h.messageId}` : `/chat/${h.conversationId}`} className="search-hit">
                <span className="line">
                  <span className={`kind kind-${h.kind === 'mail' ? 'mail' : 'personal'}`}>{h.kind === 'mail' ? 'mail' : 'chat'}</span>
                  <strong className="grow">{h.kind === 'mail' ? h.subject : h.conversationTitle}</strong>
                  <span className="muted small">
                    {h.senderName} · {formatTime(h.createdAt)}
                  </span>
                </span>
                <Snippet html={h.snippet} />
              </Link>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" onClick={() => void more()} disabled={searching.busy}>
          More results
        </button>
      )}
    </section>
  );
}
