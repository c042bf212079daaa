import { ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { normalizeEmail } from '../common/validation/email';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password';
import { TokenService } from './token.service';

@Injectable()
export class LoginService {
  private readonly logger = new Logger('Login');

  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string; userId: number }> {
    const normalized = normalizeEmail(email);
    const [member] = await this.em.getConnection().execute<
      { id: number; department_id: number; password_hash: string; active: boolean; session_version: number }[]
    >('select id, department_id, password_hash, active, session_version from members where email = ?', [normalized]);
    // Verify against a dummy hash for an unknown email, so timing does not tell which emails exist.
    const valid = await verifyPassword(password, member?.password_hash ?? (await DUMMY_HASH_PROMISE));
    // Failed logins are logged with the email as it is compared, never with the password.
    if (!member || !valid) {
      this.logger.warn({ email: normalized, reason: member ? 'wrong password' : 'unknown email' }, 'login refused');
      throw new UnauthorizedException('Wrong email or password');
    }
    if (!member.active) {
      this.logger.warn({ email: normalized, userId: member.id, reason: 'deactivated' }, 'login refused');
      throw new ForbiddenException('This account has been deactivated');
    }
    return { accessToken: this.tokens.sign({ sub: member.id, dept: member.department_id, sv: member.session_version }), userId: member.id };
  }
}
