/** Nodes, queues, metrics and health (research/tork.md §1.11, §4.2). */
import { z } from '../zod.ts';
import { identifier, timestamp } from './common.ts';

export const nodeSchema = z
  .object({
    id: identifier,
    name: z.string().optional(),
    startedAt: timestamp,
    cpuPercent: z.number().min(0).optional(),
    lastHeartbeatAt: timestamp,
    queue: z.string().optional(),
    queues: z.array(z.string()).optional().describe('The work queues it takes tasks from (an HTTP worker: its labels).'),
    kind: z.enum(['standalone', 'coordinator', 'worker', 'http']).optional(),
    status: z.enum(['UP', 'DOWN', 'OFFLINE']),
    hostname: z.string().optional(),
    port: z.number().int().optional(),
    taskCount: z.number().int().min(0).optional(),
    version: z.string(),
  })
  .openapi('Node', { description: 'A coordinator or worker process.', example: { id: 'n1', name: 'worker-1', startedAt: '2026-11-22T10:00:00Z', lastHeartbeatAt: '2026-11-22T10:05:00Z', status: 'UP', version: '0.1.0' } });

export const queueInfoSchema = z
  .object({ name: z.string(), size: z.number().int().min(0), subscribers: z.number().int().min(0), unacked: z.number().int().min(0) })
  .openapi('QueueInfo', { example: { name: 'default', size: 3, subscribers: 2, unacked: 1 } });

export const metricsSchema = z
  .object({
    jobs: z.object({ running: z.number().int().min(0) }),
    tasks: z.object({ running: z.number().int().min(0) }),
    nodes: z.object({ online: z.number().int().min(0), cpuPercent: z.number().min(0) }),
  })
  .openapi('Metrics', { example: { jobs: { running: 1 }, tasks: { running: 2 }, nodes: { online: 3, cpuPercent: 12.5 } } });

export const healthSchema = z.object({ status: z.enum(['UP', 'DOWN']), version: z.string() }).openapi('Health', { example: { status: 'UP', version: '0.1.0' } });
