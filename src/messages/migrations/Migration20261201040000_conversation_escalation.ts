import { Migration } from '@mikro-orm/migrations';

/**
 * Escalation of urgent conversation lines, kept as mail keeps it: the plan the line was sent
 * with, and how far its reminders have gone (`escalation_step`), so a step that runs twice finds
 * it done.
 */
export class Migration20261201040000_conversation_escalation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table conversation_messages
        add column escalation jsonb null,
        add column escalation_step int not null default 0;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table conversation_messages drop column escalation, drop column escalation_step;`);
  }
}
