import { Migration } from '@mikro-orm/migrations';

/**
 * Refresh tokens: kept as hashes, one family per sign-in. Each use replaces the token with a new
 * one of the same family; a replaced token presented again ends the whole family (it was copied).
 */
export class Migration20261201050000_refresh_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table refresh_tokens (
        token_hash text primary key,
        family uuid not null,
        member_id int not null references members (id) on delete cascade,
        department_id int not null,
        session_version int not null,
        expires_at timestamptz not null,
        replaced_at timestamptz
      );
      create index refresh_tokens_family_idx on refresh_tokens (family);
      create index refresh_tokens_member_idx on refresh_tokens (member_id);
      create index refresh_tokens_expiry_idx on refresh_tokens (expires_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table refresh_tokens;');
  }
}
