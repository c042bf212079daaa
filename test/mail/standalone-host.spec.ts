import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Module,
  UnauthorizedException,
  ValidationPipe,
  type DynamicModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { Authenticator, refusalOf, routeAction, type Principal } from '../../src/common/access';
import { ErrorsFilter } from '../../src/common/errors/errors.filter';
import { ormOptions } from '../../src/database/mikro-orm.config';
import {
  DepartmentDirectory,
  type DirectoryKind,
  type DirectoryMember,
  type MemberSelection,
} from '../../src/messages/directory/department-directory';
import { MESSAGES_ACCESS } from '../../src/messages/messages.access';
import { MessagesPermission } from '../../src/messages/messages.permissions';
import { messagesMigrations } from '../../src/messages/messages.migrations';
import { MessagesModule } from '../../src/messages/messages.module';
import { DATABASE_SETTINGS, PgPoolDatabase } from '../../examples/minimal-host/pg-pool-database';
import { createDatabase } from '../support/test-server';

/** A second host's world, held in memory: two departments, a few people, one group and one shift. */
const PEOPLE: (DirectoryMember & { departmentId: number })[] = [
  { id: 1, departmentId: 1, name: 'Ann Dispatcher', active: true, currentZoneId: null },
  { id: 2, departmentId: 1, name: 'Ben Medic', active: true, currentZoneId: null },
  { id: 3, departmentId: 1, name: 'Cy Engineer', active: true, currentZoneId: null },
  { id: 4, departmentId: 2, name: 'Dee Elsewhere', active: true, currentZoneId: null },
];
const SETS: { id: number; departmentId: number; kind: DirectoryKind; members: number[] }[] = [
  { id: 10, departmentId: 1, kind: 'group', members: [1, 2, 3] },
  { id: 20, departmentId: 1, kind: 'shift', members: [3] },
];

@Injectable()
class InMemoryDirectory extends DepartmentDirectory {
  private people = (departmentId: number) => PEOPLE.filter((p) => p.departmentId === departmentId);
  private inSets = (userId: number, setIds: readonly number[] = []) => SETS.some((s) => setIds.includes(s.id) && s.members.includes(userId));

  async unknownIds(departmentId: number, kind: DirectoryKind, ids: readonly number[]) {
    const known =
      kind === 'user'
        ? this.people(departmentId).map((p) => p.id)
        : SETS.filter((s) => s.departmentId === departmentId && s.kind === kind).map((s) => s.id);
    return ids.filter((id) => !known.includes(id));
  }
  async selectMemberIds(departmentId: number, s: MemberSelection) {
    return this.people(departmentId)
      .filter((p) => p.active && !this.inSets(p.id, s.excludeShiftIds))
      .filter((p) => {
        if (s.everyone) return true;
        const g = this.inSets(p.id, s.groupIds);
        const r = this.inSets(p.id, s.roleIds);
        return s.groupAndRole ? g && r : g || r;
      })
      .map((p) => p.id);
  }
  async activeMemberIds(departmentId: number, userIds: readonly number[]) {
    return this.people(departmentId).filter((p) => p.active && userIds.includes(p.id)).map((p) => p.id);
  }
  async members(departmentId: number, userIds: readonly number[]) {
    return this.people(departmentId).filter((p) => userIds.includes(p.id));
  }
  async authorizedInZone() {
    return [];
  }
  async onDutyMemberIds() {
    return [];
  }
  async isModuleEnabled() {
    return true;
  }
}

/** The token is simply the user's id: enough to stand for whatever the real host does. */
@Injectable()
class TokenIsUserId extends Authenticator {
  async authenticate(token: string): Promise<Principal | null> {
    const person = PEOPLE.find((p) => String(p.id) === token);
    if (!person) return null;
    const permissions = new Set<string>([MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete]);
    return { userId: person.id, departmentId: person.departmentId, name: person.name, isAdmin: false, permissions, modules: { messages: true } };
  }
}

/** The smallest guard that honours the module's access table. */
@Injectable()
class BearerGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext) {
    const action = routeAction(context.getClass(), context.getHandler());
    const rule = action ? MESSAGES_ACCESS[action as keyof typeof MESSAGES_ACCESS] : undefined;
    if (!rule) throw new ForbiddenException('No access rule');
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: Principal }>();
    const principal = await this.authenticator.authenticate((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!principal) throw new UnauthorizedException();
    const refused = refusalOf(principal, rule);
    if (refused) throw new ForbiddenException(refused);
    req.user = principal;
    return true;
  }
}

/** The host's auth and database, handed to the module through `imports` rather than globally. */
@Module({})
class TinyHostServices {
  static register(databaseUrl: string): DynamicModule {
    return {
      module: TinyHostServices,
      providers: [
        { provide: Authenticator, useClass: TokenIsUserId },
        { provide: DATABASE_SETTINGS, useValue: { databaseUrl, poolSize: 2, applicationName: 'tiny-host' } },
      ],
      exports: [Authenticator, DATABASE_SETTINGS],
    };
  }
}

@Module({})
class TinyHostModule {
  static register(databaseUrl: string): DynamicModule {
    const services = TinyHostServices.register(databaseUrl);
    return {
      module: TinyHostModule,
      imports: [services, MessagesModule.forRootAsync({ directory: InMemoryDirectory, database: PgPoolDatabase, imports: [services], useFactory: () => ({}) })],
      providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
    };
  }
}

describe('the messages module in another host', () => {
  let app: NestFastifyApplication;
  let database: { url: string; drop: () => Promise<void> };
  let baseUrl: string;
  const as = (userId: number) => ({
    get: (url: string) => request(baseUrl).get(url).set('Authorization', `Bearer ${userId}`),
    post: (url: string) => request(baseUrl).post(url).set('Authorization', `Bearer ${userId}`),
  });

  beforeAll(async () => {
    database = await createDatabase();
    // Only the module's own migrations: the host's tables do not exist here.
    const orm = await MikroORM.init({ ...ormOptions(database.url, messagesMigrations, 1), debug: false });
    await orm.getMigrator().up();
    await orm.close();

    const moduleRef = await Test.createTestingModule({ imports: [TinyHostModule.register(database.url)] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    app.useGlobalFilters(new ErrorsFilter());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('sends through the host\'s own directory, and the recipients read it', async () => {
    const sent = await as(1).post('/messages').send({ subject: 'Hello from a tiny host', body: '<p>hi</p>', sendMode: 'specific', groupIds: [10], excludeShiftIds: [20] }).expect(201);
    expect(sent.body.recipientCount).toBe(1);
    const inbox = await as(2).get('/messages/inbox').expect(200);
    expect(inbox.body.items).toEqual([expect.objectContaining({ id: sent.body.id, subject: 'Hello from a tiny host', senderName: 'Ann Dispatcher' })]);
    expect((await as(3).get('/messages/inbox').expect(200)).body.items).toEqual([]);
    await as(2).get(`/messages/${sent.body.id}`).expect(200);
    const senderView = await as(1).get(`/messages/${sent.body.id}`).expect(200);
    expect(senderView.body.recipients).toEqual([expect.objectContaining({ userId: 2, name: 'Ben Medic', readAt: expect.any(String) })]);
  });

  it('keeps the other department out through the same directory', async () => {
    const res = await as(1).post('/messages').send({ subject: 's', body: 'b', sendMode: 'specific', userIds: [4] }).expect(400);
    expect(res.body.message).toContain('userIds 4');
  });
});

describe('a host that gives the module no authenticator', () => {
  it('is refused at start, saying what is missing, rather than serving a module that admits nobody', async () => {
    const settings = { provide: DATABASE_SETTINGS, useValue: { databaseUrl: 'postgres://127.0.0.1:1/unused', poolSize: 1 } };
    @Module({ providers: [settings], exports: [DATABASE_SETTINGS] })
    class SettingsOnly {}
    const building = Test.createTestingModule({
      imports: [MessagesModule.forRootAsync({ directory: InMemoryDirectory, database: PgPoolDatabase, imports: [SettingsOnly], useFactory: () => ({}) })],
    }).compile();
    await expect(building).rejects.toThrow(/MessagesModule needs the host's Authenticator/);
  });
});

describe('the messages module\'s boundaries', () => {
  const root = resolve(__dirname, '../../src/messages');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it('imports nothing of the host but the shared kernel in src/common', () => {
    const outside = files(root).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)]
        .map((m) => relative(resolve(root, '..'), resolve(dirname(file), m[1])))
        .filter((target) => !target.startsWith('messages') && !target.startsWith('common'))
        .map((target) => `${relative(root, file)} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('is reached by the host only through its public index (and its import-free permission names)', () => {
    const src = resolve(root, '..');
    const hostFiles = files(src).filter((file) => !file.startsWith(root + '/'));
    const inside = hostFiles.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)]
        .map((m) => relative(src, resolve(dirname(file), m[1])))
        .filter((target) => target.startsWith('messages/') && target !== 'messages/messages.permissions')
        .map((target) => `${relative(src, file)} -> ${target}`),
    );
    expect(hostFiles.length).toBeGreaterThan(20);
    // The constants file stays free of imports, so a browser build that takes it takes nothing else.
    expect(readFileSync(join(root, 'messages.permissions.ts'), 'utf8')).not.toMatch(/^import /m);
    expect(inside).toEqual([]);
  });
});
