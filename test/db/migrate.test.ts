import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database";
import { defaultMigrationsDir, migrate, MigrationError, readMigrations } from "../../src/db/migrate";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { emptyDatabase, testEngines } from "../support/databases";

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

describe.each(testEngines())("migrations on %s", (engine) => {
  it("applies every migration once, records it as Prisma does, and is a no-op the second time", async () => {
    const t = await emptyDatabase(engine);
    const db = await openDatabase(t.target);
    try {
      const all = readMigrations(defaultMigrationsDir()).map((m) => m.name);
      expect(await migrate(db)).toEqual(all);
      expect(await migrate(db)).toEqual([]);
      const rows = await db.withSession((s) =>
        s.query<MigrationRow>(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`),
      );
      expect(rows.map((r) => r.migration_name)).toEqual(all);
      const files = readMigrations(defaultMigrationsDir());
      rows.forEach((r, i) => {
        expect(r.checksum).toBe(files[i]!.checksum);
        expect(r.finished_at).not.toBeNull();
        expect(r.applied_steps_count).toBe(1);
      });
      // The schema is really there.
      expect(await db.prisma.user.count()).toBe(0);
    } finally {
      await db.close();
      await t.cleanup();
    }
  });

  it("lets concurrent starts take turns so each migration is applied exactly once", async () => {
    const t = await emptyDatabase(engine);
    const handles = engine === "postgres" ? [await openDatabase(t.target), await openDatabase(t.target)] : [await openDatabase(t.target)];
    try {
      const results = await Promise.all([...handles, ...handles].map((h) => migrate(h)));
      const applied = results.flat();
      expect(applied.sort()).toEqual(readMigrations(defaultMigrationsDir()).map((m) => m.name).sort());
    } finally {
      for (const h of handles) await h.close();
      await t.cleanup();
    }
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mig-"));
    fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const t = await emptyDatabase(engine);
    const db = await openDatabase(t.target);
    try {
      await migrate(db, dir);
      const first = readMigrations(dir)[0]!;
      fs.appendFileSync(path.join(dir, first.name, "migration.sql"), "\n-- edited\n");
      await expect(migrate(db, dir)).rejects.toThrow(new MigrationError(`migration ${first.name} was changed after it was applied (checksum differs)`));
    } finally {
      await db.close();
      await t.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rolls a failing migration back whole and refuses a database migrated by a newer version", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mig-"));
    fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
    fs.mkdirSync(path.join(dir, "99990101000000_broken"));
    fs.writeFileSync(
      path.join(dir, "99990101000000_broken", "migration.sql"),
      `CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n`,
    );
    const t = await emptyDatabase(engine);
    const db = await openDatabase(t.target);
    try {
      await expect(migrate(db, dir)).rejects.toThrow(/migration 99990101000000_broken failed and was rolled back/);
      const tables = await db.withSession((s) =>
        s.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`),
      );
      expect(tables[0]!.n).toBe(0);
      // Now pretend a newer bridge applied a migration this one does not have.
      await db.withSession((s) =>
        s.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ('x', 'y', now(), '99991231000000_future', 1)`),
      );
      await expect(migrate(db)).rejects.toThrow(/does not know \(99991231000000_future\)/);
    } finally {
      await db.close();
      await t.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("creates the default organization and its Everyone group once", async () => {
    const t = await emptyDatabase(engine);
    const db = await openDatabase(t.target);
    try {
      await migrate(db);
      const [a, b] = await Promise.all([ensureDefaultOrganization(db), ensureDefaultOrganization(db)]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.id).toBe(b.id);
      const orgs = await db.prisma.organization.findMany();
      expect(orgs).toHaveLength(1);
      expect(orgs[0]).toMatchObject({ isDefault: true, name: "default" });
      const everyone = await db.prisma.group.findUnique({ where: { id: a.id } });
      expect(everyone).toMatchObject({ organizationId: a.id, name: "Everyone" });
    } finally {
      await db.close();
      await t.cleanup();
    }
  });
});
