import { Global, Injectable, Logger, Module, OnModuleInit, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MikroORM, PostgreSqlDriver, type MigrationObject } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Environment } from '../config/environment';
import { ormOptions } from './mikro-orm.config';

/** Brings the schema up to date before anything else touches the database. */
@Injectable()
class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit() {
    const applied = await this.orm.getMigrator().up();
    if (applied.length) this.logger.log(`applied ${applied.map((m) => m.name).join(', ')}`);
  }
}

@Global()
@Module({})
export class DatabaseModule {
  /** `migrations`: the host's and every mounted module's, run in name order at start. */
  static forRoot(migrations: MigrationObject[]): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            ...ormOptions(
              config.get('DATABASE_URL', { infer: true }) as string,
              migrations,
              config.get('DATABASE_POOL_SIZE', { infer: true }),
            ),
            autoLoadEntities: true,
            // Through Nest's logger (pino), so migrations are logged at the configured level.
            logger: (message: string) => new Logger('MikroORM').log(message),
          }),
        }),
      ],
      providers: [MigrationRunner],
    };
  }
}
