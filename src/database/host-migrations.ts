import type { MigrationObject } from '@mikro-orm/postgresql';
import { Migration20261121000000_host_schema } from './migrations/Migration20261121000000_host_schema';
import { Migration20261121030000_dispatch } from './migrations/Migration20261121030000_dispatch';
import { Migration20261201000000_sessions } from './migrations/Migration20261201000000_sessions';
import { Migration20261201000000_shift_schedules } from './migrations/Migration20261201000000_shift_schedules';
import { Migration20261201000000_normalized_emails } from './migrations/Migration20261201000000_normalized_emails';
import { Migration20261201050000_dispatch_address } from './migrations/Migration20261201050000_dispatch_address';
import { Migration20261201050000_refresh_tokens } from './migrations/Migration20261201050000_refresh_tokens';

/** The host's own migrations; each mounted module contributes its list beside this one. */
export const hostMigrations: MigrationObject[] = [
  { name: 'Migration20261121000000_host_schema', class: Migration20261121000000_host_schema },
  { name: 'Migration20261121030000_dispatch', class: Migration20261121030000_dispatch },
  { name: 'Migration20261201000000_sessions', class: Migration20261201000000_sessions },
  { name: 'Migration20261201000000_shift_schedules', class: Migration20261201000000_shift_schedules },
  { name: 'Migration20261201000000_normalized_emails', class: Migration20261201000000_normalized_emails },
  { name: 'Migration20261201050000_dispatch_address', class: Migration20261201050000_dispatch_address },
  { name: 'Migration20261201050000_refresh_tokens', class: Migration20261201050000_refresh_tokens },
];
