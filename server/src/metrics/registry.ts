/**
 * The Prometheus side of GET /metrics (prom-client). Two kinds of series:
 *
 * - gauges of the cluster (jobs, tasks, queues, nodes), set from a database snapshot at each scrape:
 *   every coordinator sharing the database reports the same values, whichever is scraped;
 * - counters and histograms of this process (tasks its coordinator finished, its HTTP requests) and
 *   prom-client's default process metrics: sum them over the coordinators.
 *
 * Label values are states, work queue names, HTTP methods, route patterns and status codes only —
 * never a job's inputs, secrets or any other text a user wrote.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CoordinatorObserver, TaskOutcome } from '../coordinator/coordinator.ts';
import type { JobState } from '../datastore/jobs.ts';
import { ACTIVE_TASK_STATES } from '../datastore/tasks.ts';
import type { ClusterSnapshot } from './snapshot.ts';

const JOB_STATES = ['PENDING', 'SCHEDULED', 'RUNNING', 'CANCELLED', 'COMPLETED', 'FAILED'] as const satisfies readonly JobState[];
const TASK_OUTCOMES = ['COMPLETED', 'FAILED'] as const satisfies readonly TaskOutcome['state'][];

/** Tasks run for anything from a second to hours. */
const TASK_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 3 * 3600, 12 * 3600];
/** Most requests take milliseconds; claims and `?wait=true` submissions are long polls. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A route no route pattern matched: the raw URL is never a label. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface MetricsOptions {
  /** prom-client's process and Node.js metrics (default true). */
  readonly defaultMetrics?: boolean;
}

export class MetricsRegistry {
  readonly registry = new Registry();
  /** For the engine's coordinator: the tasks it finished. */
  readonly observer: CoordinatorObserver;

  private readonly jobs: Gauge<'state'>;
  private readonly tasks: Gauge<'state'>;
  private readonly queueSize: Gauge<'queue'>;
  private readonly queueUnacked: Gauge<'queue'>;
  private readonly nodesOnline: Gauge;
  private readonly nodesCpu: Gauge;
  private readonly tasksFinished: Counter<'state'>;
  private readonly taskDuration: Histogram<'state'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.jobs = new Gauge({ name: 'twerk_jobs', help: 'Jobs by state, sub-jobs included (the whole cluster, read from the database at each scrape).', labelNames: ['state'], registers });
    this.tasks = new Gauge({ name: 'twerk_tasks', help: 'Active tasks of running jobs by state (the whole cluster, read from the database at each scrape).', labelNames: ['state'], registers });
    this.queueSize = new Gauge({ name: 'twerk_queue_size', help: 'Tasks waiting in a work queue (the whole cluster, read from the database at each scrape).', labelNames: ['queue'], registers });
    this.queueUnacked = new Gauge({ name: 'twerk_queue_unacked', help: 'Tasks of a work queue claimed by a worker and running (the whole cluster, read from the database at each scrape).', labelNames: ['queue'], registers });
    this.nodesOnline = new Gauge({ name: 'twerk_nodes_online', help: 'Coordinators and workers that are UP: heartbeating and not stopped.', registers });
    this.nodesCpu = new Gauge({ name: 'twerk_nodes_cpu_percent', help: 'Mean CPU use of the online nodes that report it, in percent (0 when none).', registers });
    this.tasksFinished = new Counter({ name: 'twerk_tasks_finished_total', help: 'Task attempts this process\'s coordinator completed or failed, composites included (per process).', labelNames: ['state'], registers });
    this.taskDuration = new Histogram({ name: 'twerk_task_duration_seconds', help: 'How long the task attempts this process\'s coordinator finished ran, from start to end (per process).', labelNames: ['state'], buckets: TASK_BUCKETS, registers });
    this.httpDuration = new Histogram({ name: 'twerk_http_request_duration_seconds', help: 'HTTP requests this process answered, by route pattern (per process).', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers });
    for (const state of TASK_OUTCOMES) {
      // Present from the start, so a rate() over them has a beginning.
      this.tasksFinished.inc({ state }, 0);
      this.taskDuration.zero({ state });
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.observer = { tasksFinished: (outcomes) => this.recordTasks(outcomes) };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private recordTasks(outcomes: readonly TaskOutcome[]): void {
    for (const outcome of outcomes) {
      this.tasksFinished.inc({ state: outcome.state });
      if (outcome.durationMs !== undefined) this.taskDuration.observe({ state: outcome.state }, outcome.durationMs / 1000);
    }
  }

  /** `route` is the matched route pattern (`/jobs/:id`), or UNMATCHED_ROUTE. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The text exposition: the cluster gauges as `snapshot` has them, with this process's series. */
  async exposition(snapshot: ClusterSnapshot): Promise<string> {
    // Set in one synchronous step, so a concurrent scrape never sees a half-set gauge.
    this.jobs.reset();
    for (const state of new Set([...JOB_STATES, ...(Object.keys(snapshot.jobs) as JobState[])])) this.jobs.set({ state }, snapshot.jobs[state] ?? 0);
    this.tasks.reset();
    for (const state of ACTIVE_TASK_STATES) this.tasks.set({ state }, snapshot.tasks[state] ?? 0);
    this.queueSize.reset();
    this.queueUnacked.reset();
    // A queue a live node serves is listed even when empty, as GET /queues lists it.
    const queues = new Map(snapshot.nodes.queues.map((name) => [name, { size: 0, active: 0 }]));
    for (const queue of snapshot.queues) queues.set(queue.name, queue);
    for (const [queue, counts] of queues) {
      if (queue.startsWith('x-')) continue;
      this.queueSize.set({ queue }, counts.size);
      this.queueUnacked.set({ queue }, counts.active);
    }
    this.nodesOnline.set(snapshot.nodes.online);
    this.nodesCpu.set(snapshot.nodes.cpuPercent);
    return this.registry.metrics();
  }
}
