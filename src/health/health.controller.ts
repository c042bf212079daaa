import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { RedisStatus } from '../common/health/redis-status';
import { DependencyHealth, HealthView } from './health.dto';

@ApiTags('health')
@ApiExtraModels(DependencyHealth)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: MikroOrmHealthIndicator,
    private readonly redis: RedisStatus,
  ) {}

  /**
   * 200 once the server can serve; 503 while the database does not answer. Without Redis the
   * server still serves, each process on its own: 200 with `status: 'degraded'` and why.
   */
  @Get()
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'The database does not answer' })
  @HealthCheck()
  async check(): Promise<HealthView> {
    const result = await this.health.check([() => this.database.pingCheck('database', { timeout: 1500 })]);
    if (!this.redis.configured) return result;
    const problems = this.redis.problems();
    const degraded = Object.keys(problems).length > 0;
    const redis = degraded ? { status: 'degraded', unavailableTo: problems } : { status: 'up' };
    return {
      ...result,
      status: degraded ? 'degraded' : result.status,
      info: { ...result.info, ...(degraded ? {} : { redis }) },
      details: { ...result.details, redis },
    };
  }
}
