import { Migration } from '@mikro-orm/migrations';

/**
 * Department mail: one row per message and one per recipient. Ids of departments and members
 * are the host's, kept without foreign keys so the module runs beside any host's schema.
 * Deletes are soft (`deleted_at`/`deleted_by`) so who removed what can still be answered.
 */
export class Migration20261121010000_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mail_messages (
        id serial primary key,
        department_id int not null,
        sender_id int not null,
        sender_name text not null,
        subject text not null check (char_length(subject) between 1 and 200),
        body text not null,
        type text not null default 'normal' check (type in ('normal', 'callback', 'poll', 'alert')),
        expires_at timestamptz null,
        recipient_count int not null,
        idempotency_key text null,
        created_at timestamptz not null default now(),
        sender_deleted_at timestamptz null,
        sender_deleted_by int null
      );
      -- The same key from the same sender sends once; concurrent requests meet on this index.
      create unique index mail_messages_idempotency_unique on mail_messages (sender_id, idempotency_key)
        where idempotency_key is not null;
      create index mail_messages_outbox_idx on mail_messages (sender_id, id desc) where sender_deleted_at is null;

      -- No foreign key to mail_messages: its per-row check took half the time of a 10,000-recipient
      -- fan-out. Recipient rows are written only by the send, in the transaction that writes their
      -- message, and messages are never hard-deleted.
      create table mail_recipients (
        message_id int not null,
        user_id int not null,
        department_id int not null,
        -- Copied from the message so the unread counter is answered from its index alone.
        expires_at timestamptz null,
        read_at timestamptz null,
        response text null check (response in ('yes', 'no', 'maybe')),
        response_note text null,
        responded_at timestamptz null,
        deleted_at timestamptz null,
        deleted_by int null,
        primary key (message_id, user_id)
      );
      create index mail_recipients_inbox_idx on mail_recipients (user_id, message_id desc) where deleted_at is null;
      create index mail_recipients_unread_idx on mail_recipients (user_id, message_id desc) include (department_id, expires_at)
        where deleted_at is null and read_at is null;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table mail_recipients, mail_messages;');
  }
}
