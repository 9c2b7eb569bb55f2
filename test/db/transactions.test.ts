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
  }, 60_000); // opening and migrating a fresh PGlite takes seconds on a loaded 2-core machine; the 5.5 s wait is the test
});
