import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search over department mail (subject weighted above body, markup left out) and
 * conversation messages: a generated `tsvector` on each, kept by PostgreSQL itself on every
 * write and edit, with a GIN index. A retracted message's empty body leaves nothing to find.
 */
export class Migration20261201030000_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table mail_messages add column search tsvector generated always as (
        setweight(to_tsvector('english', subject), 'A') ||
        setweight(to_tsvector('english', regexp_replace(body, '<[^>]*>', ' ', 'g')), 'B')
      ) stored;
      create index mail_messages_search_idx on mail_messages using gin (search);

      alter table conversation_messages add column search tsvector generated always as (
        to_tsvector('english', case when kind = 'text' then body else '' end)
      ) stored;
      create index conversation_messages_search_idx on conversation_messages using gin (search);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('alter table conversation_messages drop column search; alter table mail_messages drop column search;');
  }
}
