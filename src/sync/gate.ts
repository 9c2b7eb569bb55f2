import type { SqlRunner } from "../db/database";
import { ORGANIZATION_SYNC_KEY, parseOrganizationSyncSettings } from "./organization-settings";

/**
 * Whether a SCIM write may take its fast path (the driver's few statements) or must plan and apply
 * IdP sync on the general path: read in the same statement as the write's lock (the GATE select-list
 * fragment), so it costs no round trip of its own. Shared by the user and group aggregates' SQL.
 */

/** What decides whether a write may take the fast path: sync settings as stored, the default organization. */
export interface SyncGate {
  /** The stored organization sync settings (null: never saved, Coder's defaults). */
  organizationSettings: unknown;
  /** A stored group or role setting of some organization names a claim field. */
  perOrganizationSync: boolean;
  defaultOrganizationId: string | null;
}

const ORGANIZATION_SETTINGS = `(SELECT value FROM sync_settings WHERE key = '${ORGANIZATION_SYNC_KEY}')`;
const PER_ORGANIZATION_SYNC = `EXISTS (SELECT 1 FROM sync_settings WHERE key <> '${ORGANIZATION_SYNC_KEY}' AND COALESCE(value->>'field', '') <> '')`;
const DEFAULT_ORGANIZATION = `(SELECT id::text FROM organizations WHERE is_default ORDER BY created_at LIMIT 1)`;

/** Select-list items giving a SyncGate's columns (no parameters; the key is a constant). */
export const GATE = `${ORGANIZATION_SETTINGS} AS "organizationSettings",
  ${PER_ORGANIZATION_SYNC} AS "perOrganizationSync",
  ${DEFAULT_ORGANIZATION} AS "defaultOrganizationId"`;

/**
 * A condition that holds while the gate is still `gate` as read earlier (its values bound as the
 * parameters named by `p`, from gateParams): a single-statement write computed from a remembered
 * gate checks it in the same statement, so the memory is never trusted, only used.
 */
export function gateUnchanged(p: readonly [string, string, string]): string {
  return `${ORGANIZATION_SETTINGS} IS NOT DISTINCT FROM ${p[0]}::jsonb AND ${PER_ORGANIZATION_SYNC} = ${p[1]}::boolean AND ${DEFAULT_ORGANIZATION} IS NOT DISTINCT FROM ${p[2]}::text`;
}

export function gateParams(gate: SyncGate): [string | null, boolean, string | null] {
  return [gate.organizationSettings === null || gate.organizationSettings === undefined ? null : JSON.stringify(gate.organizationSettings), gate.perOrganizationSync, gate.defaultOrganizationId];
}

/** Splits a row read with GATE into the gate and the rest. */
export function splitGate<R extends SyncGate>(row: R): { gate: SyncGate; rest: Omit<R, keyof SyncGate> } {
  const { organizationSettings, perOrganizationSync, defaultOrganizationId, ...rest } = row;
  return { gate: { organizationSettings, perOrganizationSync, defaultOrganizationId }, rest };
}

/**
 * True when no sync dimension maps a claim: a write then changes no grant beyond the default join.
 * Conservative: any stored per-organization setting with a field counts, even for an organization
 * that no longer exists (loadSyncContext would ignore it; the general path is then merely slower).
 */
export function syncIsOff(gate: SyncGate): boolean {
  return parseOrganizationSyncSettings(gate.organizationSettings).field === "" && !gate.perOrganizationSync;
}

/** The gate alone, for a write that has no row to lock first (a create). */
export async function readSyncGate(tx: SqlRunner): Promise<SyncGate> {
  const [row] = await tx.query<SyncGate>(`SELECT ${GATE}`);
  return splitGate(row!).gate;
}
