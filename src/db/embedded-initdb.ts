import { PGlite } from "@electric-sql/pglite";
import { embeddedStartParams } from "./embedded-start";
import { restrictUmask } from "./private-dir";
import { PrivateNodeFS } from "./private-nodefs";

/**
 * The child process that creates a new embedded database (src/db/embedded-start.ts `createInChild`):
 * opening PGlite on an empty directory runs initdb, whose memory peak (~840 MB) then leaves with this
 * process instead of staying in the bridge. Files are written through PrivateNodeFS under an 0077
 * umask, as the bridge writes them. Usage: embedded-initdb <directory> <shared_buffers in kB>.
 */
async function main(): Promise<void> {
  const [location, sharedBuffers] = process.argv.slice(2);
  if (!location || !/^\d+$/.test(sharedBuffers ?? "")) throw new Error("usage: embedded-initdb <directory> <shared_buffers kB>");
  restrictUmask();
  const db = new PGlite({ fs: new PrivateNodeFS(location), startParams: embeddedStartParams(PGlite.defaultStartParams, Number(sharedBuffers)) });
  await db.waitReady;
  await db.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
