import { useMemo, useState, type FormEvent } from 'react';
import { api, type Member } from '../../api';
import { ErrorNote, Notice, useAction } from '../../components/common';
import { Link } from '../../router';
import { useSession } from '../../session';
import { NEW_MEMBER_PERMISSIONS } from './catalog';
import { PermissionPicker } from './PermissionPicker';

/** Every member with what they may do and where they are; a form to add one. */
export function MembersScreen() {
  const { directory } = useSession();
  const [filter, setFilter] = useState('');
  const zoneName = useMemo(() => new Map(directory.zones.map((z) => [z.id, z.name])), [directory.zones]);
  const f = filter.trim().toLowerCase();
  const shown = f ? directory.members.filter((m) => m.name.toLowerCase().includes(f) || m.email.includes(f)) : directory.members;
  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      <AddMember />
      <div className="card">
        <label htmlFor="members-filter">Find a member</label>
        <input id="members-filter" type="search" placeholder="Name or email" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <p className="muted small" role="status">
          {shown.length} of {directory.members.length} members
        </p>
        <div className="table-wrap">
          <table aria-labelledby="members-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Permissions</th>
                <th scope="col">Current zone</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/admin/members/${m.id}`}>{m.name}</Link>
                    <div className="muted small">{m.email}</div>
                  </td>
                  <td>{m.isAdmin ? <strong>Administrator</strong> : m.permissions.length ? m.permissions.join(', ') : <span className="muted">none</span>}</td>
                  <td>{m.currentZoneId ? (zoneName.get(m.currentZoneId) ?? `#${m.currentZoneId}`) : <span className="muted">none</span>}</td>
                  <td>{m.active ? 'Active' : <strong>Deactivated</strong>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function AddMember() {
  const session = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [permissions, setPermissions] = useState<string[]>(NEW_MEMBER_PERMISSIONS);
  const [isAdmin, setIsAdmin] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const added = await run(async () => {
      const m = await api.post<Member>('/department/members', { name: name.trim(), email: email.trim(), password, permissions, isAdmin });
      await session.reloadDirectory();
      return m;
    });
    if (added) {
      setDone(`${added.name} was added.`);
      setName('');
      setEmail('');
      setPassword('');
      setPermissions(NEW_MEMBER_PERMISSIONS);
      setIsAdmin(false);
    }
  };
  return (
    <details className="card">
      <summary>Add a member</summary>
      <form onSubmit={submit} aria-label="Add a member">
        <div className="field-row">
          <div className="field">
            <label htmlFor="new-member-name">Name</label>
            <input id="new-member-name" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-member-email">Email</label>
            <input id="new-member-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-member-password">First password (at least 8 characters)</label>
            <input id="new-member-password" type="password" required minLength={8} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />
          <span>Administrator</span>
        </label>
        <PermissionPicker selected={permissions} onChange={setPermissions} disabled={isAdmin} />
        <ErrorNote error={error} />
        <p className="muted small" role="status">
          {done}
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add member'}
        </button>
      </form>
    </details>
  );
}

/** One member: permissions, admin flag and zone; deactivation; a new password. */
export function MemberScreen({ id }: { id: number }) {
  const session = useSession();
  const member = session.directory.members.find((m) => m.id === id);
  if (!member) return <Notice>There is no member {id} in this department.</Notice>;
  return (
    <section aria-labelledby="member-title">
      <p>
        <Link to="/admin/members">← All members</Link>
      </p>
      <h1 id="member-title">{member.name}</h1>
      <p className="muted">
        {member.email} · {member.active ? 'Active' : 'Deactivated'}
      </p>
      <MemberAccess key={`${member.id}`} member={member} />
      <MemberActive member={member} />
      <MemberPassword member={member} />
    </section>
  );
}

function MemberAccess({ member }: { member: Member }) {
  const session = useSession();
  const [permissions, setPermissions] = useState<string[]>(member.permissions);
  const [isAdmin, setIsAdmin] = useState(member.isAdmin);
  const [zoneId, setZoneId] = useState(member.currentZoneId ? String(member.currentZoneId) : '');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const saved = await run(async () => {
      const m = await api.patch<Member>(`/department/members/${member.id}`, { permissions, isAdmin, currentZoneId: zoneId ? Number(zoneId) : null });
      await session.reloadDirectory();
      return m;
    });
    if (saved) setDone(`Saved: ${saved.name} ${saved.isAdmin ? 'is an administrator' : saved.permissions.length ? `holds ${saved.permissions.join(', ')}` : 'holds no permission'}.`);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="access-title">
      <h2 id="access-title">Access and zone</h2>
      <label className="check">
        <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />
        <span>Administrator</span>
      </label>
      <PermissionPicker selected={permissions} onChange={setPermissions} disabled={isAdmin} />
      <label htmlFor="member-zone">Current zone</label>
      <select id="member-zone" value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
        <option value="">None</option>
        {session.directory.zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name}
            {z.memberIds.includes(member.id) ? '' : ' (not authorized there)'}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}

function MemberActive({ member }: { member: Member }) {
  const session = useSession();
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const self = member.id === session.me.id;
  const flip = async () => {
    setDone(null);
    const saved = await run(async () => {
      const m = await api.patch<Member>(`/department/members/${member.id}`, { active: !member.active });
      await session.reloadDirectory();
      return m;
    });
    if (saved) setDone(saved.active ? `${saved.name} is active again and can sign in.` : `${saved.name} is deactivated and was signed out everywhere.`);
  };
  return (
    <div className="card">
      <h2>{member.active ? 'Deactivate' : 'Reactivate'}</h2>
      <p className="muted small">
        {member.active ? 'A deactivated member cannot sign in, and every session they have ends at once. Their messages stay.' : 'The member can sign in again with their password.'}
      </p>
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="button" className={member.active ? 'danger' : undefined} disabled={busy || self} onClick={flip}>
        {member.active ? `Deactivate ${member.name}` : `Reactivate ${member.name}`}
      </button>
      {self && <p className="muted small">You cannot deactivate yourself.</p>}
    </div>
  );
}

function MemberPassword({ member }: { member: Member }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const res = await run(() => api.put(`/department/members/${member.id}/password`, { password }));
    if (res !== undefined) {
      setDone(`${member.name} has a new password and was signed out everywhere.`);
      setPassword('');
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="member-password-title">
      <h2 id="member-password-title">Set a new password</h2>
      <label htmlFor="member-new-password">New password for {member.name} (at least 8 characters)</label>
      <input id="member-new-password" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? 'Setting…' : 'Set password'}
      </button>
    </form>
  );
}
