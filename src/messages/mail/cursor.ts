/** Keyset pages over ids, newest first: a page is "ids below the cursor". */
export const NO_CURSOR = 2_147_483_647;

export const cursorId = (cursor: string | undefined): number => (cursor ? Number(cursor) : NO_CURSOR);

/** Fetch `limit + 1` rows; the extra one says whether another page follows. */
export function toPage<R extends { id: number }, T>(rows: R[], limit: number, map: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { items: page.map(map), nextCursor: more ? String(page[page.length - 1].id) : null };
}
