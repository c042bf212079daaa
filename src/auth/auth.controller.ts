import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, RateLimitClass } from '../common/access';
import { AccessTokenDto, LoginDto } from './dto/login.dto';
import { LoginService } from './login.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly logins: LoginService) {}

  @Public()
  @RateLimitClass('login')
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    const { accessToken } = await this.logins.login(body.email, body.password);
    return { accessToken };
  }
}
