import { openMigrated, testEngines } from "../support/databases";

describe.each(testEngines())("transactions on %s", (engine) => {
  it("lets a write transaction run longer than Prisma's 5 s default (a large IdP push must not fail half-way)", async () => {
    const { db, done } = await openMigrated(engine);
    try {
      const n = await db.prisma.$transaction(async (tx) => {
        await new Promise((r) => setTimeout(r, 5500));
        return tx.user.count();
      });
      expect(n).toBe(0);
    } finally {
      await done();
    }
  }, 20000);
});
