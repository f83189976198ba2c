export * from './errors.ts';
export * from './result.ts';
export * from './expression/index.ts';
export * from './job/index.ts';
export * from './asl/index.ts';
export * from './document/index.ts';
export { classifyDocument, parseDocument, type ParsedDocument } from './parse-document.ts';
