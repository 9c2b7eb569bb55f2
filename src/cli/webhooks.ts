import { type Command, InvalidArgumentError, Option } from "commander";
import { DirectoryError } from "../directory/errors";
import type { DeliveryView } from "./backend";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { table, terminalJson } from "./table";

/**
 * `scim-bridge webhooks list|deliveries|redeliver`: webhook endpoints, their deliveries, and sending
 * failed deliveries again, as `GET /api/v2/webhooks`, `/webhooks/{id}/deliveries` and the redeliver
 * routes do (the same service), directly in the database or through a running bridge (client mode).
 * A running bridge's dispatcher sends what is pending again.
 */

function isoTime(value: string): Date {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(t.getTime())) throw new InvalidArgumentError("must be an ISO 8601 time, such as 2026-01-31T00:00:00Z");
  return t;
}

const range = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
};

function lastAttempt(d: DeliveryView): string {
  const a = d.attempt_log[d.attempt_log.length - 1];
  if (!a) return "-";
  return `${a.at} ${a.status_code ?? "no answer"}${a.error ? `: ${a.error}` : ""}`;
}

/** Adds `webhooks list|deliveries|redeliver` to `program` (made with `.command()`, so they inherit the program's output and exit handling). */
export function addWebhooksCommands(program: Command, io: { out: (line: string) => void }, open: OpenBackend): void {
  const webhooks = program.command("webhooks").description("webhook endpoints: list them and their deliveries, send failed deliveries again");

  withClientOptions(
    webhooks
      .command("list")
      .description("list webhook endpoints (never their secrets)")
      .addOption(new Option("--format <format>", "table, or json (the API's)").choices(["table", "json"]).default("table")),
  ).action(async (opts: ClientOptions & { format: "table" | "json" }) => {
    const list = await withBackend(open, "webhooks list", opts, (b) => b.listWebhooks());
    if (opts.format === "json") return io.out(terminalJson(list));
    if (list.length === 0) return io.out("no webhooks");
    const rows = list.map((w) => [w.id, w.url, w.enabled ? "enabled" : `disabled${w.disabled_reason ? ` (${w.disabled_reason})` : ""}`, w.events.length === 0 ? "all" : w.events.join(","), String(w.pending_deliveries), w.description || "-"]);
    table([["ID", "URL", "STATE", "EVENTS", "PENDING", "DESCRIPTION"], ...rows]).forEach((l) => io.out(l));
  });

  withClientOptions(
    webhooks
      .command("deliveries")
      .description("an endpoint's deliveries, newest event first, with their last attempt")
      .argument("<webhook-id>")
      .addOption(new Option("--status <status>", "only deliveries in this state").choices(["pending", "succeeded", "failed"]))
      .addOption(new Option("--limit <n>", "deliveries per page (1 to 1000)").argParser(range(1, 1000)).default(50))
      .addOption(new Option("--offset <n>", "deliveries to skip").argParser(range(0, Number.MAX_SAFE_INTEGER)).default(0))
      .addOption(new Option("--format <format>", "table, or json (the API's page, attempt logs included)").choices(["table", "json"]).default("table")),
  ).action(async (webhookId: string, opts: ClientOptions & { status?: "pending" | "succeeded" | "failed"; limit: number; offset: number; format: "table" | "json" }) => {
    const page = await withBackend(open, "webhooks deliveries", opts, (b) => b.deliveries(webhookId, { limit: opts.limit, offset: opts.offset, status: opts.status }));
    if (opts.format === "json") return io.out(terminalJson(page));
    if (page.deliveries.length === 0) return io.out(page.count === 0 ? "no deliveries" : `no deliveries past ${opts.offset} (${page.count} in all)`);
    const rows = page.deliveries.map((d) => [d.id, d.event_type, d.event_id, d.status, String(d.attempts), d.next_attempt_at ?? d.finished_at ?? "-", lastAttempt(d)]);
    table([["ID", "EVENT TYPE", "EVENT", "STATUS", "ATTEMPTS", "NEXT / FINISHED", "LAST ATTEMPT"], ...rows]).forEach((l) => io.out(l));
    const next = opts.offset + page.deliveries.length;
    if (page.count > next) io.out(`… ${page.count - next} more: --offset ${next}`);
  });

  withClientOptions(
    webhooks
      .command("redeliver")
      .description("send one failed delivery (--delivery) or every failed delivery since a time (--since) again, with the same event id")
      .argument("<webhook-id>")
      .addOption(new Option("--delivery <id>", "the delivery to send again").conflicts("since"))
      .addOption(new Option("--since <time>", "every failed delivery that finished since this ISO time").argParser(isoTime)),
  ).action(async (webhookId: string, opts: ClientOptions & { delivery?: string; since?: Date }) => {
    // A usage error found after parsing: main prints it and exits 1, as for commander's own.
    if (opts.delivery === undefined && opts.since === undefined) throw new DirectoryError("invalid", "webhooks redeliver: give --delivery <id> or --since <time>");
    const { delivery, since } = opts;
    await withBackend(open, "webhooks redeliver", opts, async (b) => {
      if (delivery !== undefined) {
        const d = await b.redeliver(webhookId, delivery);
        io.out(`delivery ${d.id} (${d.event_type}, event ${d.event_id}) is pending again`);
      } else if (since !== undefined) {
        const { redelivered } = await b.redeliverSince(webhookId, since);
        io.out(`${redelivered} failed ${redelivered === 1 ? "delivery is" : "deliveries are"} pending again`);
      }
    });
  });
}
