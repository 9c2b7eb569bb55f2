import fs from "node:fs";
import path from "node:path";
import { newRunTag, runScenario, scenarioSchema, type Received, type Scenario, type SentRequest, type StepResult } from "../scim/scenario";
import { countOf, createdBy, type Created } from "./cleanup";
import { HarnessError, TargetUnreachable } from "./errors";

/**
 * `harness replay`: drives any SCIM server the way an IdP does, from scenario files (the format of
 * test/fixtures/idp/README.md). `okta` and `entra` name the recorded scenarios shipped with the bridge;
 * anything else is a scenario file or a directory of them. Each run has its own tag (`{{run}}` in the
 * scenarios), so the same scenarios can be replayed again and again against one server.
 */

/** Where the recorded scenarios live (dist/harness → the package root). */
export const BUILTIN_SCENARIOS = path.resolve(__dirname, "..", "..", "test", "fixtures", "idp");

export function loadScenarios(spec: string, builtins = BUILTIN_SCENARIOS): { file: string; scenario: Scenario }[] {
  const builtin = path.join(builtins, spec);
  const location = /^[a-z0-9-]+$/.test(spec) && fs.existsSync(builtin) ? builtin : path.resolve(spec);
  let files: string[];
  try {
    files = fs.statSync(location).isDirectory()
      ? fs.readdirSync(location).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(location, f))
      : [location];
  } catch {
    const known = fs.existsSync(builtins) ? fs.readdirSync(builtins).filter((f) => fs.statSync(path.join(builtins, f)).isDirectory()) : [];
    throw new HarnessError(`no scenario ${JSON.stringify(spec)}: not a file or directory${known.length ? ` (built in: ${known.join(", ")})` : ""}`);
  }
  if (files.length === 0) throw new HarnessError(`${location} holds no .json scenarios`);
  return files.map((file) => {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new HarnessError(`${file}: ${(err as Error).message}`);
    }
    const parsed = scenarioSchema.safeParse(doc);
    if (!parsed.success) throw new HarnessError(`${file} is not a scenario: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return { file, scenario: parsed.data };
  });
}

export interface ScenarioReport {
  file: string;
  name: string;
  results: StepResult[];
}

export interface ReplayResult {
  /** The `{{run}}` tag every scenario of this run used. */
  run: string;
  reports: ScenarioReport[];
  /** What the run created, in order (for `--cleanup`). */
  created: Created[];
}

/**
 * Runs the scenarios in order with one run tag, noting what each answer says was created. A target
 * that stops answering ends the run with TargetUnreachable naming the step; other failures are
 * reported per step and the run goes on.
 */
export async function replay(
  scenarios: { file: string; scenario: Scenario }[],
  send: (req: SentRequest) => Promise<Received>,
  opts: { run?: string; onStep?: (scenario: string, r: StepResult) => void } = {},
): Promise<ReplayResult> {
  const run = opts.run ?? newRunTag();
  const reports: ScenarioReport[] = [];
  const created: Created[] = [];
  for (const { file, scenario } of scenarios) {
    const results = await runScenario(
      scenario,
      async (req) => {
        let res: Received;
        try {
          res = await send(req);
        } catch (err) {
          if (err instanceof TargetUnreachable) {
            const made = created.length ? `; what it created stays (${countOf(created)}, names starting ${run}-)` : "";
            throw new TargetUnreachable(`the run stopped at "${scenario.name}" (${req.method} ${req.path.split("?")[0]}): ${err.message}${made}`);
          }
          return { status: 0, body: { error: err instanceof Error ? err.message : String(err) } };
        }
        created.push(...createdBy(req, res));
        return res;
      },
      { run },
    );
    for (const r of results) opts.onStep?.(scenario.name, r);
    reports.push({ file, name: scenario.name, results });
  }
  return { run, reports, created };
}
