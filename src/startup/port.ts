import net from "node:net";
import { listenFailure, StartupError } from "./errors";

/**
 * Fails at once when PORT cannot be bound, before the database is opened and migrated: a second bridge
 * started by mistake must not migrate (or hold the embedded lock) only to find its port taken. The real
 * listen a moment later maps the same errors, for the rare port taken in between.
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err) => reject(listenFailure(err, host, port) ?? new StartupError(`cannot listen on ${host}:${port}: ${err.message}`)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
