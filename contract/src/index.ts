export * from './errors.ts';
export * from './result.ts';
export * from './expression/index.ts';
export * from './job/index.ts';
