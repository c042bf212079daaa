import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, lifetimeOf, renewSession, tokenStore, type Department, type Member, type MemberSet } from './api';
import { forgetDrafts } from './drafts';
import { Realtime } from './realtime';
import type { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import { MessagesPermission } from '../../src/messages/messages.permissions';

/** How often a page whose socket was refused looks for its access to come back. */
const ACCESS_RECHECK_MS = 20_000;

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
  /** Said to the member when their own access changed while the page was open; null otherwise. */
  accessNotice: string | null;
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
  /** With the server's reason when the session ended by itself; none when the user signed out. */
  onLogout: (reason?: string) => void;
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
    const offEnded = realtime.onEnded((reason) => onLogout(reason));
    return () => {
      offEnded();
      realtime.close();
    };
  }, [realtime, onLogout]);

  // The access token is renewed when four fifths of its life are gone, so an idle page stays signed in.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const current = tokenStore.get();
      const life = current ? lifetimeOf(current) : null;
      if (!current || !life) return;
      const due = life.issuedAt + (life.expiresAt - life.issuedAt) * 0.8 - Date.now();
      timer = setTimeout(() => {
        renewSession(current).then(
          (renewed) => (renewed ? schedule() : onLogout('Your session has expired; sign in again')),
          // Not reachable now (offline): tried again shortly; a request's 401 also renews.
          () => (timer = setTimeout(schedule, 10_000)),
        );
      }, Math.max(0, due));
    };
    schedule();
    return () => clearTimeout(timer);
  }, [onLogout]);

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
  const [accessNotice, setAccessNotice] = useState<string | null>(null);
  const directoryRef = useRef<Directory | null>(null);
  directoryRef.current = directory;

  // The member's own access, as last read: a change heard on the socket reads it again and says what changed.
  const myId = userIdOf(token);
  const refreshAccess = useCallback(async () => {
    // A token replaced meanwhile (a password change) belongs to the next session, which reads for itself.
    const current = tokenStore.get();
    if (!current || userIdOf(current) !== myId) throw new Error('This session was replaced');
    const [d, dir] = await Promise.all([api.get<Department>('/department'), loadDirectory()]);
    setDepartment(d);
    const was = directoryRef.current?.members.find((m) => m.id === myId);
    const now = dir.members.find((m) => m.id === myId);
    if (was && now) {
      const gained = now.permissions.filter((p) => !was.permissions.includes(p));
      const lost = was.permissions.filter((p) => !now.permissions.includes(p));
      const parts = [
        ...(now.isAdmin !== was.isAdmin ? [now.isAdmin ? 'you are now an administrator' : 'you are no longer an administrator'] : []),
        ...(gained.length ? [`you now hold ${gained.join(', ')}`] : []),
        ...(lost.length ? [`you no longer hold ${lost.join(', ')}`] : []),
        ...(now.active ? [] : ['your account is deactivated']),
      ];
      if (parts.length) setAccessNotice(`An administrator changed your access: ${parts.join('; ')}.`);
    }
    setDirectory(dir);
    return { department: d, me: dir.members.find((m) => m.id === myId) };
  }, [myId, token]);

  useEffect(() => {
    let poll: ReturnType<typeof setInterval> | undefined;
    const stopPolling = () => {
      clearInterval(poll);
      poll = undefined;
    };
    // While the socket is refused (say, Messages_View withdrawn), look now and then for the access to come back.
    const recheck = async () => {
      const { department: d, me } = await refreshAccess();
      const canConnect = d.modules.messages !== false && !!me && me.active && (me.isAdmin || me.permissions.includes(MessagesPermission.View));
      if (canConnect) {
        stopPolling();
        realtime.retry();
      }
    };
    const offChanged = realtime.on('access:changed', ({ scope }) => {
      // A department's change reaches every member at once: only the department is read again.
      const read = scope === 'member' ? refreshAccess() : api.get<Department>('/department').then(setDepartment);
      void read.catch(() => undefined);
    });
    const offEnded = realtime.on('session:ended', (reason) => {
      // 401: this session is over (or a new one replaces it, after a password change): nothing to read with it.
      // 403: still signed in, with less access.
      if (reason.statusCode !== 403) return;
      void refreshAccess().catch(() => undefined);
      if (!poll) poll = setInterval(() => void recheck().catch(() => undefined), ACCESS_RECHECK_MS + Math.random() * ACCESS_RECHECK_MS);
    });
    return () => {
      offChanged();
      offEnded();
      stopPolling();
    };
  }, [realtime, refreshAccess]);
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
      accessNotice,
      signOut: () => {
        forgetDrafts(me.id);
        void api.post('/auth/logout').catch(() => undefined).finally(() => onLogout());
      },
      replaceToken: onToken,
    };
  }, [department, directory, token, realtime, changeDepartment, reloadDirectory, accessNotice, onLogout, onToken]);

  if (!session) return <>{fallback(error)}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
