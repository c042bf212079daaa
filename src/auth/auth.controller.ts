import { Body, Controller, createParamDecorator, ExecutionContext, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitClass } from '../common/access';
import type { AuthenticatedRequest } from './access.guard';
import { AccessTokenDto, ChangePasswordDto, LoginDto } from './dto/login.dto';
import { LoginService } from './login.service';
import { refreshCookie, refreshTokenFrom, RefreshService, type SessionTokens } from './refresh.service';
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
    private readonly refreshes: RefreshService,
  ) {}

  @RateLimitClass('login')
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  async login(@Body() body: LoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AccessTokenDto> {
    const { accessToken } = await this.logins.login(body.email, body.password);
    return this.withCookie(await this.refreshes.startFrom(accessToken), req, reply);
  }

  /**
   * A new access token for the sign-in whose refresh cookie comes with the request (the cookie is
   * replaced: each one is good once). Needs no access token, as the one it renews may have expired.
   */
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto, description: 'A new access token; the refresh cookie is replaced' })
  async refresh(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AccessTokenDto> {
    try {
      return this.withCookie(await this.refreshes.refresh(refreshTokenFrom(req.headers.cookie)), req, reply);
    } catch (error) {
      reply.header('set-cookie', refreshCookie(null, this.cookieOptions(req)));
      throw error;
    }
  }

  /** Ends this token, its sign-in's renewal, and the sockets it opened, in every process. */
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token is ended' })
  async logout(@CallerToken() claims: AccessTokenClaims, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.sessions.logout(claims);
    reply.header('set-cookie', refreshCookie(null, this.cookieOptions(req)));
  }

  /** Ends every token issued before; the answer carries a token of the new session. */
  @Post('password')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto, description: 'A token of the new session' })
  async changePassword(
    @CallerToken() claims: AccessTokenClaims,
    @Body() body: ChangePasswordDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenDto> {
    return this.withCookie(await this.sessions.changePassword(claims, body.currentPassword, body.newPassword), req, reply);
  }

  private cookieOptions(req: FastifyRequest) {
    // Secure whenever the page came over TLS (directly or through a trusted proxy), so plain-HTTP development still works.
    return { secure: req.protocol === 'https', maxAgeSeconds: this.refreshes.maxAgeSeconds };
  }

  private withCookie(tokens: SessionTokens, req: FastifyRequest, reply: FastifyReply): AccessTokenDto {
    reply.header('set-cookie', refreshCookie(tokens.refreshToken, this.cookieOptions(req)));
    return { accessToken: tokens.accessToken };
  }
}
