import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { isId } from '../../../common/validation/ids';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** `limit` and `cursor` of a keyset-paginated list; `cursor` is the `nextCursor` of the page before. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1, { message: 'limit must be an integer from 1 to 100' })
  @Max(100, { message: 'limit must be an integer from 1 to 100' })
  limit = 20;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  // An id beyond 32 bits would reach the query and fail there.
  @ValidateBy({ name: 'isCursor', validator: { validate: (v: unknown) => typeof v === 'string' && isId(v) } }, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class InboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread messages only' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'unread must be true or false' })
  unread = false;
}

export class TopUnreadQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 50' })
  @Min(1, { message: 'limit must be an integer from 1 to 50' })
  @Max(50, { message: 'limit must be an integer from 1 to 50' })
  limit = 5;
}
