import { useState, type FormEvent } from 'react';
import { api, type Department } from '../../api';
import { ErrorNote, useAction } from '../../components/common';
import { Link } from '../../router';
import { useSession } from '../../session';

/** The module switch, the department at a glance, and a quick password reset. */
export function Overview() {
  const session = useSession();
  const { busy, error, run } = useAction();
  const on = session.messagesEnabled;
  const toggle = async () => {
    const d = await run(() => api.put<Department>('/department/modules/messages', { enabled: !on }));
    if (d) session.setDepartment(d);
  };
  const { members, groups, roles, shifts, zones } = session.directory;
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <div className="card">
        <h2>Modules</h2>
        <div className="switch-row">
          <div>
            <strong id="messages-switch-label">Messages</strong>
            <p className="muted small">Department mail, live conversations and dispatch chat. While off, members cannot read or send messages.</p>
          </div>
          <button type="button" role="switch" aria-checked={on} aria-labelledby="messages-switch-label" className={`switch${on ? ' on' : ''}`} disabled={busy} onClick={toggle}>
            <span className="switch-knob" aria-hidden />
            <span className="switch-text">{on ? 'On' : 'Off'}</span>
          </button>
        </div>
        <ErrorNote error={error} />
        <p className="muted small" role="status" data-testid="messages-module-state">
          The messages module is {on ? 'on' : 'off'} for {session.department.name}.
        </p>
      </div>
      <ResetPassword />
      <div className="card">
        <h2>Department</h2>
        <dl className="stats">
          <div>
            <dt>
              <Link to="/admin/members">Members</Link>
            </dt>
            <dd>{members.filter((m) => m.active).length}</dd>
          </div>
          <div>
            <dt>
              <Link to="/admin/groups">Groups</Link>
            </dt>
            <dd>{groups.length}</dd>
          </div>
          <div>
            <dt>
              <Link to="/admin/roles">Roles</Link>
            </dt>
            <dd>{roles.length}</dd>
          </div>
          <div>
            <dt>
              <Link to="/admin/shifts">Shifts</Link>
            </dt>
            <dd>{shifts.length}</dd>
          </div>
          <div>
            <dt>
              <Link to="/admin/zones">Zones</Link>
            </dt>
            <dd>{zones.length}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}

/** For a lost or leaked password: sets a new one and signs the member out everywhere. */
function ResetPassword() {
  const { members } = useSession().directory;
  const [memberId, setMemberId] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const res = await run(() => api.put(`/department/members/${memberId}/password`, { password }));
    if (res !== undefined) {
      setDone(`${members.find((m) => String(m.id) === memberId)?.name ?? 'The member'} has a new password and was signed out everywhere.`);
      setPassword('');
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="reset-title">
      <h2 id="reset-title">Reset a member’s password</h2>
      <label htmlFor="reset-member">Member</label>
      <select id="reset-member" required value={memberId} onChange={(e) => setMemberId(e.target.value)}>
        <option value="">Choose…</option>
        {members.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name} ({m.email})
          </option>
        ))}
      </select>
      <label htmlFor="reset-password">New password (at least 8 characters)</label>
      <input id="reset-password" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      <ErrorNote error={error} />
      {done && (
        <p className="muted small" role="status">
          {done}
        </p>
      )}
      <button type="submit" disabled={busy || !memberId}>
        {busy ? 'Resetting…' : 'Reset password'}
      </button>
    </form>
  );
}
