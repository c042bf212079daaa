import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { AccessGuard } from '../../src/auth/access.guard';
import { JwtStrategy } from '../../src/auth/jwt.strategy';
import { PrincipalService } from '../../src/auth/principal.service';
import { ACCESS_TABLE } from '../../src/common/access';
import { MessagesGateway } from '../../src/messages/realtime/messages.gateway';
import { listRoutes, socketEventsOf } from '../support/routes';
import { startTestServer, type TestServer } from '../support/test-server';

describe('who may call what', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  // A change to who may do what shows up here, in review.
  it('lists every route with the access it declares', () => {
    const routes = listRoutes(server.app).map((r) => `${r.method.padEnd(6)} ${r.path} ${r.access}${r.module ? ` [module:${r.module}]` : ''}`);
    expect(routes).toMatchSnapshot();
  });

  it('has no route that declares nothing', () => {
    expect(listRoutes(server.app).filter((r) => r.access === 'NONE')).toEqual([]);
  });

  it('lists in the access table only routes the router has and events the socket handles', () => {
    const routes = new Set(listRoutes(server.app).map((r) => `${r.method} ${r.path.slice('/api'.length)}`));
    const events = new Set(['connect', ...socketEventsOf(MessagesGateway)]);
    const orphans = Object.keys(server.app.get(ACCESS_TABLE)).filter((action) =>
      action.startsWith('socket ') ? !events.has(action.slice('socket '.length)) : !routes.has(action),
    );
    expect(orphans).toEqual([]);
    // And the other way round: every event the gateway handles has its rule.
    const table = server.app.get(ACCESS_TABLE);
    expect([...events].filter((event) => !table[`socket ${event}`])).toEqual([]);
  });
});

describe('the global guard', () => {
  @Controller('undeclared')
  class UndeclaredController {
    @Get()
    open() {
      return { reached: true };
    }
  }

  @Module({ controllers: [UndeclaredController], providers: [{ provide: ACCESS_TABLE, useValue: { 'GET /declared': { public: true } } }, { provide: JwtStrategy, useValue: {} }, { provide: PrincipalService, useValue: {} }, { provide: APP_GUARD, useClass: AccessGuard }] })
  class UndeclaredModule {}

  it('refuses a route the access table does not list', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [UndeclaredModule] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const res = await request(`http://127.0.0.1:${port}`).get('/undeclared').expect(403);
      expect(res.body.message).toBe('This route declares no access rule');
    } finally {
      await app.close();
    }
  });
});
