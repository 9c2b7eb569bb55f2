import { Router } from "express";
import type { TokenService } from "../auth/token-service";
import type { AdminAudit } from "../directory/admin-audit";
import type { AdminGroups } from "../directory/admin-groups";
import type { AdminOrganizations } from "../directory/admin-organizations";
import type { AdminUsers } from "../directory/admin-users";
import type { UserGrantsService } from "../directory/grants";
import type { NameCollisions } from "../directory/name-collisions";
import type { SyncSettings } from "../sync/settings-service";
import { notFound } from "../http/errors";
import { auditRouter } from "./audit-router";
import { groupsRouter } from "./groups-router";
import { idpSyncRouter } from "./idpsync-router";
import { nameCollisionsRouter } from "./name-collisions-router";
import { organizationsRouter } from "./organizations-router";
import { tokensRouter } from "./tokens-router";
import { usersRouter } from "./users-router";
import { reconciliationsRouter } from "./reconciliations-router";
import { webhooksRouter } from "./webhooks-router";
import { eventsRouter } from "./events-router";
import type { EventFeed } from "../events/feed";
import type { WebhookService } from "../events/webhook-service";
import type { ReconciliationService } from "../reconcile/service";

/** The admin API under `/api/v2` (scope admin). Authentication and body parsing are mounted in front. */
export interface AdminDeps {
  tokens: TokenService;
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
}

export function adminRouter(deps: AdminDeps): Router {
  const r = Router();
  r.use(tokensRouter(deps.tokens));
  r.use(usersRouter(deps.users, deps.grants));
  r.use(organizationsRouter(deps.organizations));
  r.use(groupsRouter(deps.groups));
  r.use(idpSyncRouter(deps.syncSettings));
  r.use(auditRouter(deps.audit));
  r.use(reconciliationsRouter(deps.reconciliations));
  r.use(webhooksRouter(deps.webhooks));
  r.use(eventsRouter(deps.events));
  r.use(nameCollisionsRouter(deps.nameCollisions));
  r.use(notFound("admin"));
  return r;
}
