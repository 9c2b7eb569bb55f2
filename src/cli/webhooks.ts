import { type Command, InvalidArgumentError, Option } from "commander";
import { openForProcess } from "../app";
import type { Config } from "../config/config";
import { DirectoryError } from "../directory/errors";
import { createSecretBox, encryptionKey } from "../events/secret-box";
import { createWebhookService } from "../events/webhook-service";
import type { Logger } from "../log/logger";

/**
 * `scim-bridge webhooks redeliver`: sends failed deliveries again, as
 * `POST /api/v2/webhooks/{id}/deliveries/{delivery}/redeliver` and `/webhooks/{id}/redeliver` do (the
 * same service). Opens the database directly, like `token`; with the embedded database while the
 * server runs, use the API. A running bridge's dispatcher sends them.
 */

function isoTime(value: string): Date {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(t.getTime())) throw new InvalidArgumentError("must be an ISO 8601 time, such as 2026-01-31T00:00:00Z");
  return t;
}

/** Adds `webhooks redeliver` to `program` (made with `.command()`, so it inherits the program's output and exit handling). */
export function addWebhooksCommands(program: Command, io: { out: (line: string) => void }, loadConfig: () => Config, logger: (c: Config) => Logger, actor: string): void {
  program
    .command("webhooks")
    .description("webhook endpoints: send failed deliveries again")
    .command("redeliver")
    .description("send one failed delivery (--delivery) or every failed delivery since a time (--since) again, with the same event id")
    .argument("<webhook-id>")
    .addOption(new Option("--delivery <id>", "the delivery to send again").conflicts("since"))
    .addOption(new Option("--since <time>", "every failed delivery that finished since this ISO time").argParser(isoTime))
    .action(async (webhookId: string, opts: { delivery?: string; since?: Date }) => {
      // A usage error found after parsing: main prints it and exits 1, as for commander's own.
      if (opts.delivery === undefined && opts.since === undefined) throw new DirectoryError("invalid", "webhooks redeliver: give --delivery <id> or --since <time>");
      const config = loadConfig();
      const { db, close } = await openForProcess(config, "webhooks redeliver", logger(config));
      try {
        const service = createWebhookService(db.prisma, createSecretBox(encryptionKey(config.encryptionKey, config.dataDir)), { allowPrivateTargets: config.webhooks.allowPrivateTargets });
        if (opts.delivery !== undefined) {
          const d = await service.redeliver(webhookId, opts.delivery, actor);
          io.out(`delivery ${d.id} (${d.event_type}, event ${d.event_id}) is pending again`);
        } else {
          const { redelivered } = await service.redeliverSince(webhookId, opts.since!, actor);
          io.out(`${redelivered} failed ${redelivered === 1 ? "delivery is" : "deliveries are"} pending again`);
        }
      } finally {
        await close();
      }
    });
}
