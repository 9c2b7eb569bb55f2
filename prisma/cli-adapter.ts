/**
 * The one place that works around the Prisma 6.19.3 CLI on machines without Prisma's engine binaries.
 *
 * Only the Prisma CLI loads this file (through prisma.config.ts), and only to generate the client and
 * to compute migration SQL with `prisma migrate diff`. The bridge itself never does: it applies
 * migrations with its own runner (src/db/migrate.ts). See README "Database migrations".
 *
 * Why each workaround exists (all verified on 2026-11-22 with prisma 6.19.3 and pglite 0.5.16):
 * - The CLI's bundled WASM schema engine replays a multi-statement migration file through
 *   `executeRaw` with no parameters, which PGlite runs as a prepared statement (one statement only).
 *   A parameterless executeRaw is therefore routed to PGlite's `exec` (simple query protocol).
 * - pglite-prisma-adapter's `executeScript` does not await `exec`, so errors escape and ordering breaks.
 * - The adapter's `dispose()` does not close PGlite, and PGlite's idle timer keeps the CLI process alive.
 *   Every PGlite made here is in memory (never a real database: see STACK.md) and closed on dispose.
 */
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
} from "@prisma/driver-adapter-utils";

function patch(adapter: SqlDriverAdapter, db: PGlite): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query: SqlQuery): Promise<number> => {
    if (query.args.length === 0) {
      const results = await db.exec(query.sql);
      return results.reduce((sum, r) => sum + (r.affectedRows ?? 0), 0);
    }
    return executeRaw(query);
  };
  adapter.executeScript = async (script: string): Promise<void> => {
    await db.exec(script);
  };
  adapter.dispose = async (): Promise<void> => {
    if (!db.closed) await db.close();
  };
  return adapter;
}

async function inMemory(): Promise<PGlite> {
  const db = new PGlite("memory://");
  await db.waitReady;
  return db;
}

/** A migration-aware adapter factory over fresh in-memory PGlite instances (main and shadow). */
export function cliAdapterFactory(): SqlMigrationAwareDriverAdapterFactory {
  const base = { provider: "postgres" as const, adapterName: "pglite-prisma-adapter" };
  return {
    ...base,
    async connect() {
      const db = await inMemory();
      return patch(await new PrismaPGlite(db).connect(), db);
    },
    async connectToShadowDb() {
      const db = await inMemory();
      return patch(await new PrismaPGlite(db).connect(), db);
    },
  };
}
