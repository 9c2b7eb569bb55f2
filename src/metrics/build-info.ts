import fs from "node:fs";
import path from "node:path";
import { Gauge, type Registry } from "prom-client";
import { z } from "zod";

const packageSchema = z.object({ version: z.string().min(1) });

/** The bridge's version, from its package.json (two levels up from both src/metrics and dist/metrics). */
export function packageVersion(): string {
  const file = path.resolve(__dirname, "..", "..", "package.json");
  return packageSchema.parse(JSON.parse(fs.readFileSync(file, "utf8"))).version;
}

/**
 * `scim_bridge_build_info{version, node}` = 1: which version runs where (join it onto other series, or
 * count versions during a rolling upgrade).
 */
export function buildInfoMetric(registry: Registry, version: string, nodeVersion: string): void {
  const info = new Gauge({
    name: "scim_bridge_build_info",
    help: "Always 1; labels: the bridge's version (package.json) and the Node.js version it runs on",
    labelNames: ["version", "node"] as const,
    registers: [registry],
  });
  info.set({ version, node: nodeVersion }, 1);
}
