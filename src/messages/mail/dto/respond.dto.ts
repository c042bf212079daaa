import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ResponseCode } from '../../realtime/socket-events';

export const RESPONSE_CODES: readonly ResponseCode[] = ['yes', 'no', 'maybe'];

export class RespondDto {
  @ApiProperty({ enum: RESPONSE_CODES })
  @IsIn(RESPONSE_CODES)
  response!: ResponseCode;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}
