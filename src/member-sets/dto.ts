import { ApiProperty } from '@nestjs/swagger';
import { IsIdList } from '../common/validation/ids';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class NameDto {
  @ApiProperty({ example: 'Station 1' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;
}

export class MemberIdsDto {
  @ApiProperty({ type: [Number] })
  @IsIdList('userIds', 20_000)
  userIds!: number[];
}

export class MemberSetDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [Number] }) memberIds!: number[];
}
