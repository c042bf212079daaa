import { Migration } from '@mikro-orm/migrations';

/**
 * Which server process is running which push job. A process that dies mid-send leaves its jobs
 * active in the queue until they expire; with these rows any other process hands them back as
 * soon as the dead one's heartbeat goes stale. No foreign key to `server_processes`: reaping a
 * process must leave its claims behind to be handed back.
 */
export class Migration20261201000000_push_job_claims extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table push_job_claims (
        job_id uuid primary key,
        queue text not null,
        process_id uuid not null,
        claimed_at timestamptz not null default now()
      );
      create index push_job_claims_process_idx on push_job_claims (process_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table push_job_claims;');
  }
}
