import type { MigrationObject } from '@mikro-orm/postgresql';
import { Migration20261121010000_mail } from './migrations/Migration20261121010000_mail';
import { Migration20261121020000_conversations } from './migrations/Migration20261121020000_conversations';
import { Migration20261121040000_push } from './migrations/Migration20261121040000_push';
import { Migration20261121050000_dispatch_conversations } from './migrations/Migration20261121050000_dispatch_conversations';
import { Migration20261201000000_push_job_claims } from './migrations/Migration20261201000000_push_job_claims';
import { Migration20261201010000_urgent } from './migrations/Migration20261201010000_urgent';
import { Migration20261201010000_field_chat } from './migrations/Migration20261201010000_field_chat';
import { Migration20261201020000_attachments } from './migrations/Migration20261201020000_attachments';
import { Migration20261201030000_search } from './migrations/Migration20261201030000_search';
import { Migration20261201040000_conversation_escalation } from './migrations/Migration20261201040000_conversation_escalation';
import { Migration20261201050000_mass_texts } from './migrations/Migration20261201050000_mass_texts';
import { Migration20261201050000_unread_state } from './migrations/Migration20261201050000_unread_state';
import { Migration20261201071500_conversation_activity } from './migrations/Migration20261201071500_conversation_activity';

/** The messages module's schema; the host runs these beside its own. */
export const messagesMigrations: MigrationObject[] = [
  { name: 'Migration20261121010000_mail', class: Migration20261121010000_mail },
  { name: 'Migration20261121020000_conversations', class: Migration20261121020000_conversations },
  { name: 'Migration20261121040000_push', class: Migration20261121040000_push },
  { name: 'Migration20261121050000_dispatch_conversations', class: Migration20261121050000_dispatch_conversations },
  { name: 'Migration20261201000000_push_job_claims', class: Migration20261201000000_push_job_claims },
  { name: 'Migration20261201010000_urgent', class: Migration20261201010000_urgent },
  { name: 'Migration20261201010000_field_chat', class: Migration20261201010000_field_chat },
  { name: 'Migration20261201020000_attachments', class: Migration20261201020000_attachments },
  { name: 'Migration20261201030000_search', class: Migration20261201030000_search },
  { name: 'Migration20261201040000_conversation_escalation', class: Migration20261201040000_conversation_escalation },
  { name: 'Migration20261201050000_mass_texts', class: Migration20261201050000_mass_texts },
  { name: 'Migration20261201050000_unread_state', class: Migration20261201050000_unread_state },
  { name: 'Migration20261201071500_conversation_activity', class: Migration20261201071500_conversation_activity },
];
