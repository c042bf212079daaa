import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { Authenticator } from '../common/access';
import type { Environment } from '../config/environment';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { JwtStrategy } from './jwt.strategy';
import { LoginService } from './login.service';
import { PrincipalService } from './principal.service';
import { TokenService } from './token.service';

@Global()
@Module({
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
    PrincipalService,
    { provide: Authenticator, useExisting: PrincipalService },
    JwtStrategy,
    LoginService,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [TokenService, PrincipalService, Authenticator],
})
export class AuthModule {}
