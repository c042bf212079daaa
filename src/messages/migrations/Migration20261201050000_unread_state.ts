import { Migration } from '@mikro-orm/migrations';

/**
 * Per-user unread state kept by the writes. `mail_recipients.unread` says whether a copy still
 * counts as unread (not read, not removed, not expired); every write that clears it moves the
 * user's row in `mail_unread_state` in the same transaction, so the polled count is one
 * primary-key read and its `version` is the ETag. The backfill counts what exists now.
 */
export class Migration20261201050000_unread_state extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table mail_recipients add column unread boolean not null default true;
      update mail_recipients set unread = false
       where read_at is not null or deleted_at is not null or (expires_at is not null and expires_at <= now());
      drop index if exists mail_recipients_unread_idx;
      create index mail_recipients_unread_idx on mail_recipients (user_id, message_id desc) include (department_id, expires_at) where unread;
      -- What the expiry job and its sweep look for: copies still counted whose message expired.
      create index mail_recipients_expiring_idx on mail_recipients (expires_at) where unread and expires_at is not null;

      create table mail_unread_state (
        user_id int primary key,
        department_id int not null,
        unread_count int not null default 0,
        newest_unread_id int null,
        version bigint not null default 0
      );
      insert into mail_unread_state (user_id, department_id, unread_count, newest_unread_id, version)
      select user_id, min(department_id), count(*) filter (where unread), max(message_id) filter (where unread), 1
        from mail_recipients group by user_id;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table mail_unread_state;
      drop index mail_recipients_expiring_idx;
      drop index mail_recipients_unread_idx;
      alter table mail_recipients drop column unread;
      create index mail_recipients_unread_idx on mail_recipients (user_id, message_id desc) include (department_id, expires_at)
        where deleted_at is null and read_at is null;
    `);
  }
}
