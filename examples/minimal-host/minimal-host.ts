/**
 * The smallest department server that mounts the messages module: a fixed roster held in
 * memory, tokens that are looked up in a table, one guard, and a `pg` pool for the database.
 * A real host puts its own people, auth and database behind the same seams. See docs/plugin.md.
 */
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Global,
  Injectable,
  Module,
  UnauthorizedException,
  ValidationPipe,
  type DynamicModule,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroORM } from '@mikro-orm/postgresql';
import { Authenticator, refusalOf, routeAction, type AccessRule, type Principal } from '../../src/common/access';
import { ErrorsFilter } from '../../src/common/errors/errors.filter';
import { ormOptions } from '../../src/database/mikro-orm.config';
import {
  DepartmentDirectory,
  MESSAGES_ACCESS,
  MessagesModule,
  MessagesPermission,
  type DirectoryKind,
  type DirectoryMember,
  type MemberSelection,
} from '../../src/messages';
import { DATABASE_SETTINGS, PgPoolDatabase, type DatabaseSettings } from './pg-pool-database';

export interface RosterPerson extends DirectoryMember {
  departmentId: number;
  /** What the person's access token is, in this example. */
  token: string;
  permissions: string[];
}

export interface RosterSet {
  id: number;
  departmentId: number;
  kind: Exclude<DirectoryKind, 'user'>;
  memberIds: number[];
  /** For a shift: whether it is on duty at a moment. */
  onDuty?: (at: Date) => boolean;
}

/** The people and sets of the example: two departments, a group, a day shift. */
export const ROSTER: { people: RosterPerson[]; sets: RosterSet[] } = {
  people: [
    { id: 1, departmentId: 1, name: 'Ann Dispatcher', active: true, currentZoneId: null, token: 'token-ann', permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete] },
    { id: 2, departmentId: 1, name: 'Ben Medic', active: true, currentZoneId: null, token: 'token-ben', permissions: [MessagesPermission.View] },
    { id: 3, departmentId: 1, name: 'Cy Engineer', active: true, currentZoneId: null, token: 'token-cy', permissions: [MessagesPermission.View] },
    { id: 4, departmentId: 2, name: 'Dee Elsewhere', active: true, currentZoneId: null, token: 'token-dee', permissions: [MessagesPermission.View] },
  ],
  sets: [
    { id: 10, departmentId: 1, kind: 'group', memberIds: [1, 2, 3] },
    // 07:00 to 19:00 UTC, every day.
    { id: 20, departmentId: 1, kind: 'shift', memberIds: [3], onDuty: (at) => at.getUTCHours() >= 7 && at.getUTCHours() < 19 },
  ],
};

/** The host's answers to the module's questions. Each method stays inside one department. */
@Injectable()
export class RosterDirectory extends DepartmentDirectory {
  private people(departmentId: number) {
    return ROSTER.people.filter((p) => p.departmentId === departmentId);
  }

  private sets(departmentId: number, kind?: RosterSet['kind']) {
    return ROSTER.sets.filter((s) => s.departmentId === departmentId && (!kind || s.kind === kind));
  }

  private inAny(departmentId: number, userId: number, setIds: readonly number[] = []) {
    return this.sets(departmentId).some((s) => setIds.includes(s.id) && s.memberIds.includes(userId));
  }

  async unknownIds(departmentId: number, kind: DirectoryKind, ids: readonly number[]) {
    const known = kind === 'user' ? this.people(departmentId).map((p) => p.id) : this.sets(departmentId, kind).map((s) => s.id);
    return ids.filter((id) => !known.includes(id));
  }

  async selectMemberIds(departmentId: number, selection: MemberSelection) {
    return this.people(departmentId)
      .filter((p) => p.active && !this.inAny(departmentId, p.id, selection.excludeShiftIds))
      .filter((p) => {
        if (selection.everyone) return true;
        const inGroup = this.inAny(departmentId, p.id, selection.groupIds);
        const withRole = this.inAny(departmentId, p.id, selection.roleIds);
        return selection.groupAndRole ? inGroup && withRole : inGroup || withRole;
      })
      .map((p) => p.id);
  }

  async activeMemberIds(departmentId: number, userIds: readonly number[]) {
    return this.people(departmentId).filter((p) => p.active && userIds.includes(p.id)).map((p) => p.id);
  }

  async members(departmentId: number, userIds: readonly number[]): Promise<DirectoryMember[]> {
    return this.people(departmentId)
      .filter((p) => userIds.includes(p.id))
      .map(({ id, name, active, currentZoneId }) => ({ id, name, active, currentZoneId }));
  }

  async authorizedInZone(departmentId: number, zoneId: number, userIds: readonly number[]) {
    const zone = this.sets(departmentId, 'zone').find((s) => s.id === zoneId);
    return userIds.filter((id) => zone?.memberIds.includes(id));
  }

  async onDutyMemberIds(departmentId: number, at: Date) {
    const onDuty = this.sets(departmentId, 'shift').filter((s) => s.onDuty?.(at));
    return this.people(departmentId)
      .filter((p) => p.active && onDuty.some((s) => s.memberIds.includes(p.id)))
      .map((p) => p.id);
  }

  async isModuleEnabled() {
    return true;
  }
}

/** Turns a token into the caller; the module's socket gateway uses it for every handshake too. */
@Injectable()
export class RosterAuthenticator extends Authenticator {
  async authenticate(token: string): Promise<Principal | null> {
    const person = ROSTER.people.find((p) => p.token === token && p.active);
    if (!person) return null;
    return {
      userId: person.id,
      departmentId: person.departmentId,
      name: person.name,
      isAdmin: false,
      permissions: new Set(person.permissions),
      modules: { messages: true },
    };
  }
}

/**
 * Honours the module's access table (`MESSAGES_ACCESS`: every route and socket event with what
 * it needs); refuses a route the table does not list. A host with routes of its own merges its
 * table with the module's.
 */
@Injectable()
export class AccessTableGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const action = routeAction(context.getClass(), context.getHandler());
    const rule: AccessRule | undefined = action ? (MESSAGES_ACCESS as Record<string, AccessRule>)[action] : undefined;
    if (!rule) throw new ForbiddenException('This route is not in the access table');
    if (rule.public) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: Principal }>();
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const principal = await this.authenticator.authenticate(token);
    if (!principal) throw new UnauthorizedException();
    const refused = refusalOf(principal, rule);
    if (refused) throw new ForbiddenException(refused);
    request.user = principal;
    return true;
  }
}

/** Global, so the module's socket gateway and the host's guard can inject the `Authenticator`. */
@Global()
@Module({
  providers: [{ provide: Authenticator, useClass: RosterAuthenticator }],
  exports: [Authenticator],
})
export class RosterAuthModule {}

/** The settings `PgPoolDatabase` is made with; the module creates the database from `database:` below. */
@Module({})
export class DatabaseSettingsModule {
  static register(settings: DatabaseSettings): DynamicModule {
    return { module: DatabaseSettingsModule, providers: [{ provide: DATABASE_SETTINGS, useValue: settings }], exports: [DATABASE_SETTINGS] };
  }
}

@Module({})
export class MinimalHostModule {
  static register(databaseUrl: string, redisUrl?: string): DynamicModule {
    return {
      module: MinimalHostModule,
      imports: [
        RosterAuthModule,
        MessagesModule.forRootAsync({
          directory: RosterDirectory,
          database: PgPoolDatabase,
          imports: [DatabaseSettingsModule.register({ databaseUrl, poolSize: 4 })],
          // Redis is given once, here: the module connects its socket adapter itself.
          useFactory: () => ({ redisUrl, redisKeyPrefix: 'minimal-host' }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: AccessTableGuard }],
    };
  }
}

/** Brings the module's schema up to date (the host runs these beside its own migrations). */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<void> {
  const orm = await MikroORM.init({ ...ormOptions(databaseUrl, MessagesModule.migrations, 1), logger: log });
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close();
  }
}

/** Migrates, then serves the module under `/api` on `port` (0: any free port). */
export async function startMinimalHost(options: { databaseUrl: string; redisUrl?: string; port?: number }): Promise<NestFastifyApplication> {
  await migrate(options.databaseUrl);
  const app = await NestFactory.create<NestFastifyApplication>(MinimalHostModule.register(options.databaseUrl, options.redisUrl), new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ErrorsFilter());
  app.enableShutdownHooks();
  await app.listen(options.port ?? 0, '127.0.0.1');
  return app;
}
