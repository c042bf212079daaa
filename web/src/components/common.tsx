import { useId, useMemo, useState, type ReactNode } from 'react';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

export function ErrorNote({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

export const TYPE_LABELS: Record<string, string> = { normal: 'Message', callback: 'Callback', poll: 'Poll', alert: 'Alert' };

export function TypeTag({ type }: { type: string }) {
  if (type === 'normal') return null;
  return <span className={`tag tag-${type}`}>{TYPE_LABELS[type] ?? type}</span>;
}

export interface Choice {
  id: number;
  name: string;
  hint?: string;
}

/**
 * A labelled, filterable list of checkboxes: keyboard-usable (Tab between boxes, Space to tick),
 * with the chosen ones shown first as removable chips.
 */
export function MultiPicker({
  label,
  choices,
  selected,
  onChange,
  filterable = choices.length > 8,
  emptyText = 'Nothing to choose from.',
}: {
  label: string;
  choices: Choice[];
  selected: number[];
  onChange: (ids: number[]) => void;
  filterable?: boolean;
  emptyText?: string;
}) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const chosen = new Set(selected);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? choices.filter((c) => c.name.toLowerCase().includes(f)) : choices;
  }, [choices, filter]);
  const toggle = (cid: number) => onChange(chosen.has(cid) ? selected.filter((s) => s !== cid) : [...selected, cid]);
  return (
    <fieldset className="picker">
      <legend>
        {label}
        {selected.length > 0 && <span className="count"> · {selected.length} chosen</span>}
      </legend>
      {selected.length > 0 && (
        <div className="chips">
          {choices
            .filter((c) => chosen.has(c.id))
            .map((c) => (
              <button type="button" key={c.id} className="chip" onClick={() => toggle(c.id)} aria-label={`Remove ${c.name}`}>
                {c.name} <span aria-hidden>×</span>
              </button>
            ))}
        </div>
      )}
      {filterable && (
        <>
          <label className="sr-only" htmlFor={`${id}-filter`}>
            Filter {label.toLowerCase()}
          </label>
          <input id={`${id}-filter`} type="search" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </>
      )}
      <div className="picker-list">
        {choices.length === 0 && <p className="muted">{emptyText}</p>}
        {shown.map((c) => (
          <label key={c.id} className="check">
            <input type="checkbox" checked={chosen.has(c.id)} onChange={() => toggle(c.id)} />
            <span>{c.name}</span>
            {c.hint && <span className="muted small">{c.hint}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

/** Keeps an action's busy flag and error together. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
