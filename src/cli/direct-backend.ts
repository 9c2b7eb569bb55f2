import { openForProcess } from "../app";
import { createTokenService } from "../auth/token-service";
import type { Config } from "../config/config";
import type { Database } from "../db/database";
import { createAdminUsers } from "../directory/admin-users";
import { ensureDefaultOrganization } from "../directory/bootstrap";
import { createUserGrants } from "../directory/grants";
import { createGroupService } from "../directory/groups/group-service";
import { createNameCollisions } from "../directory/name-collisions";
import { createUserService } from "../directory/users/user-service";
import { createEventFeed } from "../events/feed";
import { createSecretBox, encryptionKey } from "../events/secret-box";
import { createWebhookService } from "../events/webhook-service";
import type { Logger } from "../log/logger";
import { createReconciliationService, type ReconciliationService } from "../reconcile/service";
import { createSyncSettings } from "../sync/settings-service";
import type { AdminBackend, RunPage } from "./backend";

/**
 * The CLI's direct mode: opens the database as the bridge does (openForProcess: with the embedded
 * database only while no bridge holds it) and calls the services the admin API calls, so checks,
 * audit rows and answers are the same. Changes are audited with the actor `cli`.
 */

/** The audit log's actor for changes made from the command line (it has no token to name). */
export const CLI_ACTOR = "cli";

/** Made on first use, so a command builds (and later closes) only the services it calls. */
function lazy<T>(make: () => T): { get: () => T; made: () => T | undefined } {
  let made: { value: T } | undefined;
  return { get: () => (made ??= { value: make() }).value, made: () => made?.value };
}

function services(db: Database, config: Config, logger: Logger) {
  const prisma = db.prisma;
  return {
    tokens: lazy(() => createTokenService(db)),
    // As a serving bridge does at start: the default organization exists before a run plans against it.
    reconciliations: lazy(async (): Promise<ReconciliationService> => {
      await ensureDefaultOrganization(db);
      return createReconciliationService({ db, users: createUserService(db), groups: createGroupService(db), maxSuspendShare: config.maxSuspendShare, logger, runRetentionMs: config.runRetentionMs });
    }),
    syncSettings: lazy(() => createSyncSettings(prisma)),
    webhooks: lazy(() => createWebhookService(prisma, createSecretBox(encryptionKey(config.encryptionKey, config.dataDir)), { allowPrivateTargets: config.webhooks.allowPrivateTargets })),
    users: lazy(() => createAdminUsers(prisma)),
    grants: lazy(() => createUserGrants(prisma)),
    events: lazy(() => createEventFeed(prisma)),
    nameCollisions: lazy(() => createNameCollisions(prisma)),
  };
}

export async function openDirectBackend(config: Config, purpose: string, logger: Logger): Promise<AdminBackend> {
  const { db, close } = await openForProcess(config, purpose, logger);
  const all = services(db, config, logger);
  const s = {
    tokens: all.tokens.get,
    reconciliations: all.reconciliations.get,
    syncSettings: all.syncSettings.get,
    webhooks: all.webhooks.get,
    users: all.users.get,
    grants: all.grants.get,
    events: all.events.get,
    nameCollisions: all.nameCollisions.get,
  };
  return {
    createToken: (name, scope) => s.tokens().create({ name, scope, origin: "cli", actor: CLI_ACTOR }),
    listTokens: () => s.tokens().list(),
    revokeToken: (idOrName) => s.tokens().revoke(idOrName, CLI_ACTOR),

    async runReconciliation(request, onProgress) {
      const started = await (await s.reconciliations()).start(request, CLI_ACTOR, onProgress ? { onProgress } : {});
      return started.finished;
    },
    async applyReviewed(runId, onProgress) {
      const started = await (await s.reconciliations()).applyReviewed(runId, CLI_ACTOR, onProgress ? { onProgress } : {});
      return started.finished;
    },
    listRuns: async (page) => (await s.reconciliations()).list(page),
    async getRun(id, page): Promise<RunPage> {
      const run = await (await s.reconciliations()).get(id, page);
      // Report lines are itemView's records (src/reconcile/store.ts), as the API sends them.
      return { ...run, items: run.items as Record<string, unknown>[] };
    },

    getSyncSettings: () => s.syncSettings().getAll(),
    saveSyncSettings: (settings) => s.syncSettings().saveAll(settings, CLI_ACTOR),

    listWebhooks: () => s.webhooks().list(),
    deliveries: (id, page) => s.webhooks().deliveries(id, page),
    redeliver: (id, delivery) => s.webhooks().redeliver(id, delivery, CLI_ACTOR),
    redeliverSince: (id, since) => s.webhooks().redeliverSince(id, since, CLI_ACTOR),

    user: (idOrUsername) => s.users().get(idOrUsername),
    grants: (idOrUsername) => s.grants().get(idOrUsername),

    nameCollisions: () => s.nameCollisions().list(),

    readEvents: (query) => s.events().read(query),
    eventsSettled: { settledAt: () => s.events().settledAt(), reaches: (cursor, settled) => s.events().reaches(cursor, settled) },

    async close() {
      try {
        // A run's background work and the tokens' last-use writes end before the database closes.
        const recon = all.reconciliations.made();
        if (recon) await (await recon).close();
        await all.tokens.made()?.close();
      } finally {
        await close();
      }
    },
  };
}
