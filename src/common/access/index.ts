export * from './access.decorators';
export * from './module-enabled.guard';
export * from './principal';
export * from './rate-limit.decorators';
export * from './path-resource';
