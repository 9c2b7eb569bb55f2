import { Router } from "express";
import type { TokenService } from "../auth/token-service";
import type { SessionService } from "../auth/session-service";
import { sessionRoutes, sessionsRouter } from "./sessions-router";
import type { AdminAudit } from "../directory/admin-audit";
import type { AdminGroups } from "../directory/admin-groups";
import type { AdminOrganizations } from "../directory/admin-organizations";
import type { AdminUsers } from "../directory/admin-users";
import type { UserGrantsService } from "../directory/grants";
import type { NameCollisions } from "../directory/name-collisions";
import type { AdminOverview } from "../directory/overview";
import type { SyncSettings } from "../sync/settings-service";
import { notFound } from "../http/errors";
import { auditRouter, auditRoutes } from "./audit-router";
import { groupRoutes, groupsRouter } from "./groups-router";
import { idpSyncRouter, idpSyncRoutes } from "./idpsync-router";
import { nameCollisionRoutes, nameCollisionsRouter } from "./name-collisions-router";
import { overviewRoutes, overviewRouter } from "./overview-router";
import { organizationRoutes, organizationsRouter } from "./organizations-router";
import { tokenRoutes, tokensRouter } from "./tokens-router";
import { userRoutes, usersRouter } from "./users-router";
import { reconciliationRoutes, reconciliationsRouter } from "./reconciliations-router";
import { webhookRoutes, webhooksRouter } from "./webhooks-router";
import { eventRoutes, eventsRouter } from "./events-router";
import type { RouteDoc } from "./route-doc";
import type { EventFeed } from "../events/feed";
import type { WebhookService } from "../events/webhook-service";
import type { ReconciliationService } from "../reconcile/service";
import type { AttemptLimiter } from "../http/rate-limit";

/** The admin API under `/api/v2` (scope admin). Authentication and body parsing are mounted in front. */
export interface AdminDeps {
  tokens: TokenService;
  sessions: SessionService;
  /** Sign-in attempts per client address (SIGN_IN_RATE_LIMIT). */
  signIns: AttemptLimiter;
  users: AdminUsers;
  grants: UserGrantsService;
  organizations: AdminOrganizations;
  groups: AdminGroups;
  syncSettings: SyncSettings;
  audit: AdminAudit;
  reconciliations: ReconciliationService;
  webhooks: WebhookService;
  events: EventFeed;
  nameCollisions: NameCollisions;
  overview: AdminOverview;
}

/**
 * Every admin route's doc entry, by router and name (the name pair is its OpenAPI operationId:
 * `webhooks` + `rotateSecret` → `webhooksRotateSecret`), for the document (src/admin/openapi/document.ts).
 * A router mounted below has its table listed here; test/admin/openapi.test.ts walks the mounted
 * routers and fails on a route missing from these.
 */
export const ADMIN_ROUTES: Readonly<Record<string, Readonly<Record<string, RouteDoc>>>> = {
  tokens: tokenRoutes,
  sessions: sessionRoutes,
  users: userRoutes,
  organizations: organizationRoutes,
  groups: groupRoutes,
  idpSync: idpSyncRoutes,
  audit: auditRoutes,
  reconciliations: reconciliationRoutes,
  webhooks: webhookRoutes,
  events: eventRoutes,
  nameCollisions: nameCollisionRoutes,
  overview: overviewRoutes,
};

export function adminRouter(deps: AdminDeps): Router {
  const r = Router();
  r.use(tokensRouter(deps.tokens, deps.sessions));
  r.use(sessionsRouter(deps.sessions, deps.signIns));
  r.use(usersRouter(deps.users, deps.grants));
  r.use(organizationsRouter(deps.organizations));
  r.use(groupsRouter(deps.groups));
  r.use(idpSyncRouter(deps.syncSettings));
  r.use(auditRouter(deps.audit));
  r.use(reconciliationsRouter(deps.reconciliations));
  r.use(webhooksRouter(deps.webhooks));
  r.use(eventsRouter(deps.events));
  r.use(nameCollisionsRouter(deps.nameCollisions));
  r.use(overviewRouter(deps.overview));
  r.use(notFound("admin"));
  return r;
}
