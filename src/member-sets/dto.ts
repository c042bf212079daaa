import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsPositive, IsString, Max, MaxLength, MinLength } from 'class-validator';

export class NameDto {
  @ApiProperty({ example: 'Station 1' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;
}

export class MemberIdsDto {
  @ApiProperty({ type: [Number] })
  @IsArray()
  @ArrayMaxSize(20000)
  @IsInt({ each: true, message: 'each of userIds must be a positive integer' })
  @IsPositive({ each: true, message: 'each of userIds must be a positive integer' })
  @Max(2_147_483_647, { each: true, message: 'each of userIds must be a positive integer' })
  userIds!: number[];
}

export class MemberSetDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [Number] }) memberIds!: number[];
}
