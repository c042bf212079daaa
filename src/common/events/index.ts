export * from './dispatch.events';
export * from './dispatch-event-subscriber';
export * from './dispatch-event-subscribers';
