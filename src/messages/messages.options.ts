import type { ModuleMetadata, Type } from '@nestjs/common';
import type { DepartmentDirectory } from './directory/department-directory';

export interface MessagesModuleOptions {
  /** Connection string of the database the host's ORM uses; the hot read paths get a pool of their own on it. */
  databaseUrl: string;
  /** Size of that pool. */
  poolSize?: number;
  /** With a Redis, socket.io events and presence are shared by every server process. */
  redisUrl?: string;
  /** Web Push keys; without them no push is sent. */
  push?: { publicKey: string; privateKey: string; subject: string };
}

export interface MessagesModuleAsyncOptions {
  /** The host's implementation of the department directory. */
  directory: Type<DepartmentDirectory>;
  /** Modules the directory implementation and the factory need. */
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  useFactory: (...args: any[]) => MessagesModuleOptions | Promise<MessagesModuleOptions>;
}

export const MESSAGES_OPTIONS = Symbol('MESSAGES_OPTIONS');
