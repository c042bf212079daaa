import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { normalizeEmail } from '../common/validation/email';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password';
import { TokenService } from './token.service';

@Injectable()
export class LoginService {
  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string; userId: number }> {
    const [member] = await this.em.getConnection().execute<
      { id: number; department_id: number; password_hash: string; active: boolean; session_version: number }[]
    >('select id, department_id, password_hash, active, session_version from members where email = ?', [normalizeEmail(email)]);
    // Verify against a dummy hash for an unknown email, so timing does not tell which emails exist.
    const valid = await verifyPassword(password, member?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!member || !valid) throw new UnauthorizedException('Wrong email or password');
    if (!member.active) throw new ForbiddenException('This account has been deactivated');
    return { accessToken: this.tokens.sign({ sub: member.id, dept: member.department_id, sv: member.session_version }), userId: member.id };
  }
}
