import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main";
import { sign } from "../../src/events/signing";
import { startListener } from "../../src/harness/listener";
import { BUILTIN_SCENARIOS, loadScenarios } from "../../src/harness/replay";
import type { ScenarioStep } from "../../src/scim/scenario";
import { serveTestBridge, type ServedTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";
import { capture } from "../support/cli";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface ScimBody {
  id: string;
  totalResults: number;
  Resources: { id: string; userName?: string; displayName?: string }[];
}

interface JsonReport {
  run: string;
  passed: number;
  failed: number;
  scenarios: { name: string; results: { name: string; ok: boolean; status: number; problems: string[] }[] }[];
  cleanup?: { deleted: { type: string; id: string }[]; already_gone: { type: string; id: string }[]; failed: unknown[] };
}

describe.each(testEngines())("harness replay against the bridge on %s", (engine) => {
  let s: ServedTestBridge;
  let b: TestBridge;
  let url: string;
  let token: string;
  // One bridge for every test of the engine: the runs meet each other's users, as on a real target.
  beforeAll(async () => {
    s = await serveTestBridge(engine);
    ({ b, url } = s);
    token = b.scimToken;
  }, 120_000);
  afterAll(() => s?.close());

  const scim = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}/scim/v2${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as ScimBody };
  };
  const replayJson = async (scenario: string, ...extra: string[]) => {
    const c = capture();
    const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${url}/scim/v2`, "--token", token, "--scenario", scenario, "--format", "json", ...extra], c.io);
    return { code, report: JSON.parse(c.out.join("\n")) as JsonReport, err: c.err };
  };
  const failures = (r: JsonReport) => r.scenarios.flatMap((s) => s.results.filter((x) => !x.ok).map((x) => `${s.name}: ${x.name}: ${x.problems.join("; ")}`));

  it.each(["okta", "entra"])("--scenario %s passes every step", async (scenario) => {
    const c = capture();
    const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${url}/scim/v2`, "--token", token, "--scenario", scenario], c.io);
    expect(c.out.filter((l) => l.startsWith("FAIL") || l.startsWith("  "))).toEqual([]);
    expect(code).toBe(0);
    expect(c.out.at(-1)).toMatch(new RegExp(`^(\\d+) passed, 0 failed \\(\\1 steps in 2 scenarios against ${url}/scim/v2; names carry r[0-9a-f]{8}-\\)$`));
  });

  it("passes again on the same bridge: each run's names carry its own tag", async () => {
    // The bridge already holds users with the recordings' own names, and whatever the first run left.
    for (const userName of ["test.user@okta.local", "alice@okta.example", "u1@entra.example"]) {
      expect((await scim("POST", "/Users", { schemas: [USER], userName, externalId: "jyoung" })).status).toBe(201);
    }
    const first = await replayJson("okta");
    const second = await replayJson("okta");
    expect([failures(first.report), failures(second.report)]).toEqual([[], []]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(second.report.run).not.toBe(first.report.run);
    const entra = await replayJson("entra");
    expect(failures(entra.report)).toEqual([]);
    // The first run's users are still there, under its tag.
    const left = await scim("GET", `/Users?filter=${encodeURIComponent(`userName sw "${first.report.run}-"`)}`);
    expect(left.body.Resources.map((u) => u.userName).sort()).toEqual([`${first.report.run}-alice@okta.example`, `${first.report.run}-bob@okta.example`, `${first.report.run}-carol@okta.example`, `${first.report.run}-test.user@okta.local`]);
  });

  it("--cleanup deletes every user and group the run created, and nothing else", async () => {
    await scim("POST", "/Users", { schemas: [USER], userName: "already.here@corp.example" });
    await scim("POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Already Here" });
    const ids = async (type: string) => (await scim("GET", `/${type}?count=1000`)).body.Resources.map((r) => r.id).sort();
    const users = await ids("Users");
    const groups = await ids("Groups");
    for (const scenario of ["okta", "entra"]) {
      const { code, report } = await replayJson(scenario, "--cleanup");
      expect(failures(report)).toEqual([]);
      expect(code).toBe(0);
      expect(report.cleanup?.failed).toEqual([]);
      // Both leave users behind (the scenarios delete their own groups and some users).
      expect(report.cleanup?.deleted.length).toBeGreaterThan(0);
      const mine = (attr: string) => encodeURIComponent(`${attr} sw "${report.run}-"`);
      expect((await scim("GET", `/Users?filter=${mine("userName")}`)).body.totalResults).toBe(0);
      expect((await scim("GET", `/Groups?filter=${mine("displayName")}`)).body.totalResults).toBe(0);
      for (const r of [...report.cleanup!.deleted, ...report.cleanup!.already_gone]) expect((await scim("GET", `/${r.type}/${r.id}`)).status).toBe(404);
    }
    expect(await ids("Users")).toEqual(users);
    expect(await ids("Groups")).toEqual(groups);
  });

  it("text output names what --cleanup deleted", async () => {
    const c = capture();
    const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${url}/scim/v2`, "--token", token, "--scenario", "okta", "--cleanup"], c.io);
    expect(code).toBe(0);
    expect(c.out.slice(-2)[0]).toBe("cleanup: deleted 4 users; 1 group the scenarios had deleted already");
  });

  it("reports failing steps and exits 1, and --cleanup still removes what was created", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-scenario-"));
    const file = path.join(dir, "wrong.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: "expects the wrong thing",
        idp: "test",
        steps: [
          { name: "create", request: { method: "POST", path: "/Users", body: { schemas: [USER], userName: "{{run}}-x@corp.example" } }, expect: { status: 201 }, capture: { id: "id" } },
          { name: "read", request: { method: "GET", path: "/Users/{{id}}" }, expect: { status: 200, body: { userName: "someone.else@corp.example" } } },
        ],
      }),
    );
    try {
      const c = capture();
      const code = await main(["node", "scim-bridge", "harness", "replay", "--target", `${url}/scim/v2`, "--token", token, "--scenario", file, "--cleanup"], c.io);
      expect(code).toBe(1);
      const run = /names carry (r[0-9a-f]{8})-/.exec(c.out.at(-1)!)![1]!;
      expect(c.out).toEqual([
        "PASS  expects the wrong thing: create (201)",
        "FAIL  expects the wrong thing: read (200)",
        `        body.userName: expected "someone.else@corp.example", got "${run}-x@corp.example"`,
        "",
        "cleanup: deleted 1 user",
        `1 passed, 1 failed (2 steps in 1 scenario against ${url}/scim/v2; names carry ${run}-)`,
      ]);
      expect(c.err).toEqual(["error: 1 step failed"]);
      expect((await scim("GET", `/Users?filter=${encodeURIComponent(`userName sw "${run}-"`)}`)).body.totalResults).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The names one step gives the server or looks up: those a second run would collide with. */
function namesIn(step: ScenarioStep): string[] {
  const names: string[] = [];
  const group = step.request.path.startsWith("/Groups");
  const walk = (v: unknown, key?: string): void => {
    if (typeof v === "string") {
      if (key === "userName" || key === "externalId" || (key === "displayName" && group) || key === "emails") names.push(v);
    } else if (Array.isArray(v)) {
      v.forEach((x) => walk(key === "emails" && x && typeof x === "object" ? (x as { value?: unknown }).value : x, key === "emails" ? "emails" : undefined));
    } else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      // A PATCH operation with a path: its value is that attribute's.
      if (typeof o.op === "string" && typeof o.path === "string" && "value" in o) walk(o.value, o.path);
      for (const [k, x] of Object.entries(o)) if (k !== "value" || typeof o.op !== "string") walk(x, k);
    }
  };
  walk(step.request.body);
  for (const m of decodeURIComponent(step.request.path).matchAll(/\b(userName|externalId|displayName|emails\[[^\]]*\]\.value)\s+eq\s+"?([^"&\s]+)/gi)) names.push(m[2]!);
  return names;
}

describe("harness scenarios and listener", () => {
  it("every built-in scenario tags each userName, externalId, email and group name it sends or looks up with {{run}}", () => {
    const dirs = fs.readdirSync(BUILTIN_SCENARIOS).filter((d) => fs.statSync(path.join(BUILTIN_SCENARIOS, d)).isDirectory());
    const steps = dirs.flatMap((d) => loadScenarios(d).flatMap(({ file, scenario }) => scenario.steps.map((s) => ({ at: `${path.basename(d)}/${path.basename(file)}: ${s.name}`, names: namesIn(s) }))));
    expect(steps.filter((s) => s.names.length > 0).length).toBeGreaterThan(20);
    expect(steps.filter((s) => s.names.some((n) => !n.startsWith("{{run}}-")))).toEqual([]);
  });

  it("names an unknown scenario and lists the built-in ones", async () => {
    const c = capture();
    expect(await main(["node", "scim-bridge", "harness", "replay", "--target", "http://127.0.0.1:9", "--token", "x", "--scenario", "nope"], c.io)).toBe(1);
    expect(c.err).toEqual(['error: no scenario "nope": not a file or directory (built in: entra, okta, strict)']);
  });

  it("verifies signatures, answers the status sequence, and records bad requests as 401", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "listen-")), "events.jsonl");
    const l = await startListener({ port: 0, secret, statuses: [500, 204], outFile: out });
    try {
      const send = (body: string, sig?: string) => {
        const ts = Math.floor(Date.now() / 1000);
        return fetch(l.url, { method: "POST", body, headers: { "webhook-id": "msg_1", "webhook-timestamp": String(ts), "webhook-signature": sig ?? sign(secret, "msg_1", ts, body) } });
      };
      const body = JSON.stringify({ type: "user.created", timestamp: "t", data: {} });
      expect((await send(body)).status).toBe(500);
      expect((await send(body)).status).toBe(204);
      expect((await send(body)).status).toBe(204);
      expect((await send(body, "v1,AAAA")).status).toBe(401);
      expect(l.events.map((e) => [e.type, e.verified, e.status])).toEqual([
        ["user.created", true, 500],
        ["user.created", true, 204],
        ["user.created", true, 204],
        ["user.created", false, 401],
      ]);
      expect(l.events[3]!.reason).toBe("no webhook-signature matches");
      expect(fs.readFileSync(out, "utf8").trim().split("\n")).toHaveLength(4);
    } finally {
      await l.close();
    }
  });

  it.each(["whsec_", "notwhsec", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_not base64!"])("refuses %j as a signing secret", async (secret) => {
    await expect(startListener({ port: 0, secret })).rejects.toThrow("the secret must be the endpoint's whsec_ signing secret (whsec_ then base64)");
  });
});
