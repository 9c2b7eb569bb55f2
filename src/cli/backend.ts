import type { TokenScope } from "../auth/token-format";
import type { TokenInfo } from "../auth/token-service";
import type { AdminUser } from "../directory/admin-users";
import type { UserGrants } from "../directory/grant-explain";
import type { NameCollisionList } from "../directory/name-collisions";
import type { FeedQuery } from "../events/feed";
import type { WebhookView } from "../events/webhook-service";
import type { ReconciliationRequest } from "../reconcile/request";
import type { RunView } from "../reconcile/store";
import type { CandidateSettings } from "../sync/settings-bodies";

/**
 * What the CLI's admin commands need from the bridge, with two implementations: direct
 * (src/cli/direct-backend.ts: opens the database and calls the services, for a stopped bridge or
 * PostgreSQL) and HTTP (src/cli/http-backend.ts: the running bridge's /api/v2 with an admin token,
 * the only way while a bridge holds the embedded database). The commands (their options, output and
 * exit codes) are written once against this interface, so both modes print the same thing.
 *
 * Shapes are the admin API's (snake_case JSON), which the direct side builds with the same view
 * functions the API uses; tokens keep the CLI's historical camelCase `TokenInfo` (`token list --json`).
 */

export type ProgressFn = (scanned: number, total: number) => void;

/** One page of a run's report, with the sync consequences summed up (`GET /api/v2/reconciliations/{id}`). */
export interface RunPage extends RunView {
  consequences?: { text: string }[] | undefined;
  items: Record<string, unknown>[];
  items_count: number;
  offset: number;
  limit: number;
}

/** A webhook delivery as `GET /api/v2/webhooks/{id}/deliveries` lists it, with its attempt log. */
export interface DeliveryView {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  finished_at: string | null;
  attempt_log: { attempt: number; at: string; status_code: number | null; duration_ms: number; error: string | null }[];
}

/** A page of the events feed (`GET /api/v2/events`); events are printed as they come. */
export interface EventsPage {
  events: readonly unknown[];
  next_cursor: string;
  has_more: boolean;
}

export interface AdminBackend {
  createToken(name: string, scope: TokenScope): Promise<{ info: TokenInfo; token: string }>;
  listTokens(): Promise<TokenInfo[]>;
  revokeToken(idOrName: string): Promise<TokenInfo>;

  /** Starts a run and resolves with it once it has ended (completed or failed), reporting progress on the way. */
  runReconciliation(request: ReconciliationRequest, onProgress?: ProgressFn): Promise<RunView>;
  /** Applies a reviewed dry run (refused when the plan changed since) and resolves with the apply run once it has ended. */
  applyReviewed(runId: string, onProgress?: ProgressFn): Promise<RunView>;
  listRuns(page: { limit: number; offset: number }): Promise<{ runs: RunView[]; count: number }>;
  /** `consequences: false` skips summing up the sync consequences (only the report lines are wanted). */
  getRun(id: string, page: { limit: number; offset: number; kind?: "change" | "problem" | "error" | undefined; consequences?: boolean }): Promise<RunPage>;

  /** The saved settings as `sync get` prints them: `{organization, organizations: {<name>: {groups, roles}}}`. */
  getSyncSettings(): Promise<{ organization: unknown; organizations: Record<string, unknown> }>;
  /** Saves every part given, checked and audited as one; returns what was saved, by name. */
  saveSyncSettings(settings: CandidateSettings): Promise<string[]>;

  listWebhooks(): Promise<WebhookView[]>;
  deliveries(webhookId: string, page: { limit: number; offset: number; status?: "pending" | "succeeded" | "failed" | undefined }): Promise<{ count: number; deliveries: DeliveryView[] }>;
  redeliver(webhookId: string, deliveryId: string): Promise<DeliveryView>;
  redeliverSince(webhookId: string, since: Date): Promise<{ redelivered: number }>;

  user(idOrUsername: string): Promise<AdminUser>;
  grants(idOrUsername: string): Promise<UserGrants>;

  nameCollisions(): Promise<NameCollisionList>;

  readEvents(query: FeedQuery): Promise<EventsPage>;
  /**
   * Direct mode only: the feed's settled end (src/events/feed.ts), so `events tail --no-follow` waits
   * for transactions still running when it started. Over HTTP the bridge's own reads decide.
   */
  eventsSettled?: { settledAt(): Promise<string>; reaches(cursor: string, settled: string): boolean };

  close(): Promise<void>;
}
