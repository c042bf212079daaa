import { Notice } from '../../components/common';
import { Link, match } from '../../router';
import { useSession } from '../../session';
import { AuditScreen } from './Audit';
import { MemberScreen, MembersScreen } from './Members';
import { MemberSetsScreen, SET_KINDS, type SetKind } from './MemberSets';
import { Overview } from './Overview';
import { ShiftsScreen } from './Shifts';

const SECTIONS = [
  { to: '/admin', label: 'Overview' },
  { to: '/admin/members', label: 'Members' },
  { to: '/admin/groups', label: 'Groups' },
  { to: '/admin/roles', label: 'Roles' },
  { to: '/admin/shifts', label: 'Shifts' },
  { to: '/admin/zones', label: 'Zones' },
  { to: '/admin/audit', label: 'Audit' },
];

/** The admin console: one screen per part of the department, under `/admin`. */
export function AdminScreen({ path }: { path: string }) {
  const session = useSession();
  if (!session.me.isAdmin) return <Notice>Only the department’s administrators can see this page.</Notice>;
  const current = (to: string) => (to === '/admin' ? path === to : path === to || path.startsWith(`${to}/`));
  return (
    <div className="admin">
      <nav aria-label="Administration" className="subnav">
        {SECTIONS.map((s) => (
          <Link key={s.to} to={s.to} className={current(s.to) ? 'active' : undefined} aria-current={current(s.to) ? 'page' : undefined}>
            {s.label}
          </Link>
        ))}
      </nav>
      <AdminSection path={path} />
    </div>
  );
}

function AdminSection({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/admin') return <Overview />;
  if (path === '/admin/members') return <MembersScreen />;
  if ((m = match('/admin/members/:id', path))) return <MemberScreen key={m.id} id={Number(m.id)} />;
  if (path === '/admin/shifts') return <ShiftsScreen />;
  if (path === '/admin/audit') return <AuditScreen />;
  const kind = path.split('/')[2] as SetKind;
  if (path === `/admin/${kind}` && kind in SET_KINDS) return <MemberSetsScreen key={kind} kind={kind} />;
  return <Notice>There is no admin screen at {path}.</Notice>;
}

/** The title of an admin screen, for the page title. */
export function adminTitleOf(path: string): string {
  if (match('/admin/members/:id', path)) return 'Member';
  const section = SECTIONS.find((s) => s.to === path);
  return section && section.to !== '/admin' ? `Admin: ${section.label}` : 'Administration';
}
