export { DOCUMENT_LIMITS, DOCUMENT_MESSAGES, type DocumentErrorCode } from './limits.ts';
export { readDocument, syntaxOfContentType, SUPPORTED_MEDIA_TYPES, type DocumentSyntax } from './read.ts';
