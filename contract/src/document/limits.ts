/**
 * The parser contract at the HTTP boundary (seed 001, research/twerk.md §4). Depth counts nested
 * collections: a top-level mapping is depth 1, a list inside it depth 2. Nodes count every scalar,
 * sequence and mapping, mapping keys included, with aliases counted at their expanded size.
 */
export const DOCUMENT_LIMITS = { maxBytes: 524_288, maxDepth: 64, maxNodes: 10_000 } as const;

export type DocumentErrorCode =
  | 'unsupported_media_type'
  | 'empty_document'
  | 'document_too_large'
  | 'nul_byte'
  | 'invalid_utf8'
  | 'syntax_error'
  | 'duplicate_key'
  | 'too_deep'
  | 'too_many_nodes';

export const DOCUMENT_MESSAGES = {
  empty: 'the document is empty',
  tooLarge: `the document is larger than ${DOCUMENT_LIMITS.maxBytes} bytes (512 KiB)`,
  nul: 'the document contains a NUL byte',
  tooDeep: `the document is nested more than ${DOCUMENT_LIMITS.maxDepth} levels deep`,
  tooManyNodes: `the document has more than ${DOCUMENT_LIMITS.maxNodes} nodes`,
} as const;
