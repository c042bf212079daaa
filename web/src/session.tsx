import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type Department, type Member, type MemberSet } from './api';
import { Realtime } from './realtime';
import type { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import type { MessagesPermission } from '../../src/messages/messages.permissions';

export interface Directory {
  members: Member[];
  groups: MemberSet[];
  roles: MemberSet[];
  shifts: MemberSet[];
  zones: MemberSet[];
}

export interface Session {
  token: string;
  me: Member;
  department: Department;
  directory: Directory;
  nameOf: (userId: number | null | undefined) => string;
  can: (permission: MessagesPermission | DispatchPermission) => boolean;
  messagesEnabled: boolean;
  realtime: Realtime;
  setDepartment: (d: Department) => void;
  reloadDirectory: () => Promise<void>;
  /** Ends this token on the server (and its socket), then shows the login. */
  signOut: () => void;
  /** After a password change: the new session's token replaces this one. */
  replaceToken: (token: string) => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

/** The user id the token was issued to (its `sub` claim); the server checks the signature. */
export function userIdOf(token: string): number | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.sub === 'number' ? payload.sub : Number(payload.sub) || null;
  } catch {
    return null;
  }
}

async function loadDirectory(): Promise<Directory> {
  const [members, groups, roles, shifts, zones] = await Promise.all([
    api.get<Member[]>('/department/members'),
    api.get<MemberSet[]>('/groups'),
    api.get<MemberSet[]>('/roles'),
    api.get<MemberSet[]>('/shifts'),
    api.get<MemberSet[]>('/zones'),
  ]);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { members: members.sort(byName), groups: groups.sort(byName), roles: roles.sort(byName), shifts: shifts.sort(byName), zones: zones.sort(byName) };
}

export function SessionProvider({
  token,
  onLogout,
  onToken,
  children,
  fallback,
}: {
  token: string;
  onLogout: () => void;
  onToken: (token: string) => void;
  children: ReactNode;
  fallback: (error: string | null) => ReactNode;
}) {
  const [department, setDepartment] = useState<Department | null>(null);
  const [directory, setDirectory] = useState<Directory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [realtime] = useState(() => new Realtime(token));

  useEffect(() => {
    realtime.open();
    return () => realtime.close();
  }, [realtime]);

  useEffect(() => {
    let live = true;
    Promise.all([api.get<Department>('/department'), loadDirectory()])
      .then(([d, dir]) => {
        if (!live) return;
        setDepartment(d);
        setDirectory(dir);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);

  const reloadDirectory = useCallback(async () => setDirectory(await loadDirectory()), []);
  const changeDepartment = useCallback(
    (d: Department) => {
      setDepartment(d);
      if (d.modules.messages) realtime.retry();
    },
    [realtime],
  );

  const session = useMemo<Session | null>(() => {
    if (!department || !directory) return null;
    const myId = userIdOf(token);
    const me = directory.members.find((m) => m.id === myId);
    if (!me) return null;
    const names = new Map(directory.members.map((m) => [m.id, m.name]));
    return {
      token,
      me,
      department,
      directory,
      nameOf: (id) => (id == null ? 'System' : (names.get(id) ?? `#${id}`)),
      can: (policy) => me.isAdmin || me.permissions.includes(policy),
      messagesEnabled: department.modules.messages !== false,
      realtime,
      setDepartment: changeDepartment,
      reloadDirectory,
      signOut: () => void api.post('/auth/logout').catch(() => undefined).finally(onLogout),
      replaceToken: onToken,
    };
  }, [department, directory, token, realtime, changeDepartment, reloadDirectory, onLogout, onToken]);

  if (!session) return <>{fallback(error)}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
