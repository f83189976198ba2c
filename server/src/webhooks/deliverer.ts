/**
 * The delivery loop a coordinator runs: it expands captured events into deliveries, claims the due
 * ones (at most `concurrency` requests in flight) and records each attempt's outcome — delivered,
 * retried after a backoff, or given up. Everything here runs beside the coordinator's transactions,
 * never inside them: a slow receiver delays only its own webhook's later deliveries. It wakes on the
 * triggers' NOTIFY, when a retry or a lease comes due, and every few seconds regardless.
 */
import { Redactor } from '../api/redact.ts';
import type { Database, Unlisten } from '../db/database.ts';
import { getJobs } from '../datastore/jobs.ts';
import { newId } from '../datastore/ids.ts';
import { expandEvents } from './expansion.ts';
import { needsContext, renderRequest } from './request.ts';
import { createAgents, destroyAgents, post, type Agents } from './send.ts';
import { backoffMs, DEFAULT_WEBHOOK_SETTINGS, retryAfterMs, verdictOf, type WebhookSettings } from './settings.ts';
import {
  claimDeliveries,
  deleteEvents,
  insertDeliveries,
  jobContext,
  lockExpansion,
  markDelivered,
  markFailed,
  nextDueInMs,
  oldestEvents,
  purgeFinished,
  releaseDelivery,
  scheduleRetry,
  WEBHOOK_CHANNEL,
  type AttemptRecord,
  type ClaimedDelivery,
} from './store.ts';

/** What the deliverer has to say: fields never hold a rendered header or URL, nor a secret's value. */
export type WebhookLog = (level: 'debug' | 'info' | 'warn', message: string, fields: Readonly<Record<string, unknown>>) => void;

export interface DelivererOptions {
  readonly db: Database;
  readonly settings?: Partial<WebhookSettings>;
  readonly onError?: (error: unknown) => void;
  readonly log?: WebhookLog;
  /** How long `stop` lets requests in flight finish before aborting them (their deliveries are given back). */
  readonly stopGraceMs?: number;
}

const EXPANSION_BATCH = 500;
/** The longest the loop sleeps with nothing due: a safety net under NOTIFY (lost wake-ups, other processes' leases). */
const IDLE_MS = 5_000;
const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 1_000;
const PURGE_BATCHES_PER_PASS = 10;

export class Deliverer {
  private readonly db: Database;
  private readonly settings: WebhookSettings;
  private readonly onError: (error: unknown) => void;
  private readonly log: WebhookLog;
  private readonly stopGraceMs: number;
  private readonly agents: Agents;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private unlisten: Unlisten | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastPurge = 0;

  private constructor(options: DelivererOptions) {
    this.db = options.db;
    this.settings = { ...DEFAULT_WEBHOOK_SETTINGS, ...options.settings };
    this.onError = options.onError ?? (() => {});
    this.log = options.log ?? (() => {});
    this.stopGraceMs = options.stopGraceMs ?? 2_000;
    this.agents = createAgents(this.settings.concurrency);
  }

  static async start(options: DelivererOptions): Promise<Deliverer> {
    const deliverer = new Deliverer(options);
    deliverer.unlisten = await options.db.listen(WEBHOOK_CHANNEL, () => deliverer.wake(), () => deliverer.wake());
    deliverer.loop = deliverer.run();
    return deliverer;
  }

  /** Look for work now (new events, a finished request that made room). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake();
    await this.loop;
    await this.unlisten?.();
    const settled = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, this.stopGraceMs)))]);
    clearTimeout(timer);
    for (const controller of this.controllers) controller.abort();
    await settled;
    destroyAgents(this.agents);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let waitMs = IDLE_MS;
      try {
        const expansionBusy = await this.expand();
        const claimed = await this.dispatch();
        await this.purge();
        waitMs = expansionBusy ? 250 : await this.nextWait(claimed);
      } catch (error) {
        this.onError(error);
        waitMs = 1_000;
      }
      await this.sleep(waitMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Expands every captured event; answers true when another process holds the expansion (look again soon). */
  private async expand(): Promise<boolean> {
    for (;;) {
      const expanded = await this.db.transaction(async (tx) => {
        if (!(await lockExpansion(tx))) return -1;
        const events = await oldestEvents(tx, EXPANSION_BATCH);
        if (events.length === 0) return 0;
        const jobs = new Map((await getJobs(tx, [...new Set(events.map((event) => event.jobId))])).map((job) => [job.id, job] as const));
        const expansion = expandEvents(events, jobs, newId);
        await insertDeliveries(tx, expansion.deliveries);
        await deleteEvents(tx, events.map((event) => event.seq));
        for (const skipped of expansion.skipped) {
          this.log('warn', 'webhook skipped: its if did not evaluate to a boolean', { job: skipped.jobId, webhook: skipped.webhook, if: skipped.condition, problem: skipped.problem });
        }
        return events.length;
      });
      if (expanded < 0) return true;
      if (expanded < EXPANSION_BATCH || this.stopping) return false;
    }
  }

  /** Claims what is due, as far as there is room in flight; answers how many it claimed. */
  private async dispatch(): Promise<number> {
    const room = this.settings.concurrency - this.inFlight.size;
    if (room <= 0 || this.stopping) return 0;
    const claimed = await claimDeliveries(this.db, room, this.settings.timeoutMs + 15_000);
    for (const delivery of claimed) {
      const attempt: Promise<void> = this.attempt(delivery)
        .catch((error: unknown) => this.onError(error)) // its lease runs out and it is tried again
        .finally(() => {
          this.inFlight.delete(attempt);
          this.wake();
        });
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  private async nextWait(claimed: number): Promise<number> {
    if (this.inFlight.size >= this.settings.concurrency) return IDLE_MS; // a finished request wakes the loop
    const due = await nextDueInMs(this.db);
    if (due === undefined) return IDLE_MS;
    // Due now but nothing claimed: another process holds those rows this instant.
    if (due <= 0) return claimed > 0 ? 0 : 50;
    return Math.min(Math.max(due, 10), IDLE_MS);
  }

  private async purge(): Promise<void> {
    if (this.settings.retentionMs === null || Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    for (let batch = 0; batch < PURGE_BATCHES_PER_PASS; batch += 1) {
      if ((await purgeFinished(this.db, this.settings.retentionMs, PURGE_BATCH)) < PURGE_BATCH) return;
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const fields = { job: delivery.jobId, webhook: delivery.webhook, event: delivery.event, delivery: delivery.id, url: delivery.url, attempt: delivery.attempts };
    const record = (status: number | null, error: string | null): AttemptRecord => ({ id: delivery.id, attempts: delivery.attempts, status, error });
    let redact = new Redactor({});
    let context = {};
    if (needsContext(delivery)) {
      const found = await jobContext(this.db, delivery.jobId);
      if (found === undefined) {
        this.log('warn', 'webhook not delivered: its job was deleted before its templates could be rendered', fields);
        await markFailed(this.db, record(null, 'the job was deleted before the templates of this webhook could be rendered'));
        return;
      }
      context = found;
      redact = new Redactor(found.secrets);
    }
    const rendered = renderRequest(delivery, context);
    if (!rendered.ok) {
      const error = redact.text(rendered.error);
      this.log('warn', 'webhook not delivered: its request could not be made', { ...fields, error });
      await markFailed(this.db, record(null, error));
      return;
    }
    const controller = new AbortController();
    this.controllers.add(controller);
    let result;
    try {
      result = await post(rendered.url, rendered.headers, delivery.payload, this.settings.timeoutMs, controller.signal, this.agents);
    } finally {
      this.controllers.delete(controller);
    }
    if (result.kind === 'aborted') {
      await releaseDelivery(this.db, delivery.id, delivery.attempts);
      return;
    }
    const status = result.kind === 'answered' ? result.status : null;
    const error = result.kind === 'answered' ? (verdictOf(result.status) === 'delivered' ? null : `the receiver answered ${result.status}`) : redact.text(result.error);
    const verdict = result.kind === 'answered' ? verdictOf(result.status) : 'retry';
    if (verdict === 'delivered') {
      await markDelivered(this.db, record(status, null));
      this.log('debug', 'webhook delivered', { ...fields, status });
    } else if (verdict === 'retry' && delivery.attempts < this.settings.attempts) {
      const delayMs = backoffMs(delivery.attempts, this.settings, Math.random, result.kind === 'answered' ? retryAfterMs(result.retryAfter) : undefined);
      await scheduleRetry(this.db, record(status, error), delayMs);
      this.log('info', 'webhook attempt failed; it is retried', { ...fields, status, error, retryInMs: delayMs });
    } else {
      const final = verdict === 'retry' ? `${error}, ${delivery.attempts} attempts made` : error;
      await markFailed(this.db, record(status, final));
      this.log('warn', 'webhook not delivered', { ...fields, status, error: final });
    }
  }
}
