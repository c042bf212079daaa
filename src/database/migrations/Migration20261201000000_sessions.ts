import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions: a member's session version (raised by a password change, which ends every token
 * issued before) and the ids of tokens ended by logout, kept until they would have expired.
 */
export class Migration20261201000000_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table members add column session_version int not null default 0;

      create table revoked_tokens (
        token_id text primary key,
        member_id int not null references members (id) on delete cascade,
        expires_at timestamptz not null
      );
      create index revoked_tokens_member_idx on revoked_tokens (member_id, expires_at);
      create index revoked_tokens_expiry_idx on revoked_tokens (expires_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table revoked_tokens; alter table members drop column session_version;');
  }
}
