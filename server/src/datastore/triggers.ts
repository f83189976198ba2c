/** SQL for triggers and their firings. */
import type { Queryable } from '../db/database.ts';
import { cipherOf, isEncrypted, type SecretsCipher } from './secrets-cipher.ts';

/** What a trigger is made of, as given (without id, version and secret, which have their own columns). */
export interface TriggerDefinition {
  readonly name: string;
  readonly enabled: boolean;
  readonly event?: string;
  readonly hookPath?: string;
  readonly cron?: string;
  readonly timezone?: string;
  readonly condition?: string;
  readonly action?: string;
  readonly job?: Record<string, unknown>;
  readonly scheduledJobId?: string;
  readonly inputs?: Record<string, string>;
  readonly metadata?: Record<string, string>;
}

export interface TriggerRecord {
  readonly id: string;
  readonly definition: TriggerDefinition;
  readonly secret: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly nextRunAt: Date | null;
  readonly lastFiredAt: Date | null;
}

const FIELDS = `id, definition, secret, version, created_at AS "createdAt", updated_at AS "updatedAt", next_run_at AS "nextRunAt", last_fired_at AS "lastFiredAt"`;
const SELECT = `SELECT ${FIELDS} FROM twerk.triggers`;

/** The job's secrets map, sealed or opened value by value (a machine, or a job without secrets, has none). */
function mapJobSecrets(definition: TriggerDefinition, change: (value: string) => string): TriggerDefinition {
  const secrets = definition.job?.['secrets'];
  if (secrets === null || typeof secrets !== 'object' || Array.isArray(secrets)) return definition;
  const mapped = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, typeof value === 'string' ? change(value) : value]));
  return { ...definition, job: { ...definition.job, secrets: mapped } };
}

/** The secret and the job's secrets as stored: sealed when the connection has a key. */
function sealed(cipher: SecretsCipher, definition: TriggerDefinition, secret: string | null): [string, string | null] {
  if (!cipher.encrypting) return [JSON.stringify(definition), secret];
  return [JSON.stringify(mapJobSecrets(definition, (value) => cipher.seal(value))), secret === null ? null : cipher.seal(secret)];
}

/** A trigger read back, its secret and its job's secrets opened. */
function opened<T extends TriggerRecord>(cipher: SecretsCipher, trigger: T): T {
  const jobSecrets = trigger.definition.job?.['secrets'];
  const sealedJob = jobSecrets !== null && typeof jobSecrets === 'object' && Object.values(jobSecrets).some(isEncrypted);
  if (!isEncrypted(trigger.secret) && !sealedJob) return trigger;
  return {
    ...trigger,
    secret: trigger.secret === null ? null : cipher.open(trigger.secret),
    definition: sealedJob ? mapJobSecrets(trigger.definition, (value) => cipher.open(value)) : trigger.definition,
  };
}

/** The columns firing looks triggers up by, kept beside the definition they come from. */
function lookupColumns(definition: TriggerDefinition): unknown[] {
  return [definition.name, definition.enabled, definition.event ?? null, definition.hookPath ?? null, definition.cron ?? null, definition.timezone ?? null];
}

export async function insertTrigger(q: Queryable, id: string, definition: TriggerDefinition, secret: string | null, nextRunAt: Date | null): Promise<TriggerRecord> {
  await q.query(
    `INSERT INTO twerk.triggers (id, name, enabled, event, hook_path, cron, timezone, definition, secret, next_run_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, ...lookupColumns(definition), ...sealed(cipherOf(q), definition, secret), nextRunAt],
  );
  return (await getTrigger(q, id))!;
}

/** Replaces a trigger's definition (and secret) and bumps its version. */
export async function replaceTrigger(q: Queryable, id: string, definition: TriggerDefinition, secret: string | null, nextRunAt: Date | null): Promise<TriggerRecord> {
  await q.query(
    `UPDATE twerk.triggers SET name = $2, enabled = $3, event = $4, hook_path = $5, cron = $6, timezone = $7, definition = $8,
       secret = $9, next_run_at = $10, version = version + 1, updated_at = greatest(now(), updated_at)
     WHERE id = $1`,
    [id, ...lookupColumns(definition), ...sealed(cipherOf(q), definition, secret), nextRunAt],
  );
  return (await getTrigger(q, id))!;
}

export async function getTrigger(q: Queryable, id: string): Promise<TriggerRecord | undefined> {
  const trigger = (await q.query<TriggerRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  return trigger && opened(cipherOf(q), trigger);
}

export async function lockTrigger(q: Queryable, id: string): Promise<TriggerRecord | undefined> {
  const trigger = (await q.query<TriggerRecord>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id])).rows[0];
  return trigger && opened(cipherOf(q), trigger);
}

export async function triggerIdByHookPath(q: Queryable, hookPath: string): Promise<string | undefined> {
  return (await q.query<{ id: string }>('SELECT id FROM twerk.triggers WHERE hook_path = $1', [hookPath])).rows[0]?.id;
}

export async function triggerIdsForEvent(q: Queryable, event: string): Promise<string[]> {
  return (await q.query<{ id: string }>('SELECT id FROM twerk.triggers WHERE event = $1 AND enabled ORDER BY id', [event])).rows.map((row) => row.id);
}

export async function listTriggers(q: Queryable): Promise<TriggerRecord[]> {
  return (await q.query<TriggerRecord>(`${SELECT} ORDER BY id`)).rows.map((trigger) => opened(cipherOf(q), trigger));
}

export async function deleteTrigger(q: Queryable, id: string): Promise<boolean> {
  return ((await q.query('DELETE FROM twerk.triggers WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

/** Up to `limit` enabled cron triggers whose tick has come, locked (other coordinators skip them). */
export async function lockDueCronTriggers(q: Queryable, limit: number): Promise<{ triggers: TriggerRecord[]; now: Date }> {
  const rows = await q.query<TriggerRecord & { dbNow: Date }>(
    `SELECT ${FIELDS}, now() AS "dbNow" FROM twerk.triggers WHERE enabled AND next_run_at <= now() ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  const now = rows.rows[0]?.dbNow ?? (await q.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
  return { triggers: rows.rows.map((trigger) => opened(cipherOf(q), trigger)), now };
}

export async function setTriggerNextRun(q: Queryable, id: string, nextRunAt: Date | null): Promise<void> {
  await q.query('UPDATE twerk.triggers SET next_run_at = $2 WHERE id = $1', [id, nextRunAt]);
}

export type FiringSource = 'event' | 'webhook' | 'cron' | 'manual';

export interface FiringRecord {
  readonly id: string;
  readonly triggerId: string;
  readonly firedAt: Date;
  readonly source: FiringSource;
  readonly jobId: string | null;
  readonly reason: string | null;
  readonly idempotencyKey: string | null;
}

const FIRING_FIELDS = `id, trigger_id AS "triggerId", fired_at AS "firedAt", source, job_id AS "jobId", reason, idempotency_key AS "idempotencyKey"`;

export async function insertFiring(q: Queryable, firing: Omit<FiringRecord, 'firedAt'>): Promise<void> {
  await q.query('INSERT INTO twerk.trigger_firings (id, trigger_id, source, job_id, reason, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6)', [
    firing.id,
    firing.triggerId,
    firing.source,
    firing.jobId,
    firing.reason,
    firing.idempotencyKey,
  ]);
  if (firing.jobId !== null) await q.query('UPDATE twerk.triggers SET last_fired_at = now() WHERE id = $1', [firing.triggerId]);
}

export async function firingByKey(q: Queryable, triggerId: string, key: string): Promise<FiringRecord | undefined> {
  return (await q.query<FiringRecord>(`SELECT ${FIRING_FIELDS} FROM twerk.trigger_firings WHERE trigger_id = $1 AND idempotency_key = $2`, [triggerId, key])).rows[0];
}

export async function listFirings(q: Queryable, triggerId: string, page: number, size: number): Promise<{ items: FiringRecord[]; totalItems: number }> {
  const total = await q.query<{ count: number }>('SELECT count(*)::int AS count FROM twerk.trigger_firings WHERE trigger_id = $1', [triggerId]);
  const items = await q.query<FiringRecord>(`SELECT ${FIRING_FIELDS} FROM twerk.trigger_firings WHERE trigger_id = $1 ORDER BY fired_at DESC, id DESC LIMIT $2 OFFSET $3`, [
    triggerId,
    size,
    (page - 1) * size,
  ]);
  return { items: items.rows, totalItems: total.rows[0]?.count ?? 0 };
}

/** Deletes up to `limit` firings older than `ageMs` (the jobs they started are kept as long, by the jobs retention). */
export async function deleteFiringsOlderThan(q: Queryable, ageMs: number, limit: number): Promise<number> {
  const result = await q.query(
    `DELETE FROM twerk.trigger_firings WHERE id IN (
       SELECT id FROM twerk.trigger_firings WHERE fired_at < now() - $1::double precision * interval '1 millisecond'
       ORDER BY fired_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [ageMs, limit],
  );
  return result.rowCount ?? 0;
}
