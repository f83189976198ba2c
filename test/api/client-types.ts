/**
 * Type-level test (checked by `tsc -p test/tsconfig.json`, never run): a client built from the
 * contract can call every route with correctly typed arguments, and wrong ones do not compile. The
 * `Calls` type requires an entry for every route of the contract, so a new route fails this file until
 * it is called here.
 */
import { initClient } from '@ts-rest/core';
import { contract, type Contract } from '@twerk/contract';

const client = initClient(contract, { baseUrl: 'http://localhost:8000' });

type Calls = { [Group in keyof Contract]: { [Route in keyof Contract[Group]]: () => Promise<unknown> } };

const job = { name: 'hello', tasks: [{ name: 'say hi', image: 'alpine:3.20', run: 'echo hi' }] };
const trigger = { name: 'on deploy', enabled: true, event: 'deploy', job };

export const calls: Calls = {
  system: {
    health: () => client.system.health(),
    openapi: () => client.system.openapi(),
    metrics: () => client.system.metrics({ query: { format: 'prometheus' } }),
    listNodes: () => client.system.listNodes(),
    getNode: () => client.system.getNode({ params: { id: 'n1' } }),
    listQueues: () => client.system.listQueues(),
    getQueue: () => client.system.getQueue({ params: { name: 'default' } }),
    deleteQueue: () => client.system.deleteQueue({ params: { name: 'default' } }),
  },
  jobs: {
    submit: () => client.jobs.submit({ body: job, query: { wait: 'true' } }),
    list: () => client.jobs.list({ query: { page: 1, size: 10, q: 'tag:nightly' } }),
    get: () => client.jobs.get({ params: { id: 'j1' } }),
    delete: () => client.jobs.delete({ params: { id: 'j1' } }),
    log: () => client.jobs.log({ params: { id: 'j1' }, query: {} }),
    cancel: () => client.jobs.cancel({ params: { id: 'j1' } }),
    cancelByPost: () => client.jobs.cancelByPost({ params: { id: 'j1' } }),
    restart: () => client.jobs.restart({ params: { id: 'j1' } }),
  },
  tasks: {
    get: () => client.tasks.get({ params: { id: 't1' } }),
    log: () => client.tasks.log({ params: { id: 't1' }, query: { size: 100 } }),
  },
  scheduledJobs: {
    create: () => client.scheduledJobs.create({ body: { ...job, schedule: { cron: '0 2 * * *' } } }),
    list: () => client.scheduledJobs.list({ query: {} }),
    get: () => client.scheduledJobs.get({ params: { id: 's1' } }),
    pause: () => client.scheduledJobs.pause({ params: { id: 's1' } }),
    resume: () => client.scheduledJobs.resume({ params: { id: 's1' } }),
    delete: () => client.scheduledJobs.delete({ params: { id: 's1' } }),
  },
  machines: {
    submit: () => client.machines.submit({ body: { startAt: 'A', states: { A: { type: 'succeed' } } } }),
  },
  access: {
    createUser: () => client.access.createUser({ body: { username: 'ada', password: 'correct horse battery' } }),
    listUsers: () => client.access.listUsers(),
    deleteUser: () => client.access.deleteUser({ params: { id: 'u1' } }),
    getUser: () => client.access.getUser({ params: { id: 'u1' } }),
    disableUser: () => client.access.disableUser({ params: { id: 'u1' } }),
    enableUser: () => client.access.enableUser({ params: { id: 'u1' } }),
    createRole: () => client.access.createRole({ body: { slug: 'ops', name: 'Operations' } }),
    listRoles: () => client.access.listRoles(),
    createKey: () => client.access.createKey({ body: { name: 'ci' } }),
    listKeys: () => client.access.listKeys(),
    deleteKey: () => client.access.deleteKey({ params: { id: 'k1' } }),
  },
  triggers: {
    list: () => client.triggers.list(),
    create: () => client.triggers.create({ body: trigger }),
    get: () => client.triggers.get({ params: { id: 'on-deploy' } }),
    update: () => client.triggers.update({ params: { id: 'on-deploy' }, body: { ...trigger, version: 1 } }),
    delete: () => client.triggers.delete({ params: { id: 'on-deploy' } }),
  },
  legacyTriggers: {
    list: () => client.legacyTriggers.list(),
    create: () => client.legacyTriggers.create({ body: trigger }),
    get: () => client.legacyTriggers.get({ params: { id: 'on-deploy' } }),
    update: () => client.legacyTriggers.update({ params: { id: 'on-deploy' }, body: trigger }),
    delete: () => client.legacyTriggers.delete({ params: { id: 'on-deploy' } }),
  },
  firing: {
    fire: () => client.firing.fire({ params: { id: 'on-deploy' }, body: { payload: { version: '1.2.3' } } }),
    event: () => client.firing.event({ body: { name: 'deploy', payload: { version: '1.2.3' } } }),
    hook: () => client.firing.hook({ params: { path: 'github' }, body: { ref: 'main' } }),
    firings: () => client.firing.firings({ params: { id: 'on-deploy' }, query: { page: 1 } }),
  },
  workers: {
    register: () => client.workers.register({ body: { worker_id: 'py-1', labels: ['python'] } }),
    listWorkers: () => client.workers.listWorkers(),
    workerHeartbeat: () => client.workers.workerHeartbeat({ params: { worker_id: 'py-1' } }),
    claim: () => client.workers.claim({ body: { worker_id: 'py-1', labels: ['python'], lease_ttl_secs: 60 } }),
    heartbeat: () => client.workers.heartbeat({ params: { lease_id: 'l1' } }),
    appendLogs: () =>
      client.workers.appendLogs({ params: { lease_id: 'l1' }, body: { chunks: [{ workflow_id: 'w', job_id: 'j', sequence: 0, data: 'hi', timestamp_ms: 0, stream: 'stdout' }] } }),
    complete: () => client.workers.complete({ params: { lease_id: 'l1' }, body: { outputs: {} } }),
    fail: () => client.workers.fail({ params: { lease_id: 'l1' }, body: { error: 'exit 1', retryable: true } }),
    cancelled: () => client.workers.cancelled({ params: { workflow_id: 'w', job_id: 'j' } }),
  },
};

export async function responsesAreTyped(): Promise<void> {
  const submitted = await client.jobs.submit({ body: job, query: {} });
  if (submitted.status === 200) {
    const state: string = submitted.body.state;
    void state;
  } else if (submitted.status === 400) {
    const paths: string[] | undefined = submitted.body.errors?.map((error) => error.path);
    void paths;
  }
  const claim = await client.workers.claim({ body: { worker_id: 'w', labels: [] } });
  if (claim.status === 200 && claim.body !== null) {
    const leaseId: string = claim.body.lease.lease_id;
    void leaseId;
  }
}

export function wrongCallsDoNotCompile(): void {
  // @ts-expect-error a job needs tasks
  void client.jobs.submit({ body: { name: 'no tasks' } });
  // @ts-expect-error a task's retry limit is a number
  void client.jobs.submit({ body: { name: 'x', tasks: [{ name: 't', retry: { limit: 'many' } }] } });
  // @ts-expect-error GET /jobs/{id} needs its id
  void client.jobs.get({ params: {} });
  // @ts-expect-error claim needs a worker id
  void client.workers.claim({ body: { labels: [] } });
  // @ts-expect-error a log chunk's stream is stdout or stderr
  void client.workers.appendLogs({ params: { lease_id: 'l' }, body: { chunks: [{ workflow_id: 'w', job_id: 'j', sequence: 0, data: '', timestamp_ms: 0, stream: 'stdin' }] } });
  // @ts-expect-error no such route
  void client.jobs.explode();
}
