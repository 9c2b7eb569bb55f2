import type { ComponentType } from "preact";
import { ReconciliationPage } from "./Reconciliation";
import { ReconciliationsPage } from "./Reconciliations";
import { SyncPage } from "./Sync";
import { TokensPage } from "./Tokens";

/** Every console page: its path under /admin (":name" is a parameter) and its component. */
export interface RouteEntry {
  path: string;
  page: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}

export const routes: RouteEntry[] = [
  { path: "/tokens", page: TokensPage },
  { path: "/sync", page: SyncPage },
  { path: "/reconciliations", page: ReconciliationsPage },
  { path: "/reconciliations/:id", page: ReconciliationPage },
];
