import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, type Conversation } from '../../api';
import { ErrorNote, useAction } from '../../components/common';
import { useSession, type Session } from '../../session';
import { inWords, zoneNameOf } from './dispatch-data';

interface Candidate {
  id: number;
  name: string;
  /** Why they cannot be invited, or null when they can. */
  blocked: string | null;
}

/**
 * Everyone who is not in the conversation yet, grouped by their current zone. The zone rule
 * (authorized in the dispatch's zone, or in the inviter's current zone for other conversations)
 * is shown, not hidden: people it rules out are listed disabled with the reason.
 */
export function inviteCandidates(c: Conversation, session: Session): { ruleZoneName: string | null; groups: { zone: string; people: Candidate[] }[] } {
  const ruleZoneId = c.kind === 'dispatch' && c.zoneId ? c.zoneId : session.me.currentZoneId;
  const ruleZone = session.directory.zones.find((z) => z.id === ruleZoneId) ?? null;
  const present = new Set(c.members.map((m) => m.userId));
  const authorized = new Set(ruleZone?.memberIds ?? []);
  const byZone = new Map<string, Candidate[]>();
  for (const m of session.directory.members) {
    if (!m.active || m.id === session.me.id || present.has(m.id)) continue;
    const zone = m.currentZoneId ? zoneNameOf(session, m.currentZoneId) : 'No current zone';
    const blocked = !ruleZone ? 'You have no current zone' : authorized.has(m.id) ? null : `Not authorized in ${ruleZone.name}`;
    byZone.set(zone, [...(byZone.get(zone) ?? []), { id: m.id, name: m.name, blocked }]);
  }
  const groups = [...byZone.entries()]
    .map(([zone, people]) => ({ zone, people: people.sort((a, b) => Number(!!a.blocked) - Number(!!b.blocked) || a.name.localeCompare(b.name)) }))
    .sort((a, b) => (a.zone === ruleZone?.name ? -1 : b.zone === ruleZone?.name ? 1 : a.zone.localeCompare(b.zone)));
  return { ruleZoneName: ruleZone?.name ?? null, groups };
}

export function ZoneInvite({ conversation, onDone, onCancel }: { conversation: Conversation; onDone: () => void; onCancel: () => void }) {
  const session = useSession();
  const { ruleZoneName, groups } = useMemo(() => inviteCandidates(conversation, session), [conversation, session]);
  const [chosen, setChosen] = useState<number[]>([]);
  const [filter, setFilter] = useState('');
  const { busy, error, run } = useAction();
  const shown = groups
    .map((g) => ({ ...g, people: g.people.filter((p) => p.name.toLowerCase().includes(filter.trim().toLowerCase())) }))
    .filter((g) => g.people.length > 0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(() => api.post(`/conversations/${conversation.id}/invite`, { userIds: chosen }));
    if (ok !== undefined) onDone();
  };
  const toggle = (id: number, on: boolean) => setChosen((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  return (
    <form className="card inset zone-invite" onSubmit={submit} aria-label="Invite">
      <p className="muted small">
        {ruleZoneName
          ? `Only people authorized in ${ruleZoneName} can be invited${conversation.kind === 'dispatch' ? ', the zone of this dispatch' : ', your current zone'}.`
          : 'You have no current operational zone, so there is no one you may invite.'}
      </p>
      <label htmlFor={`invite-filter-${conversation.id}`}>Find a person</label>
      <input id={`invite-filter-${conversation.id}`} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="zone-groups">
        {shown.length === 0 && <p className="muted">Nobody left to invite.</p>}
        {shown.map((g) => (
          <fieldset key={g.zone}>
            <legend>{g.zone}</legend>
            {g.people.map((p) => (
              <label key={p.id} className={p.blocked ? 'check disabled' : 'check'}>
                <input type="checkbox" disabled={!!p.blocked} checked={chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} aria-describedby={p.blocked ? `why-${conversation.id}-${p.id}` : undefined} />
                {p.name}
                {p.blocked && (
                  <span id={`why-${conversation.id}-${p.id}`} className="muted small">
                    {' '}
                    · {p.blocked}
                  </span>
                )}
              </label>
            ))}
          </fieldset>
        ))}
      </div>
      <ErrorNote error={inWords(error, session)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !chosen.length}>
          Invite {chosen.length || ''}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The Invite button and the panel it opens, for a conversation's screen to place where it fits:
 * the panel closes itself on Cancel, and once people are invited, before `onInvited`.
 */
export function useZoneInvite(conversation: Conversation, onInvited: () => void): { button: ReactNode; panel: ReactNode } {
  const [open, setOpen] = useState(false);
  const button = (
    <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
      Invite
    </button>
  );
  const panel = open && (
    <ZoneInvite
      conversation={conversation}
      onCancel={() => setOpen(false)}
      onDone={() => {
        setOpen(false);
        onInvited();
      }}
    />
  );
  return { button, panel };
}
