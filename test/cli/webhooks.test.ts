import { openForProcess } from "../../src/app";
import { main } from "../../src/cli/main";
import { createLogger } from "../../src/log/logger";
import { cliConfigPerTest } from "../support/cli";
import { testEngines } from "../support/databases";

/** `scim-bridge webhooks redeliver`: the API's redelivery from the command line. */

const silent = createLogger({ level: "error", format: "json", silent: true });

describe.each(testEngines())("scim-bridge webhooks redeliver on %s", (engine) => {
  const config = cliConfigPerTest(engine, "bridge-cli-webhooks-");
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["node", "scim-bridge", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, config);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };


  it("sends one failed delivery or every failed one since a time again, audited with actor cli", async () => {
    const { db, close } = await openForProcess(config(), "test setup", silent);
    let endpoint: string;
    const deliveries: string[] = [];
    try {
      endpoint = (await db.prisma.webhookEndpoint.create({ data: { url: "https://hooks.example.com/x", events: [], secretEncrypted: "unused", createdBy: "test", enabled: false } })).id;
      for (const n of [1, 2, 3]) {
        const e = await db.prisma.outboxEvent.create({ data: { type: "user.created", payload: { type: "user.created", n } } });
        const d = await db.prisma.webhookDelivery.create({
          data: { endpointId: endpoint, eventSeq: e.seq, eventId: e.id, eventType: e.type, status: "failed", attempts: 8, finishedAt: new Date(Date.now() - (4 - n) * 3_600_000) },
        });
        deliveries.push(d.id);
      }
    } finally {
      await close();
    }

    expect(await run(["webhooks", "redeliver", endpoint])).toMatchObject({ code: 1, err: expect.stringMatching(/--delivery <id> or --since <time>/) });
    expect(await run(["webhooks", "redeliver", endpoint, "--since", "yesterday"])).toMatchObject({ code: 1, err: expect.stringMatching(/ISO 8601/) });
    expect(await run(["webhooks", "redeliver", endpoint, "--delivery", deliveries[0]!])).toMatchObject({ code: 0, out: expect.stringMatching(/is pending again/) });
    expect(await run(["webhooks", "redeliver", endpoint, "--delivery", deliveries[0]!])).toMatchObject({ code: 1, err: expect.stringMatching(/only a failed delivery can be sent again/) });
    const since = new Date(Date.now() - 2.5 * 3_600_000).toISOString();
    expect(await run(["webhooks", "redeliver", endpoint, "--since", since])).toMatchObject({ code: 0, out: "2 failed deliveries are pending again" });

    const check = await openForProcess(config(), "test check", silent);
    try {
      expect((await check.db.prisma.webhookDelivery.findMany({ orderBy: { eventSeq: "asc" } })).map((d) => [d.status, d.attempts])).toEqual([["pending", 0], ["pending", 0], ["pending", 0]]);
      expect((await check.db.prisma.auditEvent.findMany({ where: { action: "webhook.redelivered" } })).map((a) => a.actor)).toEqual(["cli", "cli"]);
    } finally {
      await check.close();
    }
  }, 120_000);
});
