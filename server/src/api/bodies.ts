/** Reading request bodies that are documents: JSON or YAML, under the document boundary's limits. */
import { readDocument, type ContractError } from '@twerk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function statusOfContractError(error: ContractError): 400 | 413 | 415 {
  return error.code === 'unsupported_media_type' ? 415 : error.code === 'document_too_large' ? 413 : 400;
}

/** The raw body as a tree (JSON or YAML); an empty body is left undefined for routes whose body is optional. */
export function documentTreeHook(options: { readonly optional?: boolean } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = Buffer.isBuffer(request.body) ? request.body : new Uint8Array();
    if (options.optional && raw.length === 0) {
      request.body = undefined;
      return;
    }
    const tree = readDocument(raw, request.headers['content-type']);
    if (!tree.ok) return void (await reply.code(statusOfContractError(tree.error)).send(tree.error));
    request.body = tree.value;
  };
}
