export * from './access.ts';
export * from './common.ts';
export * from './job.ts';
export * from './scheduled.ts';
export * from './system.ts';
export * from './trigger.ts';
export * from './worker-protocol.ts';
