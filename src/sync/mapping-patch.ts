/**
 * Coder's `PATCH …/mapping` semantics: `{add: [{given, gets}], remove: [{given, gets}]}` on a mapping
 * of claim value → targets. Adds apply first, then removes, so a pair in both is removed ("remove
 * wins"). A claim value left with no targets disappears. Pure.
 */
export interface MappingPair {
  given: string;
  gets: string;
}

export function patchMapping(
  mapping: Readonly<Record<string, readonly string[]>> | null,
  change: { add?: readonly MappingPair[] | undefined; remove?: readonly MappingPair[] | undefined },
): Record<string, string[]> {
  const next = new Map(Object.entries(mapping ?? {}).map(([k, v]) => [k, [...v]]));
  for (const { given, gets } of change.add ?? []) {
    const list = next.get(given) ?? [];
    if (!list.includes(gets)) list.push(gets);
    next.set(given, list);
  }
  for (const { given, gets } of change.remove ?? []) {
    const list = (next.get(given) ?? []).filter((t) => t !== gets);
    if (list.length > 0) next.set(given, list);
    else next.delete(given);
  }
  return Object.fromEntries([...next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
