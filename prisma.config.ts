/**
 * Prisma CLI configuration. The CLI is used only for `prisma generate` (postinstall) and for
 * `prisma migrate diff` (scripts/migrate-new.js, scripts/migrate-check.js); it always runs against a
 * throwaway in-memory PGlite, never a real database. Everything it needs is in the npm packages:
 * nothing is downloaded. See prisma/cli-adapter.ts for why.
 */
import { defineConfig } from "prisma/config";
import { cliAdapterFactory } from "./prisma/cli-adapter";

// The schema's datasource must name an env var (else the CLI ignores engineType and wants a binary
// engine); its value is never used to connect.
process.env.DATABASE_URL ??= "postgresql://unused@localhost/unused";
// Without this every CLI run does a DNS lookup for Prisma's update check.
process.env.CHECKPOINT_DISABLE = "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => cliAdapterFactory(),
});
