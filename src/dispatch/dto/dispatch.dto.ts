import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsPositive, IsString, Length, Max } from 'class-validator';
import { PageLimit } from '../../common/validation/page-limit';

const MAX_ID = 2_147_483_647;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateDispatchDto {
  @ApiProperty({ example: 'F26-0412', description: 'Unique in the department (case-insensitive)' })
  @Transform(trim)
  @IsString()
  @Length(1, 40, { message: 'number must be 1 to 40 characters' })
  number!: string;

  @ApiProperty({ description: 'An operational zone of the department' })
  @IsInt({ message: 'zoneId must be a positive integer' })
  @IsPositive({ message: 'zoneId must be a positive integer' })
  @Max(MAX_ID, { message: 'zoneId must be a positive integer' })
  zoneId!: number;

  @ApiProperty({ example: 'Structure fire, 12 Mill Road' })
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  title!: string;

  @ApiPropertyOptional({ example: '12 Mill Road', description: 'Where to go' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 300, { message: 'address must be at most 300 characters' })
  address?: string;
}

export class AssignTaskDto {
  @ApiProperty({ description: 'A member of the department' })
  @IsInt({ message: 'officerId must be a positive integer' })
  @IsPositive({ message: 'officerId must be a positive integer' })
  @Max(MAX_ID, { message: 'officerId must be a positive integer' })
  officerId!: number;

  @ApiProperty({ example: 'Engine 3: fire attack' })
  @Transform(trim)
  @IsString()
  @Length(1, 500, { message: 'description must be 1 to 500 characters' })
  description!: string;
}

export const DISPATCH_STATUSES = ['open', 'closed'] as const;
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];

export class ListDispatchesQuery {
  @ApiPropertyOptional({ enum: DISPATCH_STATUSES, description: 'Only open or only closed dispatches' })
  @IsOptional()
  @IsIn(DISPATCH_STATUSES, { message: 'status must be open or closed' })
  status?: DispatchStatus;

  @ApiPropertyOptional({ description: 'Only the dispatch with this number (case-insensitive), as people call it' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 40, { message: 'number must be 1 to 40 characters' })
  number?: string;

  @PageLimit(100, 50)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class TaskView {
  @ApiProperty() id!: number;
  @ApiProperty() dispatchId!: number;
  @ApiProperty() officerId!: number;
  @ApiProperty() description!: string;
  @ApiProperty() assignedBy!: number;
  @ApiProperty() assignedAt!: string;
  @ApiProperty({ type: String, nullable: true }) clearedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) clearedBy!: number | null;
}

export class DispatchSummary {
  @ApiProperty() id!: number;
  @ApiProperty() number!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty() zoneId!: number;
  @ApiProperty() dispatcherId!: number;
  @ApiProperty({ enum: DISPATCH_STATUSES }) status!: DispatchStatus;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) closedBy!: number | null;
  @ApiProperty({ description: 'Tasks assigned on it' }) taskCount!: number;
  @ApiProperty({ description: 'Of those, not yet cleared' }) openTaskCount!: number;
}

export class DispatchDetail extends DispatchSummary {
  @ApiProperty({ type: [TaskView], description: 'In the order they were assigned' }) tasks!: TaskView[];
}

export class DispatchPage {
  @ApiProperty({ type: [DispatchSummary], description: 'Open first, then newest first' }) items!: DispatchSummary[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
