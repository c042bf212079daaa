import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** `<rank>_<0 mail | 1 conversation>_<message or conversation id>_<seq or 0>` of the last hit of a page. */
export const SEARCH_CURSOR = /^(\d+(?:\.\d+)?(?:e-?\d+)?)_([01])_(\d{1,10})_(\d{1,10})$/;

export class SearchQueryDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Words, "quoted phrases", -excluded, or: as people type them into a search box' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'q must be text' })
  @Length(1, 200, { message: 'q must be 1 to 200 characters' })
  q: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 50' })
  @Min(1, { message: 'limit must be an integer from 1 to 50' })
  @Max(50, { message: 'limit must be an integer from 1 to 50' })
  limit = 20;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(SEARCH_CURSOR, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}
