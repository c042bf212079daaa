import { Migration } from '@mikro-orm/migrations';

/**
 * What field crews expect of a chat: replies, mentions, locations, edits with their history and
 * retractions, a notification level per member, and unread counts that leave out system lines.
 *
 * `text_seq` numbers a conversation's text messages (1, 2, 3, ... skipping system lines) and
 * `conversations.text_count` holds the last one, so a member's unread count is one subtraction:
 * the conversation's `text_count` minus the `text_seq` of the message at their read position.
 */
export class Migration20261201010000_field_chat extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table conversations add column text_count int not null default 0;

      alter table conversation_messages
        add column text_seq int not null default 0,
        add column reply_to_seq int null,
        add column mention_user_ids int[] not null default '{}',
        add column location_lat double precision null check (location_lat between -90 and 90),
        add column location_lng double precision null check (location_lng between -180 and 180),
        add column location_accuracy_m double precision null check (location_accuracy_m >= 0),
        add column edited_at timestamptz null,
        add column retracted_at timestamptz null,
        add check (reply_to_seq is null or reply_to_seq < seq),
        add check ((location_lat is null) = (location_lng is null));

      update conversation_messages m set text_seq = n.text_seq
        from (select conversation_id, seq, count(*) filter (where kind = 'text') over (partition by conversation_id order by seq) as text_seq
                from conversation_messages) n
       where n.conversation_id = m.conversation_id and n.seq = m.seq and n.text_seq <> 0;
      update conversations c set text_count = n.text_count
        from (select conversation_id, count(*) filter (where kind = 'text') as text_count from conversation_messages group by conversation_id) n
       where n.conversation_id = c.id;

      alter table conversation_members
        add column notification_level text not null default 'all' check (notification_level in ('all', 'mentions', 'none'));

      -- The earlier versions of an edited message, oldest first; removed with the body on retraction.
      create table conversation_message_edits (
        conversation_id int not null,
        seq int not null,
        version int not null,
        department_id int not null,
        body text not null,
        -- When this version was replaced.
        replaced_at timestamptz not null default now(),
        primary key (conversation_id, seq, version),
        foreign key (conversation_id, seq) references conversation_messages (conversation_id, seq) on delete cascade
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table conversation_message_edits;
      alter table conversation_members drop column notification_level;
      alter table conversation_messages
        drop column text_seq, drop column reply_to_seq, drop column mention_user_ids, drop column location_lat,
        drop column location_lng, drop column location_accuracy_m, drop column edited_at, drop column retracted_at;
      alter table conversations drop column text_count;
    `);
  }
}
