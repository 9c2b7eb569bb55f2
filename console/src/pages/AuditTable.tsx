import { Time } from "../ui/components";

/** An audit entry of GET /api/v2/audit. */
export interface AuditRow {
  id: string;
  time: string;
  actor: string;
  action: string;
  resource_type: string;
  resource_id?: string | null;
  user_id?: string | null;
  details: unknown;
}

const hasDetails = (d: unknown) => d !== null && d !== undefined && !(typeof d === "object" && Object.keys(d).length === 0);

/** A short, readable line of an entry's details (sync rows: dimension, rule, claim and value). */
function detailsText(d: unknown): string {
  if (d === null || typeof d !== "object") return "";
  return Object.entries(d as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(", ");
}

/**
 * Audit entries as the audit log and a user's trail both show them: time, actor, action, (the target,
 * unless every row has the same one) and the details, summed up in a line and expandable in full.
 */
export function AuditTable({ rows, caption, target = true, busy = false }: { rows: AuditRow[]; caption: string; target?: boolean; busy?: boolean }) {
  return (
    <table aria-busy={busy}>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          {target ? <th scope="col">Target</th> : null}
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>
              <Time at={r.time} />
            </td>
            <td>{r.actor}</td>
            <td class="mono">{r.action}</td>
            {target ? (
              <td>
                {r.resource_type}
                {r.resource_id ? <div class="muted mono">{r.resource_id}</div> : null}
              </td>
            ) : null}
            <td>
              {hasDetails(r.details) ? (
                <>
                  {detailsText(r.details) ? <div>{detailsText(r.details)}</div> : null}
                  <details>
                    <summary>Details of {r.action}</summary>
                    <pre>{JSON.stringify(r.details, null, 2)}</pre>
                  </details>
                </>
              ) : (
                <span class="muted">none</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
