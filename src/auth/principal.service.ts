import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Authenticator, type Principal } from '../common/access';
import { TokenService } from './token.service';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 50_000;

interface PrincipalRow {
  id: number;
  department_id: number;
  name: string;
  is_admin: boolean;
  permissions: string[];
  modules: Record<string, boolean>;
}

/**
 * Resolves a token to the caller, with permissions and module switches read from the member
 * record (not frozen into the token), so an admin's change or a deactivation takes effect at
 * once in this process and within a few seconds in the others.
 */
@Injectable()
export class PrincipalService extends Authenticator {
  private readonly cache = new Map<number, { principal: Principal | null; expiresAt: number }>();

  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
  ) {
    super();
  }

  async authenticate(token: string): Promise<Principal | null> {
    const claims = this.tokens.verify(token);
    if (!claims) return null;
    const principal = await this.forMember(claims.sub);
    return principal && principal.departmentId === claims.dept ? principal : null;
  }

  /** The active member as a principal, or null. */
  async forMember(userId: number): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(userId);
    if (hit && hit.expiresAt > now) return hit.principal;
    const [row] = await this.em.getConnection().execute<PrincipalRow[]>(
      `select m.id, m.department_id, m.name, m.is_admin, m.permissions, d.modules
         from members m join departments d on d.id = m.department_id
        where m.id = ? and m.active`,
      [userId],
    );
    const principal: Principal | null = row
      ? {
          userId: row.id,
          departmentId: row.department_id,
          name: row.name,
          isAdmin: row.is_admin,
          permissions: new Set(row.permissions),
          modules: row.modules,
        }
      : null;
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(userId, { principal, expiresAt: now + CACHE_TTL_MS });
    return principal;
  }

  forgetMember(userId: number) {
    this.cache.delete(userId);
  }

  forgetDepartment(departmentId: number) {
    for (const [userId, entry] of this.cache) {
      if (entry.principal?.departmentId === departmentId) this.cache.delete(userId);
    }
  }
}
