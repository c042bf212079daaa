import { Body, Controller, createParamDecorator, ExecutionContext, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RateLimitClass } from '../common/access';
import type { AuthenticatedRequest } from './access.guard';
import { AccessTokenDto, ChangePasswordDto, LoginDto } from './dto/login.dto';
import { LoginService } from './login.service';
import { SessionService } from './session.service';
import type { AccessTokenClaims } from './token.service';

/** The claims of the caller's own token, as the access guard verified them. */
const CallerToken = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessTokenClaims => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().claims;
});

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
  ) {}

  @RateLimitClass('login')
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  async login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    const { accessToken } = await this.logins.login(body.email, body.password);
    return { accessToken };
  }

  /** Ends this token, and the sockets it opened, in every process. */
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token is ended' })
  logout(@CallerToken() claims: AccessTokenClaims): Promise<void> {
    return this.sessions.logout(claims);
  }

  /** Ends every token issued before; the answer carries a token of the new session. */
  @Post('password')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto, description: 'A token of the new session' })
  changePassword(@CallerToken() claims: AccessTokenClaims, @Body() body: ChangePasswordDto): Promise<AccessTokenDto> {
    return this.sessions.changePassword(claims, body.currentPassword, body.newPassword);
  }
}
