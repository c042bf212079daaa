export * from './access.decorators';
export * from './module-enabled.guard';
export * from './principal';
