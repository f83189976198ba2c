import { describe, expect, it } from 'vitest';
import { allItems, type Page } from './pages.ts';

describe('walking pages', () => {
  it('yields each item once when new items push older ones onto later pages', async () => {
    const items = Array.from({ length: 25 }, (_, index) => ({ id: `old-${index}` }));
    const fetchPage = async (number: number): Promise<Page<{ id: string }>> => {
      if (number === 2) items.unshift({ id: 'new-1' }, { id: 'new-2' });
      return { items: items.slice((number - 1) * 10, number * 10), number, size: 10, totalItems: items.length, totalPages: Math.ceil(items.length / 10) };
    };
    const walked: string[] = [];
    for await (const item of allItems(fetchPage)) walked.push(item.id);
    expect(walked).toEqual(Array.from({ length: 25 }, (_, index) => `old-${index}`));
  });

  it('stops at an empty page', async () => {
    const walked: unknown[] = [];
    for await (const item of allItems(async (number) => ({ items: [], number, size: 0, totalItems: 0, totalPages: 0 }))) walked.push(item);
    expect(walked).toEqual([]);
  });
});
