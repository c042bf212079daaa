import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisStatus } from '../common/health/redis-status';
import { HealthController } from './health.controller';

/** Health, and the one `RedisStatus` of the application that every user of Redis reports to. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisStatus],
  exports: [RedisStatus],
})
export class HealthModule {}
