/** Walking Tork-style pages (`{items, number, size, totalPages, totalItems}`, newest first). */

export interface Page<T> {
  readonly items: readonly T[];
  readonly number: number;
  readonly size: number;
  readonly totalPages: number;
  readonly totalItems: number;
}

/**
 * Every item across the pages, in the server's order. Lists are newest first, so items created while
 * walking push older ones onto later pages: an item already yielded is not yielded again.
 */
export async function* allItems<T extends { readonly id: string }>(fetchPage: (number: number) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  for (let number = 1; ; number++) {
    const page = await fetchPage(number);
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      yield item;
    }
    if (page.items.length === 0 || number >= page.totalPages) return;
  }
}
