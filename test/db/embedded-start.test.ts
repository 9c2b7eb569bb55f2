import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { embeddedDirectory, openDatabase } from "../../src/db/database";
import { createInChild, hasDatabase } from "../../src/db/embedded-start";
import { migrate } from "../../src/db/migrate";

/**
 * The embedded database's start for memory (src/db/embedded-start.ts): a new directory is created by
 * a short-lived child process, an existing one is opened in place, both with the configured
 * shared_buffers, and the files stay private. Embedded only: PostgreSQL has no such start.
 */

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-embedded-start-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Entries under `dir` whose mode is not 0700 (directories) or 0600 (files). */
function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (mode !== (st.isDirectory() ? 0o700 : 0o600)) out.push(`${mode.toString(8)} ${path.relative(dir, p)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return out;
}

const sharedBuffers = async (db: Awaited<ReturnType<typeof openDatabase>>): Promise<string> =>
  (await db.sql.query<{ shared_buffers: string }>("SHOW shared_buffers"))[0]!.shared_buffers;

describe("the embedded database's start", () => {
  it("creates a new directory in a child process, with private files even under umask 000", async () => {
    const location = path.join(tempDir(), "pglite");
    fs.mkdirSync(location, { mode: 0o700 });
    // The child inherits the umask: it must make its files private itself.
    const previous = process.umask(0);
    try {
      await createInChild(location, 16 * 1024);
    } finally {
      process.umask(previous);
    }
    expect(hasDatabase(location)).toBe(true);
    expect(fs.readdirSync(path.join(location, "base")).length).toBeGreaterThan(0);
    expect(notPrivate(location)).toEqual([]);
  }, 120_000);

  it("opens a new DATA_DIR, keeps its data across a reopen, and uses the configured shared_buffers", async () => {
    const dataDir = path.join(tempDir(), "data");
    const first = await openDatabase({ kind: "embedded", dataDir });
    try {
      expect(hasDatabase(embeddedDirectory(dataDir))).toBe(true);
      expect(await sharedBuffers(first)).toBe("16MB");
      await migrate(first);
      await first.sql.query("INSERT INTO users (id, user_name, user_name_key, username, status, resource, claims, updated_at) VALUES (gen_random_uuid(), 'kept@corp.example', 'kept@corp.example', 'kept', 'active', '{}', '{}', now())");
    } finally {
      await first.close();
    }
    // An existing directory: opened in place, here with another size.
    const again = await openDatabase({ kind: "embedded", dataDir, sharedBuffersKb: 32 * 1024 });
    try {
      expect(await sharedBuffers(again)).toBe("32MB");
      expect(await migrate(again)).toEqual([]);
      expect(await again.sql.query<{ user_name: string }>("SELECT user_name FROM users")).toEqual([{ user_name: "kept@corp.example" }]);
    } finally {
      await again.close();
    }
    expect(notPrivate(dataDir)).toEqual([]);
  }, 120_000);

  it("says why when the child cannot create the database", async () => {
    const file = path.join(tempDir(), "not-a-directory");
    fs.writeFileSync(file, "x");
    await expect(createInChild(path.join(file, "pglite"), 16 * 1024)).rejects.toThrow(/could not create the embedded database in .*not-a-directory\/pglite \(initdb child exited with 1\)/);
  }, 60_000);

  it("keeps in-memory databases working, with the same settings", async () => {
    const db = await openDatabase({ kind: "embedded", dataDir: "memory://" });
    try {
      expect(await sharedBuffers(db)).toBe("16MB");
      expect(await migrate(db)).not.toEqual([]);
      const copy = await db.dump!();
      const clone = await openDatabase({ kind: "embedded", dataDir: "memory://", loadDataDir: copy, sharedBuffersKb: 8 * 1024 });
      try {
        expect(await sharedBuffers(clone)).toBe("8MB");
        expect(await migrate(clone)).toEqual([]);
      } finally {
        await clone.close();
      }
    } finally {
      await db.close();
    }
  }, 120_000);
});
