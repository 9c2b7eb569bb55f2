import { type Command, InvalidArgumentError, Option } from "commander";
import { durationMs } from "../config/config";
import { parseEventTypes, type FeedStart } from "../events/feed";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { terminalJsonLine } from "./table";

/**
 * `scim-bridge events tail`: follows the events feed (`GET /api/v2/events`, the same module) and prints
 * one JSON line per event to stdout; notes, and the cursor to resume from, go to stderr. Directly in
 * the database, or through a running bridge's `GET /api/v2/events` (client mode).
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

interface TailOptions extends ClientOptions {
  after?: string;
  fromStart?: boolean;
  type?: string[];
  interval: number;
  wait: number;
  follow: boolean;
}

/** Adds `events tail` to `program` (made with `.command()`, so it inherits the program's output and exit handling). */
export function addEventsCommands(program: Command, io: EventsIo, open: OpenBackend): void {
  const tail = program
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
      new Option("--wait <duration>", "with --no-follow, opening the database: how long to wait for transactions that were still running when the command started (on PostgreSQL, anywhere on the server) so their events are printed too")
        .argParser(interval)
        .default(10_000, "10s"),
    );
  withClientOptions(tail).action(async (opts: TailOptions) => {
      // Checked before the database is opened: a typo is a usage error, not a wait.
      const types = opts.type ? parseEventTypes(opts.type) : undefined;
      let after: FeedStart = opts.after !== undefined ? (opts.after === "start" || opts.after === "end" ? opts.after : { cursor: opts.after }) : opts.fromStart ? "start" : "end";
      let cursor: string | undefined;
      await withBackend(open, "events tail", opts, async (backend) => {
        let stopped = false;
        const stop = opts.follow
          ? io.untilStopped().then(() => {
              stopped = true;
            })
          : Promise.resolve();
        // The feed shows an event only once every transaction begun before it has ended (see feed.ts), and
        // on PostgreSQL that means any transaction on the server. Without following, read until the end
        // passes the transactions running now, so events committed before the command are not missed
        // because an unrelated transaction elsewhere was open; but not forever. (Opening the database only:
        // the admin API has no such wait, and a client reads what the bridge shows now.)
        const feed = backend.eventsSettled;
        const settled = opts.follow || after === "end" || !feed ? undefined : await feed.settledAt();
        const waitUntil = Date.now() + opts.wait;
        for (;;) {
          const page = await backend.readEvents({ after, limit: 1000, types: types?.length ? types : undefined });
          for (const e of page.events) io.out(terminalJsonLine(e));
          cursor = page.next_cursor;
          after = { cursor };
          if (page.has_more && !stopped) continue;
          if (feed && settled !== undefined && !feed.reaches(cursor, settled)) {
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
      });
      if (cursor !== undefined) io.err(`resume with --after ${cursor}`);
    });
}
