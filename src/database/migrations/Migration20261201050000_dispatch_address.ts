import { Migration } from '@mikro-orm/migrations';

/** Where a dispatch sends people: free text, as the caller gave it (a street address, a mile marker). */
export class Migration20261201050000_dispatch_address extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatches add column address text null;`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table dispatches drop column address;');
  }
}
