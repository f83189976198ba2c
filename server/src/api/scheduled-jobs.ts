/**
 * Route handlers for scheduled jobs (research/tork.md §1.10, research/twerk.md §5.5). The body is a
 * document (JSON or YAML) read through the document boundary, then validated as a scheduled job: a job
 * plus `schedule: {cron, timezone}` or Twerk's top-level `cron`.
 */
import { parseScheduledJobDocument, readDocument, type ScheduledJobDocument } from '@twerk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deleteScheduledJob, getScheduledJob, listScheduledJobs } from '../datastore/scheduled-jobs.ts';
import type { Engine } from '../engine/engine.ts';
import { statusOfContractError } from './bodies.ts';
import { scheduledJobSummaryView, scheduledJobView } from './views.ts';

export async function scheduledJobDocumentHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = Buffer.isBuffer(request.body) ? request.body : new Uint8Array();
  const tree = readDocument(raw, request.headers['content-type']);
  if (!tree.ok) return void (await reply.code(statusOfContractError(tree.error)).send(tree.error));
  const document = parseScheduledJobDocument(tree.value);
  if (!document.ok) return void (await reply.code(400).send(document.error));
  request.body = document.value;
}

const notFound = { status: 404 as const, body: { message: 'scheduled job not found' } };

export function scheduledJobHandlers(engine: Engine) {
  return {
    create: {
      hooks: { preValidation: scheduledJobDocumentHook },
      handler: async ({ body }: { body: unknown }) => ({ status: 200 as const, body: scheduledJobSummaryView(await engine.scheduledJobs.create(body as ScheduledJobDocument)) }),
    },
    list: async ({ query }: { query: { page?: number | undefined; size?: number | undefined } }) => {
      const number = query.page ?? 1;
      const size = query.size ?? 10;
      const { items, totalItems } = await listScheduledJobs(engine.db, number, size);
      return { status: 200 as const, body: { items: items.map(scheduledJobSummaryView), number, size: items.length, totalItems, totalPages: Math.ceil(totalItems / size) } };
    },
    get: async ({ params }: { params: { id: string } }) => {
      const schedule = await getScheduledJob(engine.db, params.id);
      return schedule === undefined ? notFound : { status: 200 as const, body: scheduledJobView(schedule) };
    },
    pause: async ({ params }: { params: { id: string } }) => {
      const outcome = await engine.scheduledJobs.pause(params.id);
      if (outcome === 'not-found') return notFound;
      if (outcome === 'not-active') return { status: 400 as const, body: { message: 'scheduled job is not active' } };
      return { status: 200 as const, body: { status: 'OK' as const } };
    },
    resume: async ({ params }: { params: { id: string } }) => {
      const outcome = await engine.scheduledJobs.resume(params.id);
      if (outcome === 'not-found') return notFound;
      if (outcome === 'not-paused') return { status: 400 as const, body: { message: 'scheduled job is not paused' } };
      return { status: 200 as const, body: { status: 'OK' as const } };
    },
    delete: async ({ params }: { params: { id: string } }) =>
      (await deleteScheduledJob(engine.db, params.id)) ? { status: 200 as const, body: { status: 'OK' as const } } : notFound,
  };
}
