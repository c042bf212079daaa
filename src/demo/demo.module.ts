import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM } from '@mikro-orm/core';
import { hashPassword } from '../auth/password';
import { AccessCatalog } from '../department/access-catalog';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_ADMIN_EMAIL = 'admin@demo.example';
export const DEMO_DISPATCHER_EMAIL = 'dispatch@demo.example';

const FIRST_NAMES = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Casey', 'Riley', 'Morgan', 'Jamie', 'Avery', 'Quinn'];
const LAST_NAMES = ['Rivera', 'Chen', 'Okafor', 'Novak', 'Haddad', 'Lindqvist'];

/** On first start, a department to try everything with; it prints how to log in. */
@Injectable()
class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly orm: MikroORM,
    private readonly catalog: AccessCatalog,
  ) {}

  async onApplicationBootstrap() {
    const em = this.orm.em.fork() as EntityManager;
    const connection = em.getConnection();
    const [existing] = await connection.execute('select 1 from members where email = ?', [DEMO_ADMIN_EMAIL]);
    if (!existing) await this.seed(em);
    this.logger.log(
      `Demo department ready. Log in as ${DEMO_ADMIN_EMAIL} (admin) or ${DEMO_DISPATCHER_EMAIL} (dispatcher), ` +
        `or member1@demo.example ... member30@demo.example; password "${DEMO_PASSWORD}".`,
    );
  }

  private async seed(em: EntityManager) {
    const hash = await hashPassword(DEMO_PASSWORD);
    await em.transactional(async (tx) => {
      const run = <T>(sql: string, params: unknown[]) => tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
      const [{ id: dept }] = await run<{ id: number }>(`insert into departments (name) values ('Riverside Fire & Rescue (demo)') returning id`, []);
      // The admin and the dispatcher hold every permission (dispatching, mass texts); the others the defaults.
      const people: [string, string, readonly string[], boolean][] = [
        ['Dana Whitfield', DEMO_ADMIN_EMAIL, this.catalog.permissions, true],
        ['Marcus Bell', DEMO_DISPATCHER_EMAIL, this.catalog.permissions, false],
      ];
      for (let i = 1; i <= 30; i++) {
        const name = `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[i % LAST_NAMES.length]}`;
        people.push([name, `member${i}@demo.example`, this.catalog.memberDefaults, false]);
      }
      const ids: number[] = [];
      for (const [name, email, permissions, isAdmin] of people) {
        const [{ id }] = await run<{ id: number }>(
          `insert into members (department_id, name, email, password_hash, permissions, is_admin) values (?, ?, ?, ?, ?::text[], ?) returning id`,
          [dept, name, email, hash, `{${permissions.join(',')}}`, isAdmin],
        );
        ids.push(id);
      }
      const members = ids.slice(2);
      const sets: [string, string, number[]][] = [
        ['group', 'Station 1', members.slice(0, 10)],
        ['group', 'Station 2', members.slice(10, 20)],
        ['group', 'Station 3', members.slice(20, 30)],
        ['role', 'EMT', members.filter((_, i) => i % 2 === 0)],
        ['role', 'Paramedic', members.filter((_, i) => i % 5 === 1)],
        ['role', 'Engineer', members.filter((_, i) => i % 3 === 1)],
        ['role', 'Captain', [members[0], members[10], members[20]]],
        ['shift', 'A-shift', members.filter((_, i) => i % 3 === 0)],
        ['shift', 'B-shift', members.filter((_, i) => i % 3 === 1)],
        ['shift', 'C-shift', members.filter((_, i) => i % 3 === 2)],
        ['zone', 'North', [ids[0], ids[1], ...members.slice(0, 18)]],
        ['zone', 'South', [ids[0], ids[1], ...members.slice(12, 30)]],
      ];
      let northZone = 0;
      for (const [kind, name, userIds] of sets) {
        const [{ id }] = await run<{ id: number }>(`insert into member_sets (department_id, kind, name) values (?, ?, ?) returning id`, [dept, kind, name]);
        if (name === 'North') northZone = id;
        // A 24-on/48-off rotation from 07:00: A, B and C platoons start a day apart.
        const platoon = ['A-shift', 'B-shift', 'C-shift'].indexOf(name);
        if (platoon >= 0) {
          await run(
            `insert into shift_schedules (shift_id, department_id, start_time, length_hours, on_days, off_days, anchor_date)
             values (?, ?, '07:00', 24, 1, 2, date '2026-01-01' + ?::int)`,
            [id, dept, platoon],
          );
        }
        await run(`insert into member_set_members (set_id, user_id, department_id) select ?, u, ? from unnest(?::int[]) u`, [
          id,
          dept,
          `{${userIds.join(',')}}`,
        ]);
      }
      await run(`update members set current_zone_id = ? where department_id = ?`, [northZone, dept]);
    });
  }
}

@Module({ providers: [DemoSeeder] })
export class DemoModule {}
