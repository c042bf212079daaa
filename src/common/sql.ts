/**
 * An integer array as a PostgreSQL array literal (`{1,2,3}`), to bind as one parameter and cast
 * with `::int[]`. Knex, under MikroORM's `execute`, would otherwise expand an array binding
 * into a list of parameters.
 */
export function intArray(ids: readonly number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`Not an integer id: ${id}`);
  return `{${ids.join(',')}}`;
}
