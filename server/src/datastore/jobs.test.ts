/** Listing and search as Tork's API tests describe them (research/tork.md §11.2 items 11–12). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { newId } from './ids.ts';
import { insertJob, listJobs, parseSearch } from './jobs.ts';

describe('search terms', () => {
  it('separate tag filters from words', () => {
    expect(parseSearch('tag:a tags:b,c hello world')).toEqual({ tags: ['a', 'b', 'c'], text: 'hello world' });
    expect(parseSearch(undefined)).toEqual({ tags: [], text: '' });
  });
});

describe.each(TEST_BACKENDS)('listing 101 jobs on %s', (_name, create) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await create();
    await migrate(test.db);
    for (let index = 1; index <= 101; index += 1) {
      await insertJob(test.db, {
        id: newId(), parentId: null, name: `Job ${index}`, description: null, tags: [`tag-${index}`], state: 'RUNNING', createdBy: null,
        position: 0, taskCount: 1, document: { name: `Job ${index}`, tasks: [{ name: 't', run: 'true' }] }, inputs: {}, secrets: {}, context: {}, output: null,
      });
    }
    // Inserts a microsecond apart can share a timestamp (PGlite's clock is coarser): space them out.
    await test.db.query("UPDATE twerk.jobs SET created_at = timestamptz '2026-01-01 00:00:00+00' + substring(name from 5)::int * interval '1 second'");
  }, 60_000);
  afterAll(() => test?.dispose());

  it('pages newest first', async () => {
    const first = await listJobs(test.db, { page: 1, size: 10 });
    expect(first.totalItems).toBe(101);
    expect(first.items).toHaveLength(10);
    expect(first.items[0]?.name).toBe('Job 101');
    const last = await listJobs(test.db, { page: 11, size: 10 });
    expect(last.items.map((job) => job.name)).toEqual(['Job 1']);
  });

  it.each([
    ['101', 1],
    ['tag:tag-1', 1],
    ['tag:not-a-tag', 0],
    ['tags:not-a-tag,tag-1', 1],
    ['Job', 101],
    ['running', 101],
  ])('finds %j in %i jobs', async (q, count) => {
    expect((await listJobs(test.db, { page: 1, size: 20, q })).totalItems).toBe(count);
  });
});
