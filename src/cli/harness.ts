import { Command, InvalidArgumentError, Option } from "commander";
import { startListener } from "../harness/listener";
import { fetchSender, loadScenarios, replay } from "../harness/replay";

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

/** Replay found failing steps: exit 1 after the report. */
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

export function harnessCommand(io: HarnessIo): Command {
  const harness = new Command("harness").description("replay IdP traffic against a SCIM server; receive and verify the bridge's webhooks");

  harness
    .command("replay")
    .description("drive a SCIM server as an IdP does (lookup, create, update, group push, membership, deactivate, delete) and check every response; use a fresh server: the scenarios create fixed users")
    .requiredOption("--target <url>", "the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2")
    .requiredOption("--token <token>", "the bearer token the IdP would use (scope scim)")
    .requiredOption("--scenario <name|file|dir>", "okta, entra, or a scenario file or directory (format: test/fixtures/idp/README.md)")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json"]).default("text"))
    .action(async (opts: { target: string; token: string; scenario: string; format: "text" | "json" }) => {
      const scenarios = loadScenarios(opts.scenario);
      const text = opts.format === "text";
      const reports = await replay(scenarios, fetchSender(opts.target, opts.token), (name, r) => {
        if (!text) return;
        io.out(`${r.ok ? "PASS" : "FAIL"}  ${name}: ${r.name} (${r.status})`);
        for (const p of r.problems) io.out(`        ${p}`);
      });
      const steps = reports.flatMap((r) => r.results);
      const failed = steps.filter((s) => !s.ok).length;
      if (text) io.out("");
      if (text) io.out(`${steps.length - failed} passed, ${failed} failed (${reports.length} scenario${reports.length === 1 ? "" : "s"} against ${opts.target})`);
      else io.out(JSON.stringify({ target: opts.target, passed: steps.length - failed, failed, scenarios: reports }, null, 2));
      if (failed > 0) throw new HarnessFailed(`${failed} step${failed === 1 ? "" : "s"} failed`);
    });

  harness
    .command("listen")
    .description("receive webhooks: verify signatures and timestamps, print each as a JSON line, answer with the given status codes")
    .addOption(new Option("--port <port>", "port to listen on (0 picks one)").argParser(port).makeOptionMandatory())
    .requiredOption("--secret <secret>", "the endpoint's signing secret (whsec_...), as POST /api/v2/webhooks returned it")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(new Option("--status <codes>", "status codes to answer in turn, the last repeating (e.g. 500,500,204 fails twice)").argParser(statusList).default([204]))
    .option("--out <file>", "also append every event as a JSON line to this file")
    .action(async (opts: { port: number; secret: string; host: string; status: number[]; out?: string }) => {
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
