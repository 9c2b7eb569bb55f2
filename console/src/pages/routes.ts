import type { ComponentType } from "preact";
import { AuditPage } from "./Audit";
import { GroupPage } from "./Group";
import { OrganizationPage } from "./Organization";
import { OrganizationsPage } from "./Organizations";
import { OverviewPage } from "./Overview";
import { ReconciliationPage } from "./Reconciliation";
import { ReconciliationsPage } from "./Reconciliations";
import { SyncPage } from "./Sync";
import { TokensPage } from "./Tokens";
import { UserPage } from "./User";
import { UsersPage } from "./Users";
import { WebhookPage } from "./Webhook";
import { WebhooksPage } from "./Webhooks";

/** Every console page: its path under /admin (":name" is a parameter) and its component. */
export interface RouteEntry {
  path: string;
  page: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}

export const routes: RouteEntry[] = [
  { path: "/", page: OverviewPage },
  { path: "/users", page: UsersPage },
  { path: "/users/:id", page: UserPage },
  { path: "/organizations", page: OrganizationsPage },
  { path: "/organizations/:org", page: OrganizationPage },
  { path: "/groups/:id", page: GroupPage },
  { path: "/sync", page: SyncPage },
  { path: "/reconciliations", page: ReconciliationsPage },
  { path: "/reconciliations/:id", page: ReconciliationPage },
  { path: "/tokens", page: TokensPage },
  { path: "/webhooks", page: WebhooksPage },
  { path: "/webhooks/:id", page: WebhookPage },
  { path: "/audit", page: AuditPage },
];
