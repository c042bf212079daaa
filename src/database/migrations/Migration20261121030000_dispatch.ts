import { Migration } from '@mikro-orm/migrations';

/** Dispatches, the tasks of their officers, and the outbox their integration events leave through. */
export class Migration20261121030000_dispatch extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table dispatches (
        id serial primary key,
        department_id int not null references departments (id) on delete cascade,
        number text not null,
        zone_id int not null references member_sets (id),
        title text not null,
        dispatcher_id int not null references members (id),
        status text not null default 'open' check (status in ('open', 'closed')),
        created_at timestamptz not null default now(),
        closed_at timestamptz null,
        closed_by int null references members (id),
        check ((status = 'closed') = (closed_at is not null))
      );
      create unique index dispatches_number_unique on dispatches (department_id, lower(number));
      -- The list: open first, newest first.
      create index dispatches_list_idx on dispatches (department_id, status, id);

      create table dispatch_tasks (
        id serial primary key,
        dispatch_id int not null references dispatches (id) on delete cascade,
        department_id int not null references departments (id) on delete cascade,
        officer_id int not null references members (id),
        description text not null,
        assigned_by int not null references members (id),
        assigned_at timestamptz not null default now(),
        cleared_at timestamptz null,
        cleared_by int null references members (id)
      );
      create index dispatch_tasks_dispatch_idx on dispatch_tasks (dispatch_id, id);

      -- Written in the same transaction as the change it announces; a relay delivers it after commit.
      create table dispatch_outbox (
        id bigint generated always as identity primary key,
        event_id uuid not null unique,
        department_id int not null references departments (id) on delete cascade,
        dispatch_id int not null,
        type text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        delivered_at timestamptz null,
        -- Subscribers that already handled it, so a retry reaches only those that failed.
        delivered_to text[] not null default '{}',
        attempts int not null default 0,
        last_error text null,
        next_attempt_at timestamptz not null default now()
      );
      create index dispatch_outbox_due_idx on dispatch_outbox (next_attempt_at, id) where delivered_at is null;
      create index dispatch_outbox_pending_by_dispatch_idx on dispatch_outbox (dispatch_id, id) where delivered_at is null;
      create index dispatch_outbox_delivered_idx on dispatch_outbox (delivered_at) where delivered_at is not null;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table dispatch_outbox, dispatch_tasks, dispatches cascade;');
  }
}
