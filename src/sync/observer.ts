import type { UserPlan } from "./plan";

/**
 * How the sync reports what it applied, for metrics (src/metrics/sync.ts): the plans of one committed
 * transaction, the same changes and problems its `sync.*` audit rows record. Counted from the plans
 * the sync computed anyway, so reporting costs no query; reported only after the commit, so a write
 * that was rolled back counts nothing.
 */
export type SyncObserver = (plans: readonly UserPlan[]) => void;

/**
 * Runs `transaction`, which adds the plans it applies to `synced`, and reports them once it has
 * resolved (committed). Wrap each transaction on its own: a retried one starts with an empty list.
 */
export async function reportingSync<T>(observe: SyncObserver | undefined, transaction: (synced: UserPlan[]) => Promise<T>): Promise<T> {
  const synced: UserPlan[] = [];
  const result = await transaction(synced);
  if (observe && synced.length > 0) observe(synced);
  return result;
}
