import { Migration } from '@mikro-orm/migrations';
import { normalizeEmail } from '../../common/validation/email';

/**
 * Emails are stored in their normalized form (`normalizeEmail`: NFKC, then lower case as
 * JavaScript does it) and are unique in that form, not as PostgreSQL's locale-dependent lower()
 * saw them. Two accounts whose emails become the same could each log in as the other: the
 * oldest keeps the email, each later one is deactivated and keeps its old email with its id
 * appended, so an admin can see it and give it a new address.
 */
export class Migration20261201000000_normalized_emails extends Migration {
  override async up(): Promise<void> {
    const members = (await this.execute('select id, email from members order by id')) as { id: number; email: string }[];
    const seen = new Set<string>();
    const changes: { id: number; email: string; keepsAccess: boolean }[] = [];
    for (const { id, email } of members) {
      const normalized = normalizeEmail(email);
      if (!seen.has(normalized)) {
        seen.add(normalized);
        if (normalized !== email) changes.push({ id, email: normalized, keepsAccess: true });
      } else {
        changes.push({ id, email: `${email}#duplicate-of-${normalized}#${id}`, keepsAccess: false });
      }
    }
    this.addSql('drop index members_email_unique');
    if (changes.length > 0) {
      // One statement for every change, the changes passed as one JSON value.
      this.addSql(
        this.getKnex()
          .raw(
            `update members m set email = c.email, active = m.active and c."keepsAccess"
             from jsonb_to_recordset(?::jsonb) as c(id int, email text, "keepsAccess" boolean) where m.id = c.id`,
            [JSON.stringify(changes)],
          )
          .toQuery(),
      );
    }
    this.addSql('create unique index members_email_unique on members (email)');
  }
}
