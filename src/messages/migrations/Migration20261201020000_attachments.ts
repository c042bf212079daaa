import { Migration } from '@mikro-orm/migrations';

/**
 * Uploaded files and the message that carries each. An upload belongs to nobody but its uploader
 * until a message (a conversation message or department mail) takes it; one left unused is
 * removed after a while. The bytes live in the storage (a folder or a bucket) under `storage_key`.
 */
export class Migration20261201020000_attachments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table attachments (
        id serial primary key,
        department_id int not null,
        uploaded_by int not null,
        name text not null,
        content_type text not null,
        size bigint not null check (size >= 0),
        width int null,
        height int null,
        storage_key text not null,
        thumbnail_key text null,
        created_at timestamptz not null default now(),
        -- The message carrying it: a conversation message (conversation_id, seq) or a mail message.
        conversation_id int null,
        seq int null,
        mail_message_id int null,
        attached_at timestamptz null,
        check ((conversation_id is null) = (seq is null)),
        check (conversation_id is null or mail_message_id is null)
      );
      create index attachments_conversation_idx on attachments (conversation_id, seq) where conversation_id is not null;
      create index attachments_mail_idx on attachments (mail_message_id) where mail_message_id is not null;
      create index attachments_unused_idx on attachments (created_at) where conversation_id is null and mail_message_id is null;
      create index attachments_department_idx on attachments (department_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table attachments;');
  }
}
