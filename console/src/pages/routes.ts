import type { ComponentType } from "preact";
import { AuditPage } from "./Audit";
import { TokensPage } from "./Tokens";
import { WebhookPage } from "./Webhook";
import { WebhooksPage } from "./Webhooks";

/** Every console page: its path under /admin (":name" is a parameter) and its component. */
export interface RouteEntry {
  path: string;
  page: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}

export const routes: RouteEntry[] = [
  { path: "/tokens", page: TokensPage },
  { path: "/webhooks", page: WebhooksPage },
  { path: "/webhooks/:id", page: WebhookPage },
  { path: "/audit", page: AuditPage },
];
