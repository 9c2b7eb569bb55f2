import { type Command, InvalidArgumentError, Option } from "commander";
import { openForProcess } from "../app";
import { durationMs, type Config } from "../config/config";
import { createEventFeed, parseEventTypes, type FeedStart } from "../events/feed";
import type { Logger } from "../log/logger";
import { terminalJsonLine } from "./table";

/**
 * `scim-bridge events tail`: follows the events feed (`GET /api/v2/events`, the same module) and prints
 * one JSON line per event to stdout; notes, and the cursor to resume from, go to stderr. Opens the
 * database directly, like `token`; with the embedded database while the server runs, use the API.
 */

export interface EventsIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the process should stop (SIGINT/SIGTERM); following ends then. */
  untilStopped: () => Promise<void>;
}

function interval(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined || ms < 100 || ms > 3_600_000) throw new InvalidArgumentError("must be a duration from 100ms to 1h, such as 500ms, 2s or 1m");
  return ms;
}

interface TailOptions {
  after?: string;
  fromStart?: boolean;
  type?: string[];
  interval: number;
  wait: number;
  follow: boolean;
}

/** Adds `events tail` to `program` (made with `.command()`, so it inherits the program's output and exit handling). */
export function addEventsCommands(program: Command, io: EventsIo, loadConfig: () => Config, logger: (c: Config) => Logger): void {
  program
    .command("events")
    .description("the events feed: the webhook payloads, in order, for readers without a webhook endpoint")
    .command("tail")
    .description("print events as JSON lines (one per event), from the current end unless --after or --from-start, and keep following until SIGINT/SIGTERM (or stop at the end with --no-follow)")
    .addOption(new Option("--after <cursor>", "start after this cursor (a next_cursor of the API, or the one this command printed when it stopped)").conflicts("fromStart"))
    .option("--from-start", "start with the oldest event kept (WEBHOOK_RETENTION)")
    .option("--type <types...>", "only these event types (repeat or separate with commas)")
    .addOption(new Option("--interval <duration>", "how often to look for new events when following").argParser(interval).default(1000, "1s"))
    .option("--no-follow", "print the events there are and exit")
    .addOption(
      new Option("--wait <duration>", "with --no-follow: how long to wait for transactions that were still running when the command started (on PostgreSQL, anywhere on the server) so their events are printed too")
        .argParser(interval)
        .default(10_000, "10s"),
    )
    .action(async (opts: TailOptions) => {
      // Checked before the database is opened: a typo is a usage error, not a wait.
      const types = opts.type ? parseEventTypes(opts.type) : undefined;
      let after: FeedStart = opts.after !== undefined ? (opts.after === "start" || opts.after === "end" ? opts.after : { cursor: opts.after }) : opts.fromStart ? "start" : "end";
      const config = loadConfig();
      const { db, close } = await openForProcess(config, "events tail", logger(config));
      let stopped = false;
      const stop = opts.follow
        ? io.untilStopped().then(() => {
            stopped = true;
          })
        : Promise.resolve();
      let cursor: string | undefined;
      try {
        const feed = createEventFeed(db.prisma);
        // The feed shows an event only once every transaction begun before it has ended (see feed.ts), and
        // on PostgreSQL that means any transaction on the server. Without following, read until the end
        // passes the transactions running now, so events committed before the command are not missed
        // because an unrelated transaction elsewhere was open; but not forever.
        const settled = opts.follow || after === "end" ? undefined : await feed.settledAt();
        const waitUntil = Date.now() + opts.wait;
        for (;;) {
          const page = await feed.read({ after, limit: 1000, types: types?.length ? types : undefined });
          for (const e of page.events) io.out(terminalJsonLine(e));
          cursor = page.next_cursor;
          after = { cursor };
          if (page.has_more && !stopped) continue;
          if (settled !== undefined && !feed.reaches(cursor, settled)) {
            if (Date.now() < waitUntil) {
              await new Promise((r) => setTimeout(r, Math.min(100, opts.interval)));
              continue;
            }
            io.err(`transactions that were still running when this command started have not ended (waited ${opts.wait} ms): their events are not printed yet`);
          }
          if (!opts.follow || stopped) break;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([stop, new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.interval)))]);
          clearTimeout(timer);
          if (stopped) break;
        }
      } finally {
        await close();
      }
      if (cursor !== undefined) io.err(`resume with --after ${cursor}`);
    });
}
