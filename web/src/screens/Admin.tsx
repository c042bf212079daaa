import { api, type Department } from '../api';
import { ErrorNote, Notice, useAction } from '../components/common';
import { useSession } from '../session';

export function AdminScreen() {
  const session = useSession();
  const { busy, error, run } = useAction();
  if (!session.me.isAdmin) return <Notice>Only the department’s administrators can see this page.</Notice>;
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
      <div className="card">
        <h2>Department</h2>
        <dl className="stats">
          <div>
            <dt>Members</dt>
            <dd>{members.filter((m) => m.active).length}</dd>
          </div>
          <div>
            <dt>Groups</dt>
            <dd>{groups.length}</dd>
          </div>
          <div>
            <dt>Roles</dt>
            <dd>{roles.length}</dd>
          </div>
          <div>
            <dt>Shifts</dt>
            <dd>{shifts.length}</dd>
          </div>
          <div>
            <dt>Zones</dt>
            <dd>{zones.length}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}
