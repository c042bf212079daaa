import { Migration } from '@mikro-orm/migrations';

/**
 * Urgent messages and the delivery record. Mail keeps it on the recipient rows the send already
 * writes (so an urgent send to 10,000 writes no extra rows), conversation messages in one row per
 * member of an urgent message. Each channel's column holds when it first reached the person:
 * `socket_at` a connected client confirmed it, `push_at` a push service accepted it, `email_at`
 * the mail server took the email. `escalation_step` is how far the reminders have gone, so a
 * reminder job that runs twice (a retry after a crash, another process) finds it done.
 */
export class Migration20261201010000_urgent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table mail_messages
        add column priority text not null default 'normal' check (priority in ('normal', 'urgent')),
        add column escalation jsonb null,
        add column escalation_step int not null default 0;

      alter table mail_recipients
        add column acknowledged_at timestamptz null,
        add column socket_at timestamptz null,
        add column push_at timestamptz null,
        add column email_at timestamptz null;

      alter table conversation_messages
        add column priority text not null default 'normal' check (priority in ('normal', 'urgent'));

      create table conversation_message_acks (
        conversation_id int not null,
        seq int not null,
        user_id int not null,
        department_id int not null,
        socket_at timestamptz null,
        push_at timestamptz null,
        acknowledged_at timestamptz null,
        primary key (conversation_id, seq, user_id),
        foreign key (conversation_id, seq) references conversation_messages (conversation_id, seq) on delete cascade
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table conversation_message_acks;
      alter table conversation_messages drop column priority;
      alter table mail_recipients drop column acknowledged_at, drop column socket_at, drop column push_at, drop column email_at;
      alter table mail_messages drop column priority, drop column escalation, drop column escalation_step;
    `);
  }
}
