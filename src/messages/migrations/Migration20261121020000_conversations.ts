import { Migration } from '@mikro-orm/migrations';

/**
 * Live conversations: the conversation, its members with their read positions, and its
 * messages numbered per conversation. The plugin's tables reference no host table, so any host
 * that implements the directory can run them.
 */
export class Migration20261121020000_conversations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table conversations (
        id serial primary key,
        department_id int not null,
        kind text not null check (kind in ('dispatch', 'personal', 'direct')),
        title text not null,
        created_by int null,
        zone_id int null,
        dispatch_id int null,
        -- A direct conversation's two members, lower id first: one conversation per pair.
        direct_low int null,
        direct_high int null,
        archived_at timestamptz null,
        last_seq int not null default 0,
        last_message_at timestamptz null,
        created_at timestamptz not null default now(),
        check ((kind = 'direct') = (direct_low is not null and direct_high is not null)),
        check (direct_low is null or direct_low < direct_high)
      );
      create unique index conversations_direct_pair_unique
        on conversations (department_id, direct_low, direct_high) where kind = 'direct';
      create unique index conversations_dispatch_unique
        on conversations (department_id, dispatch_id) where dispatch_id is not null;

      create table conversation_members (
        conversation_id int not null references conversations (id) on delete cascade,
        user_id int not null,
        department_id int not null,
        user_name text not null,
        joined_at timestamptz not null default now(),
        left_at timestamptz null,
        last_read_seq int not null default 0,
        invited_by int null,
        -- Dispatch rule: a member who left keeps reading while this holds (their task is not cleared).
        reads_after_leaving boolean not null default false,
        -- Null while the invitation has not reached a live socket of the member.
        invitation_delivered_at timestamptz null,
        primary key (conversation_id, user_id)
      );
      create index conversation_members_user_idx on conversation_members (user_id, conversation_id);
      create index conversation_members_pending_idx on conversation_members (user_id)
        where invitation_delivered_at is null and left_at is null;

      create table conversation_messages (
        conversation_id int not null references conversations (id) on delete cascade,
        seq int not null,
        department_id int not null,
        sender_id int null,
        sender_name text not null,
        kind text not null check (kind in ('text', 'system')),
        body text not null,
        client_id text null,
        created_at timestamptz not null default now(),
        primary key (conversation_id, seq)
      );
      create unique index conversation_messages_client_unique
        on conversation_messages (conversation_id, sender_id, client_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table conversation_messages, conversation_members, conversations cascade;');
  }
}
