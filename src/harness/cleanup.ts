import { z } from "zod";
import type { Received, SentRequest } from "../scim/scenario";
import { TargetUnreachable } from "./errors";

/**
 * `harness replay --cleanup`: what a run created, read off the answers it got, and its removal with
 * SCIM DELETE once every scenario has run. Only what this run created is touched: ids come from its
 * own 201 answers, never from a search, so a target's other users and groups are safe.
 */

export interface Created {
  type: "Users" | "Groups";
  id: string;
}

const withId = z.object({ id: z.string().min(1) });
const bulkAnswer = z.object({
  Operations: z.array(z.object({ method: z.string().optional(), status: z.union([z.string(), z.number()]).optional(), location: z.string().optional() })),
});

const resourcePath = (path: string): Created["type"] | undefined => {
  const bare = path.split("?")[0]!.replace(/\/+$/, "");
  return bare === "/Users" ? "Users" : bare === "/Groups" ? "Groups" : undefined;
};

/** The resources one request created: a POST to /Users or /Groups answered 201, or a Bulk's POSTs answered 201. */
export function createdBy(req: SentRequest, res: Received): Created[] {
  if (req.method !== "POST") return [];
  const type = resourcePath(req.path);
  if (type) {
    const body = withId.safeParse(res.body);
    return res.status === 201 && body.success ? [{ type, id: body.data.id }] : [];
  }
  if (req.path.split("?")[0] !== "/Bulk") return [];
  const bulk = bulkAnswer.safeParse(res.body);
  if (!bulk.success) return [];
  return bulk.data.Operations.flatMap((op) => {
    const at = op.location?.match(/\/(Users|Groups)\/([^/?#]+)$/);
    return op.method?.toUpperCase() === "POST" && String(op.status) === "201" && at ? [{ type: at[1] as Created["type"], id: decodeURIComponent(at[2]!) }] : [];
  });
}

export interface CleanupReport {
  deleted: Created[];
  /** Already deleted by the scenarios themselves (404). */
  alreadyGone: Created[];
  failed: (Created & { status: number })[];
}

/** Deletes what a run created: groups first (their memberships go with them), then users, newest first. */
export async function cleanup(created: readonly Created[], send: (req: SentRequest) => Promise<Received>): Promise<CleanupReport> {
  const report: CleanupReport = { deleted: [], alreadyGone: [], failed: [] };
  const order = [...created.filter((c) => c.type === "Groups").reverse(), ...created.filter((c) => c.type === "Users").reverse()];
  for (const [i, c] of order.entries()) {
    let res: Received;
    try {
      res = await send({ method: "DELETE", path: `/${c.type}/${encodeURIComponent(c.id)}`, body: undefined, headers: {} });
    } catch (err) {
      if (err instanceof TargetUnreachable) throw new TargetUnreachable(`the cleanup stopped after deleting ${countOf(report.deleted)}: ${err.message}; ${countOf(order.slice(i))} not deleted`);
      throw err;
    }
    if (res.status === 204 || res.status === 200) report.deleted.push(c);
    else if (res.status === 404) report.alreadyGone.push(c);
    else report.failed.push({ ...c, status: res.status });
  }
  return report;
}

/** "3 users and 1 group", "1 user", "nothing". */
export function countOf(items: readonly Created[]): string {
  const users = items.filter((c) => c.type === "Users").length;
  const groups = items.length - users;
  const parts = [users ? `${users} user${users === 1 ? "" : "s"}` : "", groups ? `${groups} group${groups === 1 ? "" : "s"}` : ""].filter(Boolean);
  return parts.length ? parts.join(" and ") : "nothing";
}
