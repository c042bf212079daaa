import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, ValidateBy } from 'class-validator';
import { isId } from '../../../common/validation/ids';
import { PageLimit } from '../../../common/validation/page-limit';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** `limit` and `cursor` of a keyset-paginated list; `cursor` is the `nextCursor` of the page before. */
export class PageQueryDto {
  @PageLimit(100, 20)
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
  @PageLimit(50, 5)
  limit = 5;
}
