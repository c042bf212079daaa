import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type MemberSet } from '../../api';
import { ErrorNote, MultiPicker, useAction } from '../../components/common';
import { useSession } from '../../session';

export const SET_KINDS = {
  groups: { title: 'Groups', one: 'group', hint: 'Stations and units.', membersLabel: 'Members' },
  roles: { title: 'Roles', one: 'role', hint: 'Qualifications such as EMT or Engineer.', membersLabel: 'Holders' },
  zones: { title: 'Zones', one: 'zone', hint: 'Operational zones. Members authorized in a zone may be invited into its conversations; a member’s current zone is set on their page.', membersLabel: 'Authorized' },
} as const;
export type SetKind = keyof typeof SET_KINDS;

/** Groups, roles or zones: create one, and choose who is in it. */
export function MemberSetsScreen({ kind }: { kind: SetKind }) {
  const session = useSession();
  const k = SET_KINDS[kind];
  const sets = session.directory[kind];
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section aria-labelledby="sets-title">
      <h1 id="sets-title">{k.title}</h1>
      <p className="muted">{k.hint}</p>
      <NewSet path={`/${kind}`} one={k.one} onCreated={(s) => setOpen(s.id)} />
      {sets.length === 0 && <p className="empty">No {kind} yet.</p>}
      <ul className="plain-list">
        {sets.map((s) => (
          <li key={s.id} className="list-item">
            <SetRow set={s} kind={kind} open={open === s.id} onToggle={() => setOpen(open === s.id ? null : s.id)} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function SetRow({ set, kind, open, onToggle }: { set: MemberSet; kind: SetKind; open: boolean; onToggle: () => void }) {
  const { directory, nameOf } = useSession();
  const k = SET_KINDS[kind];
  const here = kind === 'zones' ? directory.members.filter((m) => m.currentZoneId === set.id) : [];
  return (
    <>
      <div className="line">
        <h2 className="grow">{set.name}</h2>
        <button type="button" aria-expanded={open} onClick={onToggle}>
          {open ? 'Close' : `Edit ${k.membersLabel.toLowerCase()}`}
          <span className="sr-only"> of {set.name}</span>
        </button>
      </div>
      <p className="muted small">
        {k.membersLabel}: {set.memberIds.length ? set.memberIds.map((id) => nameOf(id)).sort((a, b) => a.localeCompare(b)).join(', ') : 'nobody'}
      </p>
      {kind === 'zones' && <p className="muted small">Currently in {set.name}: {here.length ? here.map((m) => m.name).join(', ') : 'nobody'}</p>}
      {open && <SetMembersEditor path={`/${kind}/${set.id}/members`} label={`${k.membersLabel} of ${set.name}`} initial={set.memberIds} />}
    </>
  );
}

export function NewSet({ path, one, onCreated, children, body }: { path: string; one: string; onCreated?: (s: MemberSet) => void; children?: ReactNode; body?: () => Record<string, unknown> }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const created = await run(async () => {
      const s = await api.post<MemberSet>(path, { name: name.trim(), ...body?.() });
      await session.reloadDirectory();
      return s;
    });
    if (created) {
      setDone(`The ${one} ${created.name} was created.`);
      setName('');
      onCreated?.(created);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby={`new-${one}-title`}>
      <h2 id={`new-${one}-title`}>New {one}</h2>
      <label htmlFor={`new-${one}-name`}>Name</label>
      <input id={`new-${one}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      {children}
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : `Create ${one}`}
      </button>
    </form>
  );
}

/** Who is in a group, role, shift or zone: ticked in a list, saved at once as the whole set. */
export function SetMembersEditor({ path, label, initial, onSaved }: { path: string; label: string; initial: number[]; onSaved?: () => void }) {
  const session = useSession();
  const [ids, setIds] = useState<number[]>(initial);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const people = session.directory.members.filter((m) => m.active || initial.includes(m.id)).map((m) => ({ id: m.id, name: m.name, hint: m.email }));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const res = await run(async () => {
      await api.put(path, { userIds: ids });
      await session.reloadDirectory();
      return true;
    });
    if (res) {
      setDone(`Saved: ${ids.length} ${ids.length === 1 ? 'person' : 'people'}.`);
      onSaved?.();
    }
  };
  return (
    <form onSubmit={save} className="card inset">
      <MultiPicker label={label} choices={people} selected={ids} onChange={setIds} filterable />
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}
