import { Migration } from '@mikro-orm/migrations';

/**
 * Web Push: each member's subscribed devices, the notifications queued for offline members and
 * one delivery row per notification and device (so a retried job never notifies a device twice),
 * and presence: who has a live socket on which server process. Department and member ids are
 * the host's, kept without foreign keys so the module runs beside any host's schema.
 */
export class Migration20261121040000_push extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table push_subscriptions (
        id bigserial primary key,
        department_id int not null,
        user_id int not null,
        endpoint text not null,
        p256dh text not null,
        auth text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      -- A device belongs to one member at a time.
      create unique index push_subscriptions_endpoint_unique on push_subscriptions (endpoint);
      create index push_subscriptions_user_idx on push_subscriptions (department_id, user_id);

      create table push_events (
        id bigserial primary key,
        department_id int not null,
        kind text not null,
        payload jsonb not null,
        -- The members who were offline with at least one device when the event happened.
        user_ids int[] not null,
        created_at timestamptz not null default now()
      );
      create index push_events_department_idx on push_events (department_id, created_at);

      create table push_deliveries (
        event_id bigint not null references push_events (id) on delete cascade,
        subscription_id bigint not null references push_subscriptions (id) on delete cascade,
        department_id int not null,
        status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
        attempts int not null default 0,
        last_error text null,
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        primary key (event_id, subscription_id)
      );
      create index push_deliveries_subscription_idx on push_deliveries (subscription_id);

      -- Every running server process, alive while its heartbeat is fresh.
      create table server_processes (
        id uuid primary key,
        started_at timestamptz not null default now(),
        heartbeat_at timestamptz not null default now()
      );

      create table socket_presence (
        process_id uuid not null references server_processes (id) on delete cascade,
        socket_id text not null,
        user_id int not null,
        department_id int null,
        connected_at timestamptz not null default now(),
        primary key (process_id, socket_id)
      );
      create index socket_presence_user_idx on socket_presence (user_id, process_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table socket_presence, server_processes, push_deliveries, push_events, push_subscriptions cascade;');
  }
}
