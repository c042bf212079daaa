import { useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, idList, type InboxItem, type OutboxItem, type Page } from '../api';
import { ErrorNote, formatTime, Notice, Spinner, TypeTag, useAction } from '../components/common';
import { Link, navigate } from '../router';
import { queryKeys } from '../queries';
import { useSession } from '../session';
import { refreshUnread } from '../unread';
import { MessagesPermission } from '../../../src/messages/messages.permissions';

const PAGE_SIZE = 25;
type Box = 'inbox' | 'outbox';
type Row = InboxItem | OutboxItem;

export function MailboxScreen({ box }: { box: Box }) {
  const session = useSession();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [status, setStatus] = useState<string | null>(null);
  const acting = useAction();

  // Pages by cursor from the cache; mail arriving (`message:new`) makes them stale and they are read again.
  const pages = useInfiniteQuery({
    queryKey: queryKeys.mailbox(box, box === 'inbox' && unreadOnly),
    enabled: session.messagesEnabled,
    staleTime: 0,
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<Row>) => last.nextCursor,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (pageParam) params.set('cursor', pageParam);
      if (box === 'inbox' && unreadOnly) params.set('unread', 'true');
      return api.get<Page<Row>>(`/messages/${box}?${params}`);
    },
  });
  const rows = useMemo(() => {
    if (!pages.data) return null;
    const seen = new Set<number>();
    return pages.data.pages.flatMap((p) => p.items).filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
  }, [pages.data]);
  const cursor = pages.hasNextPage ? 'more' : null;
  const loading = { busy: pages.isFetching, error: pages.error ? pages.error.message : null };

  useEffect(() => setSelected(new Set()), [box, unreadOnly]);

  // What the server just did shows at once in every cached page of this box; the reads that follow confirm it.
  const client = useQueryClient();
  const editRows = (edit: (items: Row[]) => Row[]) =>
    client.setQueriesData<InfiniteData<Page<Row>>>({ queryKey: [...queryKeys.mail, box] }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: edit(p.items) })) } : data,
    );

  if (!session.messagesEnabled) return <Notice>The messages module is disabled for this department.</Notice>;

  const title = box === 'inbox' ? 'Inbox' : 'Sent';
  const allChosen = !!rows?.length && rows.every((r) => selected.has(r.id));
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const markRead = async () => {
    const ids = [...selected];
    const res = await acting.run(() => api.put<{ affected: number }>(`/messages/read?ids=${idList(ids)}`));
    if (!res) return;
    editRows((items) => items.map((r) => (ids.includes(r.id) ? { ...(r as InboxItem), isRead: true } : r)));
    setSelected(new Set());
    setStatus(`${res.affected} marked read.`);
    refreshUnread();
  };
  const remove = async () => {
    const ids = [...selected];
    if (!confirm(`Delete ${ids.length} message${ids.length === 1 ? '' : 's'} from your ${box === 'inbox' ? 'inbox' : 'sent messages'}?`)) return;
    const res = await acting.run(() => api.delete<{ affected: number }>(`/messages/${box}?ids=${idList(ids)}`));
    if (!res) return;
    editRows((items) => items.filter((r) => !ids.includes(r.id)));
    setSelected(new Set());
    setStatus(`${res.affected} deleted.`);
    refreshUnread();
  };

  return (
    <section aria-labelledby="box-title">
      <div className="section-head">
        <h1 id="box-title">{title}</h1>
        <div className="actions">
          {box === 'inbox' && (
            <label className="check inline">
              <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Unread only
            </label>
          )}
          {session.can(MessagesPermission.Create) && (
            <Link to="/compose" className="button primary">
              Compose
            </Link>
          )}
        </div>
      </div>

      <div className="toolbar" role="toolbar" aria-label="Selected messages">
        <label className="check inline">
          <input type="checkbox" aria-label="Select all" checked={allChosen} onChange={() => setSelected(allChosen ? new Set() : new Set(rows?.map((r) => r.id)))} />
          {selected.size ? `${selected.size} selected` : 'Select all'}
        </label>
        {box === 'inbox' && (
          <button type="button" disabled={!selected.size || acting.busy} onClick={markRead}>
            Mark read
          </button>
        )}
        {session.can(MessagesPermission.Delete) && (
          <button type="button" className="danger" disabled={!selected.size || acting.busy} onClick={remove}>
            Delete
          </button>
        )}
        {status && (
          <span className="muted small" role="status">
            {status}
          </span>
        )}
      </div>
      <ErrorNote error={acting.error ?? loading.error} />

      {rows === null ? (
        loading.busy && <Spinner />
      ) : rows.length === 0 ? (
        <p className="empty">{box === 'inbox' ? (unreadOnly ? 'Nothing unread.' : 'Your inbox is empty.') : 'You have not sent anything yet.'}</p>
      ) : (
        <ul className="mail-list" aria-label={title}>
          {rows.map((r) => (
            <MailRow key={r.id} row={r} box={box} chosen={selected.has(r.id)} onToggle={() => toggle(r.id)} />
          ))}
        </ul>
      )}
      {cursor && (
        <div className="more">
          <button type="button" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            {pages.isFetchingNextPage ? 'Loading…' : 'Older messages'}
          </button>
        </div>
      )}
    </section>
  );
}

function MailRow({ row, box, chosen, onToggle }: { row: Row; box: Box; chosen: boolean; onToggle: () => void }) {
  const inbox = box === 'inbox' ? (row as InboxItem) : null;
  const outbox = box === 'outbox' ? (row as OutboxItem) : null;
  const unread = inbox ? !inbox.isRead : false;
  const responses = outbox?.responses;
  const answered = responses ? (responses.yes ?? 0) + (responses.no ?? 0) + (responses.maybe ?? 0) : 0;
  return (
    <li className={`mail-row${unread ? ' unread' : ''}${chosen ? ' chosen' : ''}`} data-message-id={row.id}>
      <input type="checkbox" checked={chosen} onChange={onToggle} aria-label={`Select “${row.subject}”`} />
      <button type="button" className="mail-open" onClick={() => navigate(`/messages/${row.id}`)}>
        <span className="mail-top">
          {unread && <span className="dot" aria-label="Unread" />}
          <span className="mail-who">{inbox ? inbox.senderName : `To ${outbox!.recipientCount} ${outbox!.recipientCount === 1 ? 'person' : 'people'}`}</span>
          <span className="mail-when">{formatTime(row.createdAt)}</span>
        </span>
        <span className="mail-subject">
          {row.subject} <TypeTag type={row.type} />
          {inbox?.response && <span className={`tag answer-${inbox.response}`}>You: {inbox.response}</span>}
        </span>
        {outbox && (
          <span className="muted small">
            Read by {outbox.readCount} of {outbox.recipientCount}
            {(row.type === 'callback' || row.type === 'poll') && responses && (
              <>
                {' '}
                · {answered} answered (yes {responses.yes ?? 0}, no {responses.no ?? 0}, maybe {responses.maybe ?? 0})
              </>
            )}
          </span>
        )}
      </button>
    </li>
  );
}
