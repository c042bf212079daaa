import { Migration } from '@mikro-orm/migrations';

/**
 * Each member's row carries the conversation's last activity, so a member's conversation list
 * is read newest first straight from one index, one page at a time, however many conversations
 * they have: no sort of all of them. An archived conversation leaves every list (null here).
 */
export class Migration20261201071500_conversation_activity extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table conversation_members add column active_at timestamptz null default now();
      update conversation_members m set active_at = case when c.archived_at is null then coalesce(c.last_message_at, c.created_at) end
        from conversations c where c.id = m.conversation_id;
      create index conversation_members_list_idx on conversation_members (user_id, active_at desc, conversation_id desc)
        where active_at is not null and (left_at is null or reads_after_leaving);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop index conversation_members_list_idx; alter table conversation_members drop column active_at;');
  }
}
