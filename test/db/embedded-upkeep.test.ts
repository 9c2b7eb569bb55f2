import { embeddedUpkeep } from "../../src/db/embedded-upkeep";
import { openMigrated } from "../support/databases";

/**
 * The embedded database has no autovacuum (src/db/embedded-upkeep.ts): the bridge analyses and vacuums
 * a table once it has grown, so the planner has statistics and re-plans prepared statements, and not
 * before (a pass with nothing grown costs one catalog query).
 */
describe("embedded database upkeep", () => {
  it("vacuums and analyses the tables that grew, once, and again after they grow again", async () => {
    const { db, done } = await openMigrated("embedded");
    try {
      const stats = async () => (await db.sql.query<{ reltuples: number }>("SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = 'upkeep_probe'"))[0]!.reltuples;
      await embeddedUpkeep(db);
      expect(await embeddedUpkeep(db)).toEqual([]);

      await db.sql.query("CREATE TABLE upkeep_probe (id int PRIMARY KEY, v text)");
      await db.sql.query("INSERT INTO upkeep_probe SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
      expect(await stats()).toBe(-1); // never analysed: PostgreSQL's own state without autovacuum
      expect(await embeddedUpkeep(db)).toEqual(["upkeep_probe"]);
      expect(await stats()).toBe(5000);
      expect(await embeddedUpkeep(db)).toEqual([]);

      // Grown by more than a fifth.
      await db.sql.query("INSERT INTO upkeep_probe SELECT g, repeat('x', 200) FROM generate_series(5001, 7000) g");
      expect(await embeddedUpkeep(db)).toEqual(["upkeep_probe"]);
      expect(await stats()).toBe(7000);
    } finally {
      await done();
    }
  }, 60_000);
});
