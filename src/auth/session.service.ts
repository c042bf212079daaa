import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors/domain-error';
import { hashPassword, verifyPassword } from './password';
import { PrincipalService } from './principal.service';
import { RefreshService, type SessionTokens } from './refresh.service';
import type { AccessTokenClaims } from './token.service';

/**
 * Ending sessions. Logout puts the token's id on a deny-list until the token would have
 * expired; a new password raises the member's session version, which ends every token issued
 * before. Either way the change is announced, so every process forgets the member at once and
 * closes the sockets those tokens opened.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly principals: PrincipalService,
    private readonly refresh: RefreshService,
  ) {}

  async logout(claims: AccessTokenClaims): Promise<void> {
    await this.em.getConnection().execute(
      `with gone as (delete from revoked_tokens where expires_at <= now())
       insert into revoked_tokens (token_id, member_id, expires_at) values (?, ?, to_timestamp(?)) on conflict (token_id) do nothing`,
      [claims.jti, claims.sub, claims.exp],
    );
    await this.refresh.end(claims.fam);
    await this.principals.memberChanged(claims.sub);
  }

  /** The caller's own change; answers with a token of the new session, so this client stays signed in. */
  async changePassword(claims: AccessTokenClaims, currentPassword: string, newPassword: string): Promise<SessionTokens> {
    const [member] = await this.em
      .getConnection()
      .execute<{ password_hash: string }[]>('select password_hash from members where id = ? and department_id = ?', [claims.sub, claims.dept]);
    if (!member || !(await verifyPassword(currentPassword, member.password_hash))) {
      throw DomainError.forbidden('currentPassword is not your current password');
    }
    const sessionVersion = await this.setPassword(claims.dept, claims.sub, newPassword);
    return this.refresh.start({ sub: claims.sub, dept: claims.dept, sv: sessionVersion });
  }

  /** An admin's reset of a member of their department; the member's sessions all end. */
  async resetPassword(departmentId: number, memberId: number, newPassword: string): Promise<void> {
    await this.setPassword(departmentId, memberId, newPassword);
  }

  private async setPassword(departmentId: number, memberId: number, password: string): Promise<number> {
    const [updated] = await this.em
      .getConnection()
      .execute<{ session_version: number }[]>(
        `update members set password_hash = ?, session_version = session_version + 1
          where id = ? and department_id = ? returning session_version`,
        [await hashPassword(password), memberId, departmentId],
      );
    if (!updated) throw DomainError.notFound(`Member ${memberId} not found`);
    await this.refresh.endAllOf(memberId);
    await this.principals.memberChanged(memberId);
    return updated.session_version;
  }
}
