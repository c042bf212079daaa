import { Migration } from '@mikro-orm/migrations';

/**
 * A mass text as one thing: what was sent and, per recipient, the direct conversation and the
 * line it landed on, so the sender can see who read and who replied without one row per person.
 */
export class Migration20261201050000_mass_texts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mass_texts (
        id serial primary key,
        department_id int not null,
        sender_id int not null,
        body text not null,
        created_at timestamptz not null default now()
      );
      create index mass_texts_sender_idx on mass_texts (department_id, sender_id, id desc);
      create table mass_text_recipients (
        mass_text_id int not null references mass_texts (id) on delete cascade,
        conversation_id int not null references conversations (id) on delete cascade,
        user_id int not null,
        seq int not null,
        primary key (mass_text_id, user_id)
      );
      create index mass_text_recipients_conversation_idx on mass_text_recipients (conversation_id, seq);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table mass_text_recipients, mass_texts;');
  }
}
