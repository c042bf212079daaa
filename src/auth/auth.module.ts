import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { EntityManager } from '@mikro-orm/postgresql';
import { ACCESS_TABLE, Authenticator, type AccessTable } from '../common/access';
import type { Environment } from '../config/environment';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { JwtStrategy } from './jwt.strategy';
import { LoginService } from './login.service';
import { PrincipalService } from './principal.service';
import { RefreshService } from './refresh.service';
import { SessionService } from './session.service';
import { TokenService } from './token.service';

@Global()
@Module({})
export class AuthModule {
  /** `table`: every action of the server with what it needs; the global guard refuses what it does not list. */
  static forRoot(table: AccessTable): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule, JwtModule.register({})],
      controllers: [AuthController],
      providers: [
        {
          provide: TokenService,
          inject: [JwtService, ConfigService],
          useFactory: (jwt: JwtService, config: ConfigService<Environment, true>) =>
            new TokenService(
              jwt,
              config.get('JWT_SECRET', { infer: true }) as string,
              (config.get('JWT_PREVIOUS_SECRETS', { infer: true }) ?? '').split(',').filter(Boolean),
              config.get('JWT_EXPIRES_IN', { infer: true }),
            ),
        },
        {
          provide: RefreshService,
          inject: [EntityManager, TokenService, ConfigService],
          useFactory: (em: EntityManager, tokens: TokenService, config: ConfigService<Environment, true>) =>
            new RefreshService(em, tokens, config.get('REFRESH_TOKEN_DAYS', { infer: true })),
        },
        { provide: ACCESS_TABLE, useValue: table },
        PrincipalService,
        { provide: Authenticator, useExisting: PrincipalService },
        JwtStrategy,
        LoginService,
        SessionService,
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [TokenService, PrincipalService, SessionService, RefreshService, Authenticator, ACCESS_TABLE],
    };
  }
}
