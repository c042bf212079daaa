import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsPositive,
  Max,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { NormalizedEmail } from '../../common/validation/email';

export class NewMemberDto {
  @ApiProperty({ example: 'Alex Rivera' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;

  @ApiProperty({ example: 'alex@station1.example' })
  @NormalizedEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(200)
  password!: string;

  // Checked against the mounted modules' permissions by the department service.
  @ApiPropertyOptional({ type: [String], description: 'e.g. Messages_View, Dispatches_Manage' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  permissions?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isAdmin?: boolean;
}

export class NewDepartmentAdminDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;

  @ApiProperty()
  @NormalizedEmail()
  @IsEmail({}, { message: 'admin.email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8, { message: 'admin.password must be at least 8 characters' })
  @MaxLength(200)
  password!: string;
}

/** What a sign-up answers, whether the department was created or the email was already in use. */
export class SignUpAnswer {
  @ApiProperty()
  message!: string;
}

export class NewDepartmentDto {
  @ApiProperty({ example: 'Riverside Fire & Rescue' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: NewDepartmentAdminDto })
  @IsDefined({ message: 'admin is required: { name, email, password }' })
  @IsObject({ message: 'admin must be an object: { name, email, password }' })
  @ValidateNested()
  @Type(() => NewDepartmentAdminDto)
  admin!: NewDepartmentAdminDto;
}

export class MemberChangesDto {
  // Checked against the mounted modules' permissions by the department service.
  @ApiPropertyOptional({ type: [String], description: 'e.g. Messages_View, Dispatches_Manage' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  permissions?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isAdmin?: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'The member’s current operational zone' })
  @IsOptional()
  @IsInt()
  @IsPositive()
  @Max(2_147_483_647, { message: 'currentZoneId must be a positive integer' })
  currentZoneId?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ModuleSwitchDto {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;
}

export class MemberView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: [String] }) permissions!: string[];
  @ApiProperty() isAdmin!: boolean;
  @ApiProperty() active!: boolean;
  @ApiProperty({ nullable: true, type: Number }) currentZoneId!: number | null;
}

export class DepartmentView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ example: { messages: true } }) modules!: Record<string, boolean>;
}
