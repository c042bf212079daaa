import { Migration } from '@mikro-orm/migrations';

/**
 * The messages module's own record of each dispatch it has heard of (through the host's dispatch
 * events): enough to find its conversation, apply the zone rule and refuse comments on a closed
 * dispatch, and the ids of the events already applied, so a redelivered event changes nothing.
 * No foreign key to the host's dispatches: the plugin runs beside any host.
 */
export class Migration20261121050000_dispatch_conversations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table dispatch_conversations (
        department_id int not null,
        dispatch_id int not null,
        number text not null,
        zone_id int not null,
        dispatcher_id int not null,
        status text not null default 'open' check (status in ('open', 'closed')),
        -- Decided once, when the dispatch was created: false while the department had the module off.
        with_conversation boolean not null,
        -- Null until the conversation is opened (or for ever, without one).
        conversation_id int null,
        -- Events of this dispatch already applied; delivery is at least once.
        applied_event_ids uuid[] not null default '{}',
        created_at timestamptz not null default now(),
        closed_at timestamptz null,
        primary key (department_id, dispatch_id)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table dispatch_conversations;');
  }
}
