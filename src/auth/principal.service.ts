import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Authenticator, type Principal } from '../common/access';
import { DatabaseNotifications, type NotificationSubscription } from '../database/database-notifications';
import { completeClaims, TokenService, type AccessTokenClaims } from './token.service';
import { VerifiedTokens } from './verified-tokens';

/** Every process listens here; a change to a member or a department's modules is announced on it. */
const CHANNEL = 'principal_changed';
/** While the process hears the announcements, a cached principal stays until one concerns it. */
const LISTENING_TTL_MS = 10 * 60_000;
/** Without them (not yet connected, or the listening connection dropped) changes show within this. */
const FALLBACK_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 50_000;

interface PrincipalRow {
  id: number;
  department_id: number;
  name: string;
  is_admin: boolean;
  permissions: string[];
  modules: Record<string, boolean>;
  session_version: number;
  revoked: string[];
}

/** A member as tokens are checked against: who they are, and which of their tokens still count. */
interface MemberRecord {
  principal: Principal;
  sessionVersion: number;
  /** Ids of their tokens ended by logout that have not yet expired. */
  revoked: ReadonlySet<string>;
}

type Change = { userId: number } | { departmentId: number };

/**
 * Resolves a token to the caller, with permissions and module switches read from the member
 * record (not frozen into the token). Principals are cached: the dashboard polls all day, so
 * a per-request lookup would cost every request a database round trip. Changes are announced
 * with NOTIFY and every process forgets the principals concerned at once; while a process
 * cannot hear them its cache falls back to a few seconds.
 */
/** The principal a complete, verified token names with the member's record, or why it names none. */
function verdict(claims: AccessTokenClaims, record: MemberRecord | null): Principal | string {
  if (!record) return 'This account is deactivated';
  if (record.principal.departmentId !== claims.dept) return 'A valid access token is required';
  if (record.sessionVersion !== claims.sv) return 'The password was changed; sign in again';
  if (record.revoked.has(claims.jti)) return 'This session was signed out';
  return record.principal;
}

@Injectable()
export class PrincipalService extends Authenticator implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new Map<number, { record: MemberRecord | null; expiresAt: number }>();
  /** Raised by every change heard; a lookup that overlapped one is not cached. */
  private changes = 0;
  private subscription?: NotificationSubscription;
  /** Signatures checked once per token (until it expires), as the HTTP guard does: modules poll through here too. */
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
    private readonly notifications: DatabaseNotifications,
  ) {
    super();
  }

  async onModuleInit() {
    // The process's one listening connection, shared with every other cache fed by announcements.
    this.subscription = await this.notifications.listen(CHANNEL, (payload) => this.heard(payload), {
      onLost: () => this.forgetAll(),
      onRestored: () => {
        // Whatever changed while nobody was listening is forgotten with the cache, and open sockets are checked again.
        this.forgetAll();
        this.changed({ everyone: true });
      },
    });
  }

  async onModuleDestroy() {
    await this.subscription?.close();
  }

  /** Announcements are heard now: cached principals may stay until one concerns them. */
  private get listening(): boolean {
    return this.subscription?.listening ?? false;
  }

  private heard(payload: string | undefined) {
    try {
      const change = JSON.parse(payload ?? '') as Change;
      if ('userId' in change) this.forgetMember(change.userId);
      else this.forgetDepartment(change.departmentId);
      this.changed(change);
    } catch {
      this.forgetAll();
    }
  }

  authenticate(token: string): Promise<Principal | null> {
    const claims = this.verifiedClaims(token);
    if (!claims) return Promise.resolve(null);
    // A member already known is judged at once: a polled request then waits on one promise, not four.
    const known = completeClaims(claims) ? this.cachedRecord(claims.sub) : undefined;
    if (known === undefined) return this.forToken(claims);
    const judged = verdict(claims, known);
    return Promise.resolve(typeof judged === 'string' ? null : judged);
  }

  /** The claims of a valid token: remembered from an earlier check until it expires, else verified now. */
  private verifiedClaims(token: string): AccessTokenClaims | null {
    const known = this.verified.get(token);
    if (known) return known;
    const claims = this.tokens.verify(token);
    if (claims) this.verified.remember(token, claims);
    return claims;
  }

  override async check(token: string): Promise<{ principal: Principal } | { refused: string }> {
    const claims = this.tokens.verify(token);
    if (!claims) return { refused: 'Your access token has expired or is not valid; sign in again' };
    const judged = await this.judge(claims);
    return typeof judged === 'string' ? { refused: judged } : { principal: judged };
  }

  /**
   * The caller a verified token names, or null: the member must be active in the token's
   * department, the token of their current session version, and not logged out.
   */
  async forToken(claims: AccessTokenClaims): Promise<Principal | null> {
    const judged = await this.judge(claims);
    return typeof judged === 'string' ? null : judged;
  }

  /** The principal, or why the token does not name one. */
  private async judge(claims: AccessTokenClaims): Promise<Principal | string> {
    if (!completeClaims(claims)) return 'A valid access token is required';
    return verdict(claims, await this.recordOf(claims.sub));
  }

  /** The member's record while cached (null: known to be inactive); undefined when it is to be read. */
  private cachedRecord(userId: number): MemberRecord | null | undefined {
    const hit = this.cache.get(userId);
    return hit && hit.expiresAt > Date.now() ? hit.record : undefined;
  }

  private async recordOf(userId: number): Promise<MemberRecord | null> {
    const cached = this.cachedRecord(userId);
    if (cached !== undefined) return cached;
    const now = Date.now();
    const changesBefore = this.changes;
    const [row] = await this.em.getConnection().execute<PrincipalRow[]>(
      `select m.id, m.department_id, m.name, m.is_admin, m.permissions, d.modules, m.session_version,
              array(select r.token_id from revoked_tokens r where r.member_id = m.id and r.expires_at > now()) as revoked
         from members m join departments d on d.id = m.department_id
        where m.id = ? and m.active`,
      [userId],
    );
    const record: MemberRecord | null = row
      ? {
          principal: {
            userId: row.id,
            departmentId: row.department_id,
            name: row.name,
            isAdmin: row.is_admin,
            permissions: new Set(row.permissions),
            modules: row.modules,
          },
          sessionVersion: row.session_version,
          revoked: new Set(row.revoked),
        }
      : null;
    if (this.changes === changesBefore) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(userId, { record, expiresAt: now + (this.listening ? LISTENING_TTL_MS : FALLBACK_TTL_MS) });
    }
    return record;
  }

  /** After a committed change to a member: forgotten here at once, and announced to every process. */
  async memberChanged(userId: number): Promise<void> {
    this.forgetMember(userId);
    await this.announce({ userId });
  }

  /** After a committed change to a department (its modules): the same for all its members. */
  async departmentChanged(departmentId: number): Promise<void> {
    this.forgetDepartment(departmentId);
    await this.announce({ departmentId });
  }

  private async announce(change: Change) {
    await this.em.getConnection().execute('select pg_notify(?, ?)', [CHANNEL, JSON.stringify(change)]);
  }

  forgetMember(userId: number) {
    this.changes++;
    this.cache.delete(userId);
  }

  forgetDepartment(departmentId: number) {
    this.changes++;
    for (const [userId, entry] of this.cache) {
      if (entry.record?.principal.departmentId === departmentId) this.cache.delete(userId);
    }
  }

  private forgetAll() {
    this.changes++;
    this.cache.clear();
  }
}
