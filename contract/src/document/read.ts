/**
 * The document boundary: bytes and a content type in, a plain data tree or a structured error out,
 * with the checks of the parser contract in its order (seed 001, research/twerk.md §4). Never throws.
 */
import { documentError, type ContractError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { parseJson } from './json.ts';
import { DOCUMENT_LIMITS, DOCUMENT_MESSAGES } from './limits.ts';
import { parseYaml } from './yaml.ts';

export type DocumentSyntax = 'json' | 'yaml';

const MEDIA_TYPES: Readonly<Record<string, DocumentSyntax>> = {
  'application/json': 'json',
  'text/yaml': 'yaml',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/x-yaml': 'yaml',
};

export const SUPPORTED_MEDIA_TYPES: readonly string[] = Object.keys(MEDIA_TYPES);

function unsupported(contentType: string): ContractError {
  return documentError(`unsupported content type ${JSON.stringify(contentType)}: send ${SUPPORTED_MEDIA_TYPES.join(', ')}`, 'unsupported_media_type');
}

/** Which syntax a Content-Type names; `undefined` in means "sniff the body" and is passed through. */
export function syntaxOfContentType(contentType: string | undefined): Result<DocumentSyntax | undefined, ContractError> {
  if (contentType === undefined) return ok(undefined);
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  const syntax = MEDIA_TYPES[mediaType.toLowerCase()];
  if (syntax === undefined) return err(unsupported(contentType));
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    if (name.toLowerCase() === 'charset' && !['utf-8', 'utf8'].includes(value.replace(/^"|"$/g, '').toLowerCase())) return err(unsupported(contentType));
  }
  return ok(syntax);
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function isBlank(bytes: Uint8Array): boolean {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  for (let index = start; index < bytes.length; index += 1) {
    const byte = bytes[index]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

/** JSON when the first meaningful character opens an object or array; YAML otherwise. */
function sniff(text: string): DocumentSyntax {
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

export function readDocument(body: Uint8Array | string, contentType?: string): Result<unknown, ContractError> {
  const syntax = syntaxOfContentType(contentType);
  if (!syntax.ok) return syntax;
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  if (isBlank(bytes)) return err(documentError(DOCUMENT_MESSAGES.empty, 'empty_document'));
  if (bytes.length > DOCUMENT_LIMITS.maxBytes) return err(documentError(DOCUMENT_MESSAGES.tooLarge, 'document_too_large'));
  if (bytes.includes(0)) return err(documentError(DOCUMENT_MESSAGES.nul, 'nul_byte'));
  let text: string;
  try {
    text = strictUtf8.decode(bytes); // also drops a leading BOM
  } catch {
    return err(documentError('the document is not valid UTF-8', 'invalid_utf8'));
  }
  return (syntax.value ?? sniff(text)) === 'json' ? parseJson(text) : parseYaml(text);
}
