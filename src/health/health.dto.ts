import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One dependency's state in the health answer, e.g. `{ status: 'up' }`. */
export class DependencyHealth {
  @ApiProperty({ example: 'up', description: "'up', 'down', or for Redis 'degraded'" })
  status!: string;

  @ApiPropertyOptional({
    description: "With Redis degraded: what each part of the server cannot share across processes, and why",
    example: { sockets: 'connection refused' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  unavailableTo?: Record<string, string>;
}

/** What `GET /api/health` answers: 200 while the server can serve, 503 while the database does not answer. */
export class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'], example: 'ok' })
  status!: string;

  @ApiPropertyOptional({ description: 'The dependencies that answer', type: 'object', additionalProperties: { $ref: '#/components/schemas/DependencyHealth' } })
  info?: Partial<Record<string, DependencyHealth>>;

  @ApiPropertyOptional({ description: 'The dependencies that do not', type: 'object', additionalProperties: { $ref: '#/components/schemas/DependencyHealth' } })
  error?: Partial<Record<string, DependencyHealth>>;

  @ApiProperty({ description: 'Every dependency checked', type: 'object', additionalProperties: { $ref: '#/components/schemas/DependencyHealth' } })
  details!: Partial<Record<string, DependencyHealth>>;
}
