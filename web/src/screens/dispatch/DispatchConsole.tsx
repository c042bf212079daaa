import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ErrorNote, formatTime, Notice, Spinner, useAction } from '../../components/common';
import { Link, navigate } from '../../router';
import { useSession } from '../../session';
import { DispatchPermission } from '../../../../src/dispatch/dispatch.permissions';
import { dispatchPath, inWords, useDispatchBoard, useDispatchByNumber, useDispatchDetail, useDispatchEvents, usePanelMode, zoneNameOf, type DispatchDetail, type DispatchSummary, type PanelMode } from './dispatch-data';
import { DispatchMessages } from './DispatchMessages';
import './dispatch.css';

/**
 * The dispatcher's console: the board of dispatches (live), the selected dispatch's details,
 * and its conversation in a Messages panel that is docked beside them, floating, or hidden.
 * Every member can read it; managing (create, assign, clear, close) needs Dispatches_Manage.
 */
export function DispatchConsole({ number }: { number?: string }) {
  const session = useSession();
  useDispatchEvents(session);
  const [status, setStatus] = useState<'' | 'open' | 'closed'>('');
  const board = useDispatchBoard(status);
  const [zoneFilter, setZoneFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [panel, setPanel] = usePanelMode();
  const manage = session.can(DispatchPermission.Manage);
  const found = useDispatchByNumber(number, board.items);
  const selected = found ?? null;
  // The server filters by status; the zone is picked out of the pages loaded so far.
  const rows = (board.items ?? []).filter((d) => (!status || d.status === status) && (!zoneFilter || d.zoneId === Number(zoneFilter)));

  return (
    <section className={`console panel-${panel}`} aria-labelledby="console-title">
      <div className="section-head">
        <h1 id="console-title">{selected ? `Dispatch ${selected.number}` : 'Dispatches'}</h1>
        <div className="actions" role="group" aria-label="Messages panel">
          {(['docked', 'floating', 'hidden'] as PanelMode[]).map((m) => (
            <button key={m} type="button" aria-pressed={panel === m} onClick={() => setPanel(m)}>
              {m === 'docked' ? 'Dock messages' : m === 'floating' ? 'Float messages' : 'Hide messages'}
            </button>
          ))}
        </div>
      </div>
      {!session.messagesEnabled && <Notice>The messages module is off: dispatches have no conversations while it is.</Notice>}
      <div className="console-grid">
        <div className="board" aria-label="Dispatch board" role="region">
          <div className="field-row">
            <div className="field">
              <label htmlFor="board-status">Status</label>
              <select id="board-status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
                <option value="">All</option>
                <option value="open">Open</option>
                <option value="closed">Closed</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="board-zone">Zone</label>
              <select id="board-zone" value={zoneFilter} onChange={(e) => setZoneFilter(e.target.value)}>
                <option value="">All zones</option>
                {session.directory.zones.map((z) => (
                  <option key={z.id} value={z.id}>
                    {z.name}
                  </option>
                ))}
              </select>
            </div>
            {manage && (
              <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
                New dispatch
              </button>
            )}
          </div>
          {creating && (
            <NewDispatch
              onCreated={(d) => {
                setCreating(false);
                void board.reload();
                navigate(dispatchPath(d.number));
              }}
            />
          )}
          <ErrorNote error={board.error} />
          {board.items === null ? (
            <Spinner />
          ) : rows.length === 0 ? (
            <p className="empty">No dispatches to show.</p>
          ) : (
            <ul className="plain-list board-list" aria-live="polite" aria-relevant="additions">
              {rows.map((d) => (
                <li key={d.id}>
                  <Link to={dispatchPath(d.number)} className={`list-item board-row${selected?.id === d.id ? ' active' : ''}`} aria-current={selected?.id === d.id ? 'page' : undefined}>
                    <span className="line">
                      <strong>{d.number}</strong>
                      <span className={`tag status-${d.status}`}>{d.status}</span>
                      <span className="grow ellipsis">{d.title}</span>
                    </span>
                    <span className="muted small">
                      {zoneNameOf(session, d.zoneId)} · {d.openTaskCount} open {d.openTaskCount === 1 ? 'task' : 'tasks'}
                      {d.address && ` · ${d.address}`}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {board.hasMore && (
            <button type="button" onClick={board.loadMore} disabled={board.loadingMore}>
              {board.loadingMore ? 'Loading…' : 'More dispatches'}
            </button>
          )}
        </div>
        <div className="details">
          {number && found === null ? (
            <Notice>There is no dispatch numbered {number}.</Notice>
          ) : number && found === undefined ? (
            <Spinner />
          ) : selected ? (
            <DispatchDetails key={selected.id} summary={selected} />
          ) : (
            <p className="muted pad">Choose a dispatch on the board{manage ? ', or create one' : ''}.</p>
          )}
        </div>
        {panel !== 'hidden' && selected && (
          <aside className={`messages-panel ${panel}`} aria-label={`Messages of dispatch ${selected.number}`}>
            <DispatchMessages key={selected.id} dispatch={selected} compact />
          </aside>
        )}
      </div>
    </section>
  );
}

function NewDispatch({ onCreated }: { onCreated: (d: DispatchSummary) => void }) {
  const session = useSession();
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  const [address, setAddress] = useState('');
  const [zoneId, setZoneId] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = await run(() => api.post<DispatchSummary>('/dispatches', { number: number.trim(), title: title.trim(), address: address.trim(), zoneId: Number(zoneId) }));
    if (d) onCreated(d);
  };
  return (
    <form className="card inset" onSubmit={submit} aria-labelledby="new-dispatch-title">
      <h2 id="new-dispatch-title">New dispatch</h2>
      <label htmlFor="dispatch-number">Number</label>
      <input id="dispatch-number" required maxLength={40} value={number} onChange={(e) => setNumber(e.target.value)} />
      <label htmlFor="dispatch-title">Title</label>
      <input id="dispatch-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="dispatch-address">Address</label>
      <input id="dispatch-address" maxLength={300} value={address} onChange={(e) => setAddress(e.target.value)} />
      <label htmlFor="dispatch-zone">Zone</label>
      <select id="dispatch-zone" required value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
        <option value="">Choose a zone…</option>
        {session.directory.zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name}
          </option>
        ))}
      </select>
      <ErrorNote error={inWords(error, session)} />
      <button type="submit" className="primary" disabled={busy}>
        Create dispatch
      </button>
    </form>
  );
}

function DispatchDetails({ summary }: { summary: DispatchSummary }) {
  const session = useSession();
  const { detail, error, reload } = useDispatchDetail(summary.id);
  const manage = session.can(DispatchPermission.Manage);
  const closing = useAction();
  const clearing = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const d: DispatchSummary & Partial<DispatchDetail> = detail ?? summary;
  const open = d.status === 'open';
  return (
    <article className="card dispatch-details" aria-labelledby={`dispatch-${d.id}-title`}>
      <h2 id={`dispatch-${d.id}-title`}>
        {d.number} · {d.title}
      </h2>
      <dl className="facts">
        <dt>Address</dt>
        <dd>{d.address || '—'}</dd>
        <dt>Zone</dt>
        <dd>{zoneNameOf(session, d.zoneId)}</dd>
        <dt>Status</dt>
        <dd>{open ? 'Open' : `Closed ${formatTime(d.closedAt)}`}</dd>
        <dt>Dispatcher</dt>
        <dd>{session.nameOf(d.dispatcherId)}</dd>
      </dl>
      <ErrorNote error={error ?? inWords(closing.error ?? clearing.error, session)} />
      <p className="sr-only" role="status">
        {status}
      </p>
      <h3>Tasks</h3>
      {!detail ? (
        <Spinner />
      ) : detail.tasks.length === 0 ? (
        <p className="muted">No officer assigned yet.</p>
      ) : (
        <ul className="plain-list tasks" aria-label={`Tasks of dispatch ${d.number}`}>
          {detail.tasks.map((t) => (
            <li key={t.id} className="task-row">
              <span className="grow">
                <strong>{session.nameOf(t.officerId)}</strong>: {t.description}
                <span className="muted small"> · {t.clearedAt ? `cleared ${formatTime(t.clearedAt)}` : 'open'}</span>
              </span>
              {!t.clearedAt && open && (manage || t.officerId === session.me.id) && (
                <button
                  type="button"
                  disabled={clearing.busy}
                  aria-label={`Clear ${session.nameOf(t.officerId)}'s task: ${t.description}`}
                  onClick={async () => {
                    const ok = await clearing.run(() => api.post(`/dispatches/${d.id}/tasks/${t.id}/clear`));
                    if (ok !== undefined) {
                      setStatus(`${session.nameOf(t.officerId)}'s task cleared.`);
                      void reload();
                    }
                  }}
                >
                  Clear
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && open && <AssignOfficer dispatch={d} onAssigned={(name) => (setStatus(`${name} assigned.`), void reload())} />}
      {manage && open && (
        <div className="actions">
          <button
            type="button"
            className="danger"
            disabled={closing.busy}
            onClick={async () => {
              if (!confirm(`Close dispatch ${d.number}? Its open tasks are cleared and its conversation becomes read only.`)) return;
              const ok = await closing.run(() => api.post(`/dispatches/${d.id}/close`));
              if (ok !== undefined) {
                setStatus(`Dispatch ${d.number} closed.`);
                void reload();
              }
            }}
          >
            Close dispatch
          </button>
        </div>
      )}
    </article>
  );
}

/** Pick the officer by zone, then by name: a searchable list, not one long select of everyone. */
function AssignOfficer({ dispatch, onAssigned }: { dispatch: DispatchSummary; onAssigned: (name: string) => void }) {
  const session = useSession();
  const [zoneId, setZoneId] = useState(String(dispatch.zoneId));
  const [query, setQuery] = useState('');
  const [officerId, setOfficerId] = useState<number | null>(null);
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();
  const zone = session.directory.zones.find((z) => z.id === Number(zoneId));
  const people = useMemo(() => {
    const q = query.trim().toLowerCase();
    return session.directory.members
      .filter((m) => m.active && (!zone || zone.memberIds.includes(m.id)) && (!q || m.name.toLowerCase().includes(q)))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [session.directory, zone, query]);
  useEffect(() => {
    if (officerId !== null && !people.some((p) => p.id === officerId)) setOfficerId(null);
  }, [people, officerId]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (officerId === null) return;
    const res = await run(() => api.post(`/dispatches/${dispatch.id}/tasks`, { officerId, description: description.trim() }));
    if (res !== undefined) {
      onAssigned(session.nameOf(officerId));
      setOfficerId(null);
      setDescription('');
      setQuery('');
    }
  };
  const listId = `officers-${dispatch.id}`;
  return (
    <form className="card inset assign" onSubmit={submit} aria-labelledby={`assign-${dispatch.id}`}>
      <h3 id={`assign-${dispatch.id}`}>Assign an officer</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor="assign-zone">Zone</label>
          <select id="assign-zone" value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
            <option value="">Everyone</option>
            {session.directory.zones.map((z) => (
              <option key={z.id} value={z.id}>
                {z.name}
                {z.id === dispatch.zoneId ? ' (this dispatch)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="assign-search">Find an officer</label>
          <input id="assign-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} aria-controls={listId} />
        </div>
      </div>
      <fieldset className="officer-list" id={listId}>
        <legend>
          Officer{zone ? ` authorized in ${zone.name}` : ''} ({people.length})
        </legend>
        {people.length === 0 && <p className="muted small">Nobody matches.</p>}
        {people.map((p) => (
          <label key={p.id} className="check">
            <input type="radio" name={`officer-${dispatch.id}`} value={p.id} checked={officerId === p.id} onChange={() => setOfficerId(p.id)} />
            {p.name}
            {p.currentZoneId && <span className="muted small"> · now in {zoneNameOf(session, p.currentZoneId)}</span>}
          </label>
        ))}
      </fieldset>
      <label htmlFor="task-description">Task</label>
      <input id="task-description" required maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      <ErrorNote error={inWords(error, session)} />
      <button type="submit" disabled={busy || officerId === null}>
        Assign
      </button>
    </form>
  );
}
