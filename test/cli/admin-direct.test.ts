import { openForProcess } from "../../src/app";
import { main } from "../../src/cli/main";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { cliConfigPerTest } from "../support/cli";
import { testEngines } from "../support/databases";
import { seedSyncDirectory } from "../support/seed-sync";

/**
 * The commands issue 17 added (`runs list|show`, `users show`, `webhooks list|deliveries`) in direct
 * mode, opening the database as a stopped bridge allows (client mode: test/cli/client-mode.test.ts).
 */

const silent = createLogger({ level: "error", format: "json", silent: true });

describe.each(testEngines())("new admin commands in direct mode on %s", (engine) => {
  const config = cliConfigPerTest(engine, "bridge-cli-direct-");
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["node", "scim-bridge", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, config);
    return { code, out, text: out.join("\n"), err };
  };

  it("lists and shows runs, shows a user with its grants, and lists webhooks and deliveries", async () => {
    const { db, close } = await openForProcess(config(), "test setup", silent);
    let endpoint: string;
    try {
      await ensureDefaultOrganization(db);
      await seedSyncDirectory(db, 12);
      endpoint = (await db.prisma.webhookEndpoint.create({ data: { url: "https://hooks.example.com/x", events: [], secretEncrypted: "unused", createdBy: "test", description: "crm" } })).id;
      const e = await db.prisma.outboxEvent.create({ data: { type: "user.created", payload: { type: "user.created" } } });
      await db.prisma.webhookDelivery.create({ data: { endpointId: endpoint, eventSeq: e.seq, eventId: e.id, eventType: e.type, status: "failed", attempts: 8, finishedAt: new Date() } });
    } finally {
      await close();
    }

    expect(await cli(["runs", "list"])).toMatchObject({ code: 0, out: ["no runs"] });
    const dry = await cli(["reconcile", "--apply"]);
    expect(dry.code).toBe(0);
    const runId = /^reconciliation ([0-9a-f-]{36})/.exec(dry.out[0]!)![1]!;
    const runs = await cli(["runs", "list"]);
    expect(runs.text).toMatch(new RegExp(`${runId}\\s+resync\\s+apply\\s+completed\\s+cli\\s+\\S+\\s+12/12`));
    const show = await cli(["runs", "show", runId, "--limit", "3", "--kind", "change"]);
    expect(show.code).toBe(0);
    expect(show.out[0]).toBe(`reconciliation ${runId} (resync, applied): completed`);
    expect(show.text).toMatch(new RegExp(`more: scim-bridge runs show ${runId} --offset 3 --kind change$`, "m"));
    expect(JSON.parse((await cli(["runs", "show", runId, "--format", "json"])).text)).toMatchObject({ id: runId, dry_run: false });

    const user = await cli(["users", "show", "user1"]);
    expect(user.code).toBe(0);
    expect(user.out[0]).toBe("user user1 (00000000-0000-4000-8000-000000000001)");
    expect(user.text).toMatch(/default\s+group\s+team-1\s+sync\s+name: groups=team-1\s+\S+ sync.group.added by reconciliation:/);

    const hooks = await cli(["webhooks", "list"]);
    expect(hooks.text).toMatch(new RegExp(`${endpoint}\\s+https://hooks.example.com/x\\s+enabled\\s+\\*\\s+\\d+\\s+crm`));
    const deliveries = await cli(["webhooks", "deliveries", endpoint, "--status", "failed"]);
    expect(deliveries.text).toMatch(/user\.created\s+[0-9a-f-]{36}\s+failed\s+8\s+\S+\s+-/);
    expect(await cli(["webhooks", "deliveries", endpoint, "--status", "succeeded"])).toMatchObject({ code: 0, out: ["no deliveries"] });
    expect(await cli(["collisions"])).toMatchObject({ code: 0, out: ["no name collisions"] });
  }, 120_000);
});
