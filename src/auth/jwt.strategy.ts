import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../common/access';
import { PrincipalService } from './principal.service';
import { TokenService, type AccessTokenClaims } from './token.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokenService,
    private readonly principals: PrincipalService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['HS256'],
      secretOrKeyProvider: (_request, rawToken: string, done) => {
        const key = tokens.keyFor(rawToken);
        // jsonwebtoken takes a KeyObject though the typings say string | Buffer.
        if (key) done(null, key as unknown as Buffer);
        else done(new Error('unknown signing key'));
      },
    });
  }

  async validate(claims: AccessTokenClaims): Promise<{ principal: Principal; claims: AccessTokenClaims } | false> {
    const principal = await this.principals.forToken(claims);
    return principal ? { principal, claims } : false;
  }
}
