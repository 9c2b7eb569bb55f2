import fs from "node:fs";
import path from "node:path";
import { runScenario, scenarioSchema, type Received, type Scenario, type SentRequest, type StepResult } from "../scim/scenario";

/**
 * `harness replay`: drives any SCIM server the way an IdP does, from scenario files (the format of
 * test/fixtures/idp/README.md). `okta` and `entra` name the recorded scenarios shipped with the bridge;
 * anything else is a scenario file or a directory of them.
 */

/** Where the recorded scenarios live (dist/harness → the package root). */
export const BUILTIN_SCENARIOS = path.resolve(__dirname, "..", "..", "test", "fixtures", "idp");

export class ScenarioError extends Error {}

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
    throw new ScenarioError(`no scenario ${JSON.stringify(spec)}: not a file or directory${known.length ? ` (built in: ${known.join(", ")})` : ""}`);
  }
  if (files.length === 0) throw new ScenarioError(`${location} holds no .json scenarios`);
  return files.map((file) => {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new ScenarioError(`${file}: ${(err as Error).message}`);
    }
    const parsed = scenarioSchema.safeParse(doc);
    if (!parsed.success) throw new ScenarioError(`${file} is not a scenario: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return { file, scenario: parsed.data };
  });
}

/** Sends scenario steps to a live SCIM base URL (e.g. https://bridge.example.com/scim/v2) with fetch. */
export function fetchSender(baseUrl: string, token: string, timeoutMs = 30_000): (req: SentRequest) => Promise<Received> {
  const base = baseUrl.replace(/\/+$/, "");
  return async (req) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/scim+json", ...req.headers };
    if (req.body !== undefined) headers["content-type"] = "application/scim+json";
    const res = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };
}

export interface ScenarioReport {
  file: string;
  name: string;
  results: StepResult[];
}

export async function replay(scenarios: { file: string; scenario: Scenario }[], send: (req: SentRequest) => Promise<Received>, onStep?: (scenario: string, r: StepResult) => void): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const { file, scenario } of scenarios) {
    const results = await runScenario(scenario, async (req) => {
      try {
        return await send(req);
      } catch (err) {
        return { status: 0, body: { error: (err as Error).message } };
      }
    });
    for (const r of results) onStep?.(scenario.name, r);
    reports.push({ file, name: scenario.name, results });
  }
  return reports;
}
