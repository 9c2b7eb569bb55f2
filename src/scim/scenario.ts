import { randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * Recorded IdP traffic as data (test/fixtures/idp/README.md describes the format): a scenario is a
 * list of requests with the status and the partial body each must get. This module validates and
 * runs one against any SCIM server through an injected `send` function (supertest in tests, fetch
 * for a live server), so the same files serve the test suite and a user's own checks.
 */

const stepSchema = z.object({
  name: z.string().min(1),
  request: z.object({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path: z.string().startsWith("/"),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  expect: z.object({ status: z.number().int(), body: z.unknown().optional() }),
  capture: z.record(z.string(), z.string()).optional(),
});

export const scenarioSchema = z.object({
  name: z.string().min(1),
  idp: z.string().min(1),
  source: z.string().optional(),
  steps: z.array(stepSchema).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof stepSchema>;

export interface SentRequest {
  method: ScenarioStep["request"]["method"];
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

export interface Received {
  status: number;
  body: unknown;
}

export interface StepResult {
  name: string;
  ok: boolean;
  status: number;
  problems: string[];
}

/** Replaces `{{name}}` in every string of a value with captured values; unknown names stay. */
export function substitute<T>(value: T, vars: ReadonlyMap<string, string>): T {
  if (typeof value === "string") {
    return value.replace(/\{\{(\w+)\}\}/g, (m, name: string) => vars.get(name) ?? m) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  }
  return value;
}

/** The value at a dotted path (`Resources.0.id`), or undefined. */
export function valueAt(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Partial match: every key of `expected` must be in `actual` with a matching value; arrays must be
 * of equal length and match item by item; `"$absent"` requires the key to be missing. Returns the
 * mismatches as readable lines (empty when it matches).
 */
export function partialMismatches(expected: unknown, actual: unknown, at = "body"): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${at}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((e, i) => partialMismatches(e, actual[i], `${at}[${i}]`));
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([k, v]) => {
      if (v === "$absent") return k in a ? [`${at}.${k}: expected to be absent, got ${JSON.stringify(a[k])}`] : [];
      if (!(k in a)) return [`${at}.${k}: missing`];
      return partialMismatches(v, a[k], `${at}.${k}`);
    });
  }
  return Object.is(expected, actual) ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/**
 * A tag for `{{run}}`, fresh per run: "r" and 8 hex digits. Scenarios put it in every userName,
 * externalId, email and group displayName they create, so a run never meets the names of an earlier
 * one on the same server. Lowercase, so names that differ only in case still collide as the scenario
 * means them to; no character that needs escaping in a URL or a filter.
 */
export function newRunTag(): string {
  return `r${randomBytes(4).toString("hex")}`;
}

/**
 * Runs every step in order, capturing values for later steps; never stops early. `preset` holds the
 * values known before the first step: `run` (a new tag unless given) and any others.
 */
export async function runScenario(
  scenario: Scenario,
  send: (req: SentRequest) => Promise<Received>,
  preset: Readonly<Record<string, string>> = { run: newRunTag() },
): Promise<StepResult[]> {
  const vars = new Map<string, string>(Object.entries(preset));
  const results: StepResult[] = [];
  for (const step of scenario.steps) {
    const req: SentRequest = {
      method: step.request.method,
      path: substitute(step.request.path, vars),
      body: substitute(step.request.body, vars),
      headers: substitute(step.request.headers ?? {}, vars),
    };
    const res = await send(req);
    const problems: string[] = [];
    if (res.status !== step.expect.status) problems.push(`status: expected ${step.expect.status}, got ${res.status}`);
    if (step.expect.body !== undefined) problems.push(...partialMismatches(substitute(step.expect.body, vars), res.body));
    for (const [name, path] of Object.entries(step.capture ?? {})) {
      const v = valueAt(res.body, path);
      if (typeof v === "string") vars.set(name, v);
      else problems.push(`capture ${name}: no string at ${path}`);
    }
    results.push({ name: step.name, ok: problems.length === 0, status: res.status, problems });
  }
  return results;
}
