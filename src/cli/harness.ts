import { Command, InvalidArgumentError, Option } from "commander";
import { cleanup, countOf, type CleanupReport } from "../harness/cleanup";
import { HarnessError } from "../harness/errors";
import { startListener, webhookSecretSchema } from "../harness/listener";
import { loadScenarios, replay } from "../harness/replay";
import { checkTarget, fetchSender, targetUrlSchema } from "../harness/target";

/**
 * `scim-bridge harness`: test an IdP setup and downstream consumers end to end on one machine.
 * `replay` plays recorded IdP traffic against any SCIM server and checks every response; `listen`
 * receives the bridge's webhooks and verifies them.
 */

export interface HarnessIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `listen` runs until then. */
  untilStopped: () => Promise<void>;
}

/** Replay found failing steps (or could not clean up): exit 1 after the report. */
export class HarnessFailed extends Error {}

const statusList = (v: string): number[] => {
  const list = v.split(",").map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) throw new InvalidArgumentError("must be HTTP status codes, e.g. 204 or 500,500,204");
  return list;
};
const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0 picks a free one)");
  return n;
};
/** Checked in the action, not by an argument parser, whose message would echo a URL's credentials. */
const targetUrl = (v: string): string => {
  const parsed = targetUrlSchema.safeParse(v);
  if (!parsed.success) throw new HarnessError(`--target ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function cleanupLines(c: CleanupReport): string[] {
  const lines = [`cleanup: deleted ${countOf(c.deleted)}${c.alreadyGone.length ? `; ${countOf(c.alreadyGone)} the scenarios had deleted already` : ""}`];
  for (const f of c.failed) lines.push(`cleanup FAIL  DELETE /${f.type}/${f.id} (${f.status})`);
  return lines;
}

export function harnessCommand(io: HarnessIo): Command {
  const harness = new Command("harness").description("replay IdP traffic against a SCIM server; receive and verify the bridge's webhooks");

  harness
    .command("replay")
    .description(
      "drive a SCIM server as an IdP does (lookup, create, update, group push, membership, deactivate, delete) and check every response. " +
        "Each run tags the names it creates (userName, externalId, emails, group displayName) with its own prefix, so a server that already has users can be used, again and again. " +
        "A target that cannot be reached, refuses the token or is not a SCIM base URL is one error line and exit 1; so are failed steps, after the report",
    )
    .requiredOption("--target <url>", "the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2")
    .requiredOption("--token <token>", "the bearer token the IdP would use (on the bridge: scope scim)")
    .requiredOption("--scenario <name|file|dir>", "okta, entra, strict, or a scenario file or directory (format: test/fixtures/idp/README.md)")
    .option("--cleanup", "afterwards, DELETE every user and group the run created (whether its steps passed or not)")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json"]).default("text"))
    .action(async (opts: { target: string; token: string; scenario: string; cleanup?: boolean; format: "text" | "json" }) => {
      const target = targetUrl(opts.target);
      const scenarios = loadScenarios(opts.scenario);
      const text = opts.format === "text";
      const send = fetchSender(target, opts.token);
      // A refused connection or a refused token is one line, not every step failing the same way.
      await checkTarget(target, send);
      const result = await replay(scenarios, send, {
        onStep: (name, r) => {
          if (!text) return;
          io.out(`${r.ok ? "PASS" : "FAIL"}  ${name}: ${r.name} (${r.status})`);
          for (const p of r.problems) io.out(`        ${p}`);
        },
      });
      const cleaned = opts.cleanup ? await cleanup(result.created, send) : undefined;
      const steps = result.reports.flatMap((r) => r.results);
      const failed = steps.filter((s) => !s.ok).length;
      const summary = `${steps.length - failed} passed, ${failed} failed (${plural(steps.length, "step")} in ${plural(result.reports.length, "scenario")} against ${target}; names carry ${result.run}-)`;
      if (text) {
        io.out("");
        if (cleaned) cleanupLines(cleaned).forEach((l) => io.out(l));
        io.out(summary);
      } else {
        const cleanupJson = cleaned ? { cleanup: { deleted: cleaned.deleted, already_gone: cleaned.alreadyGone, failed: cleaned.failed } } : {};
        io.out(JSON.stringify({ target, run: result.run, passed: steps.length - failed, failed, scenarios: result.reports, ...cleanupJson }, null, 2));
      }
      const problems = [failed > 0 ? `${plural(failed, "step")} failed` : "", cleaned?.failed.length ? `cleanup could not delete ${plural(cleaned.failed.length, "resource")}` : ""].filter(Boolean);
      if (problems.length > 0) throw new HarnessFailed(problems.join("; "));
    });

  harness
    .command("listen")
    .description("receive webhooks: verify signatures and timestamps, print each as a JSON line, answer with the given status codes")
    .addOption(new Option("--port <port>", "port to listen on (0 picks one)").argParser(port).makeOptionMandatory())
    .requiredOption("--secret <secret>", "the endpoint's signing secret (whsec_ then base64), as POST /api/v2/webhooks or rotate-secret returned it")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(new Option("--status <codes>", "status codes to answer in turn, the last repeating (e.g. 500,500,204 fails twice)").argParser(statusList).default([204]))
    .option("--out <file>", "also append every event as a JSON line to this file")
    .action(async (opts: { port: number; secret: string; host: string; status: number[]; out?: string }) => {
      // Checked here rather than in an argument parser, whose message would echo the value given.
      if (!webhookSecretSchema.safeParse(opts.secret).success) throw new HarnessError(`--secret must be the endpoint's whsec_ signing secret (whsec_ then base64, as POST /api/v2/webhooks returned it); the value given is not one`);
      const listener = await startListener({
        port: opts.port,
        host: opts.host,
        secret: opts.secret,
        statuses: opts.status,
        ...(opts.out ? { outFile: opts.out } : {}),
        onEvent: (e) => io.out(JSON.stringify(e)),
      });
      io.err(`listening on ${listener.url} (answering ${opts.status.join(", ")})`);
      await io.untilStopped();
      await listener.close();
    });

  return harness;
}
