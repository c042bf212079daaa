export * from './access-table';
export * from './access.decorators';
export * from './principal';
export * from './rate-limit.decorators';
export * from './path-resource';
export * from './request-rate-limiter';
