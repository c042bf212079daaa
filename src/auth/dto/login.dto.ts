import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { NormalizedEmail } from '../../common/validation/email';

export class LoginDto {
  @ApiProperty({ example: 'admin@demo.example' })
  @NormalizedEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'demo-password' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password!: string;
}

export class AccessTokenDto {
  @ApiProperty()
  accessToken!: string;
}
