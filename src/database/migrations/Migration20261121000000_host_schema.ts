import { Migration } from '@mikro-orm/migrations';

/** Departments, their members, and the named member sets (groups, roles, shifts, zones). */
export class Migration20261121000000_host_schema extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table departments (
        id serial primary key,
        name text not null,
        modules jsonb not null default '{"messages": true}',
        created_at timestamptz not null default now()
      );

      create table members (
        id serial primary key,
        department_id int not null references departments (id) on delete cascade,
        name text not null,
        email text not null,
        password_hash text not null,
        permissions text[] not null default '{}',
        is_admin boolean not null default false,
        active boolean not null default true,
        current_zone_id int null,
        created_at timestamptz not null default now()
      );
      create unique index members_email_unique on members (lower(email));
      create index members_department_idx on members (department_id, id);

      create table member_sets (
        id serial primary key,
        department_id int not null references departments (id) on delete cascade,
        kind text not null check (kind in ('group', 'role', 'shift', 'zone')),
        name text not null,
        created_at timestamptz not null default now()
      );
      create unique index member_sets_name_unique on member_sets (department_id, kind, lower(name));

      create table member_set_members (
        set_id int not null references member_sets (id) on delete cascade,
        user_id int not null references members (id) on delete cascade,
        department_id int not null references departments (id) on delete cascade,
        primary key (set_id, user_id)
      );
      create index member_set_members_user_idx on member_set_members (user_id, set_id);

      alter table members add constraint members_current_zone_fk
        foreign key (current_zone_id) references member_sets (id) on delete set null;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table member_set_members, member_sets, members, departments cascade;');
  }
}
