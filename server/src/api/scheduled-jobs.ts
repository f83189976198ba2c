/**
 * Route handlers for scheduled jobs (research/tork.md §1.10, research/twerk.md §5.5). The body is a
 * document (JSON or YAML) read through the document boundary, then validated as a scheduled job: a job
 * plus `schedule: {cron, timezone}` or Twerk's top-level `cron`.
 */
import { parseScheduledJobDocument, readDocument, type ScheduledJobDocument } from '@twerk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayAccess, visibilityOf } from '../auth/policy.ts';
import { deleteScheduledJob, getScheduledJob, listScheduledJobs, type ScheduledJobRecord } from '../datastore/scheduled-jobs.ts';
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

/** A document's permissions that name no user or role, as a 400 body (only checked with auth on). */
type PermissionCheck = (document: ScheduledJobDocument) => Promise<{ message: string; errors: { path: string; message: string }[] } | undefined>;

/** The scheduled job when the caller may see it: the same rule as for jobs (auth/policy.ts). */
async function visibleSchedule(engine: Engine, request: FastifyRequest, id: string): Promise<ScheduledJobRecord | undefined> {
  const schedule = await getScheduledJob(engine.db, id);
  return schedule !== undefined && mayAccess(request.principal, { createdBy: schedule.createdBy, permissions: schedule.document.permissions }) ? schedule : undefined;
}

export function scheduledJobHandlers(engine: Engine, unknownPermissions: PermissionCheck) {
  return {
    create: {
      hooks: { preValidation: scheduledJobDocumentHook },
      handler: async ({ body, request }: { body: unknown; request: FastifyRequest }) => {
        const refused = await unknownPermissions(body as ScheduledJobDocument);
        if (refused !== undefined) return { status: 400 as const, body: refused };
        return { status: 200 as const, body: scheduledJobSummaryView(await engine.scheduledJobs.create(body as ScheduledJobDocument, request.principal?.username ?? null)) };
      },
    },
    list: async ({ query, request }: { query: { page?: number | undefined; size?: number | undefined }; request: FastifyRequest }) => {
      const number = query.page ?? 1;
      const size = query.size ?? 10;
      const { items, totalItems } = await listScheduledJobs(engine.db, number, size, visibilityOf(request.principal));
      return { status: 200 as const, body: { items: items.map(scheduledJobSummaryView), number, size: items.length, totalItems, totalPages: Math.ceil(totalItems / size) } };
    },
    get: async ({ params, request }: { params: { id: string }; request: FastifyRequest }) => {
      const schedule = await visibleSchedule(engine, request, params.id);
      return schedule === undefined ? notFound : { status: 200 as const, body: scheduledJobView(schedule) };
    },
    pause: async ({ params, request }: { params: { id: string }; request: FastifyRequest }) => {
      if ((await visibleSchedule(engine, request, params.id)) === undefined) return notFound;
      const outcome = await engine.scheduledJobs.pause(params.id);
      if (outcome === 'not-found') return notFound;
      if (outcome === 'not-active') return { status: 400 as const, body: { message: 'scheduled job is not active' } };
      return { status: 200 as const, body: { status: 'OK' as const } };
    },
    resume: async ({ params, request }: { params: { id: string }; request: FastifyRequest }) => {
      if ((await visibleSchedule(engine, request, params.id)) === undefined) return notFound;
      const outcome = await engine.scheduledJobs.resume(params.id);
      if (outcome === 'not-found') return notFound;
      if (outcome === 'not-paused') return { status: 400 as const, body: { message: 'scheduled job is not paused' } };
      return { status: 200 as const, body: { status: 'OK' as const } };
    },
    delete: async ({ params, request }: { params: { id: string }; request: FastifyRequest }) =>
      (await visibleSchedule(engine, request, params.id)) !== undefined && (await deleteScheduledJob(engine.db, params.id)) ? { status: 200 as const, body: { status: 'OK' as const } } : notFound,
  };
}
