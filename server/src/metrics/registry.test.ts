import { describe, expect, it } from 'vitest';
import { MetricsRegistry, UNMATCHED_ROUTE } from './registry.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { parseExposition, seriesKey } from './testing-exposition.ts';

const snapshot: ClusterSnapshot = {
  jobs: { RUNNING: 2, COMPLETED: 5 },
  tasks: { RUNNING: 3, SCHEDULED: 1 },
  queues: [
    { name: 'default', size: 1, active: 3 },
    { name: 'x-timers', size: 4, active: 0 },
  ],
  nodes: { online: 2, cpuPercent: 12.5, queues: ['default', 'gpu', 'x-node1'] },
};

describe('MetricsRegistry', () => {
  it('sets the cluster gauges from a snapshot, every state present, no private queue', async () => {
    const { samples } = parseExposition(await new MetricsRegistry({ defaultMetrics: false }).exposition(snapshot));
    const value = (name: string, labels?: Record<string, string>) => samples.get(seriesKey(name, labels));
    expect(['PENDING', 'SCHEDULED', 'RUNNING', 'CANCELLED', 'COMPLETED', 'FAILED'].map((state) => value('twerk_jobs', { state }))).toEqual([0, 0, 2, 0, 5, 0]);
    expect(['CREATED', 'PENDING', 'SCHEDULED', 'RUNNING'].map((state) => value('twerk_tasks', { state }))).toEqual([0, 0, 1, 3]);
    expect([...samples.keys()].filter((key) => key.startsWith('twerk_queue_'))).toEqual([
      'twerk_queue_size{queue="default"}',
      'twerk_queue_size{queue="gpu"}',
      'twerk_queue_unacked{queue="default"}',
      'twerk_queue_unacked{queue="gpu"}',
    ]);
    expect([value('twerk_queue_size', { queue: 'default' }), value('twerk_queue_unacked', { queue: 'default' }), value('twerk_queue_size', { queue: 'gpu' })]).toEqual([1, 3, 0]);
    expect([value('twerk_nodes_online'), value('twerk_nodes_cpu_percent')]).toEqual([2, 12.5]);
  });

  it('forgets a queue that is gone at the next scrape', async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    await metrics.exposition(snapshot);
    const { samples } = parseExposition(await metrics.exposition({ ...snapshot, queues: [], nodes: { online: 0, cpuPercent: 0, queues: [] } }));
    expect([...samples.keys()].filter((key) => key.startsWith('twerk_queue_'))).toEqual([]);
  });

  it('counts the finished tasks it hears of, and times those that ran', async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    metrics.observer.tasksFinished([{ state: 'COMPLETED', durationMs: 2_000 }, { state: 'COMPLETED', durationMs: 200 }, { state: 'FAILED' }]);
    const { samples, families } = parseExposition(await metrics.exposition(snapshot));
    expect(families.get('twerk_tasks_finished_total')?.type).toBe('counter');
    expect(families.get('twerk_task_duration_seconds')?.type).toBe('histogram');
    const value = (name: string, labels?: Record<string, string>) => samples.get(seriesKey(name, labels));
    expect([value('twerk_tasks_finished_total', { state: 'COMPLETED' }), value('twerk_tasks_finished_total', { state: 'FAILED' })]).toEqual([2, 1]);
    expect(value('twerk_task_duration_seconds_count', { state: 'COMPLETED' })).toBe(2);
    expect(value('twerk_task_duration_seconds_sum', { state: 'COMPLETED' })).toBeCloseTo(2.2);
    expect(value('twerk_task_duration_seconds_bucket', { state: 'COMPLETED', le: '0.5' })).toBe(1);
    expect(value('twerk_task_duration_seconds_count', { state: 'FAILED' })).toBe(0);
  });

  it('times requests by method, route pattern and status', async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    metrics.observeRequest('GET', '/jobs/:id', 200, 0.003);
    metrics.observeRequest('GET', '/jobs/:id', 200, 0.004);
    metrics.observeRequest('GET', UNMATCHED_ROUTE, 404, 0.001);
    const { samples } = parseExposition(await metrics.exposition(snapshot));
    expect(samples.get(seriesKey('twerk_http_request_duration_seconds_count', { method: 'GET', route: '/jobs/:id', status: '200' }))).toBe(2);
    expect(samples.get(seriesKey('twerk_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }))).toBe(1);
  });

  it("includes prom-client's process metrics by default", async () => {
    const { families } = parseExposition(await new MetricsRegistry().exposition(snapshot));
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });
});

describe('parseExposition', () => {
  it.each([
    ['a line that is no sample', '# HELP a x\n# TYPE a gauge\na{b="c"} 1\nnonsense here\n'],
    ['a sample without HELP and TYPE', 'b 1\n'],
    ['a bad label value', '# HELP a x\n# TYPE a gauge\na{b=c} 1\n'],
    ['a bad value', '# HELP a x\n# TYPE a gauge\na 1,5\n'],
    ['a missing final newline', '# HELP a x\n# TYPE a gauge\na 1'],
    ['a series twice', '# HELP a x\n# TYPE a gauge\na 1\na 2\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });

  it('reads escapes, histograms and special values', () => {
    const { samples } = parseExposition('# HELP h x\n# TYPE h histogram\nh_bucket{le="+Inf",q="a\\"b\\\\c"} 3\nh_sum 1.5e-3\nh_count 3\n# HELP g y\n# TYPE g gauge\ng NaN\n');
    expect(samples.get(seriesKey('h_bucket', { le: '+Inf', q: 'a"b\\c' }))).toBe(3);
    expect(samples.get('h_sum')).toBe(0.0015);
    expect(samples.get('g')).toBeNaN();
  });
});
