import { navigate } from "../router";
import { Badge, ErrorNote, Field, Loading, Pager, Time } from "../ui/components";
import { useAction, useApi, type Loaded } from "../ui/context";
import type { Attempt, Delivery, DeliveryStatus } from "./webhook-types";

export const DELIVERIES_PAGE = 20;

export interface DeliveryFilter {
  status: DeliveryStatus | "";
  offset: number;
}

/** The filter of the URL's query (?status=failed&offset=20): a reload or a shared link shows the same page. */
export function deliveryFilter(query: URLSearchParams): DeliveryFilter {
  const s = query.get("status");
  const offset = Number(query.get("offset") ?? 0);
  return { status: s === "pending" || s === "succeeded" || s === "failed" ? s : "", offset: Number.isInteger(offset) && offset > 0 ? offset : 0 };
}

const statusKind = { pending: "info", succeeded: "ok", failed: "bad" } as const;

function AttemptList({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <span class="muted">not sent yet</span>;
  return (
    <ol class="attempts">
      {attempts.map((a) => (
        <li key={`${a.attempt}-${a.at}`}>
          <Time at={a.at} /> — {a.status_code !== null ? <span class={a.error !== null ? "attempt-error" : undefined}>HTTP {a.status_code}</span> : null}
          {/* The error says more than the status only when no answer came (refused, timeout, connection reset). */}
          {a.error !== null && a.error !== `HTTP ${a.status_code}` ? <span class="attempt-error">{a.status_code !== null ? ": " : ""}{a.error}</span> : null}{" "}
          <span class="muted">({a.duration_ms.toLocaleString()} ms)</span>
        </li>
      ))}
    </ol>
  );
}

/** An endpoint's deliveries, newest first, paged by the server, each with every attempt; a failed one can be sent again. */
export function WebhookDeliveries({ webhookId, enabled, filter, deliveries, onChanged }: { webhookId: string; enabled: boolean; filter: DeliveryFilter; deliveries: Loaded<{ count: number; deliveries: Delivery[] }>; onChanged: () => void }) {
  const api = useApi();
  const action = useAction();
  const base = `/webhooks/${encodeURIComponent(webhookId)}`;
  const go = (f: DeliveryFilter) => {
    const q = new URLSearchParams();
    if (f.status !== "") q.set("status", f.status);
    if (f.offset > 0) q.set("offset", String(f.offset));
    const s = q.toString();
    navigate(`${base}${s === "" ? "" : `?${s}`}`, { replace: true });
  };
  const redeliver = (d: Delivery) =>
    action.run(async () => {
      await api.send<Delivery>("POST", `${base}/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      onChanged();
      return enabled ? `Delivery of ${d.event_type} (event ${d.event_id}) is pending again.` : `Delivery of ${d.event_type} is pending again: it goes out once the endpoint is enabled.`;
    });

  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <div class="filters">
        <Field label="Status" id="delivery-status">
          <select id="delivery-status" value={filter.status} onChange={(e) => go({ status: e.currentTarget.value as DeliveryFilter["status"], offset: 0 })}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
          </select>
        </Field>
        <button type="button" onClick={deliveries.reload}>
          Refresh
        </button>
      </div>
      <ErrorNote error={action.error} title="Not sent again" />
      {action.note ? (
        <p class="success" role="status">
          {action.note}
        </p>
      ) : null}
      <ErrorNote error={deliveries.error} />
      {deliveries.data === undefined ? (
        deliveries.error ? null : <Loading what="deliveries" />
      ) : deliveries.data.count === 0 ? (
        <p class="muted">No deliveries{filter.status ? ` ${filter.status}` : ""}.</p>
      ) : (
        <>
          <table>
            <caption class="sr-only">Deliveries of this endpoint</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Attempts</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.event_type}
                    <div class="muted mono">{d.event_id}</div>
                  </td>
                  <td>
                    <Badge kind={statusKind[d.status]}>{d.status}</Badge>
                    {d.next_attempt_at ? (
                      <div class="muted">
                        next: <Time at={d.next_attempt_at} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <Time at={d.created_at} />
                  </td>
                  <td>
                    <AttemptList attempts={d.attempt_log} />
                  </td>
                  <td>
                    {d.status === "failed" ? (
                      <button type="button" aria-label={`Redeliver ${d.event_type} ${d.event_id}`} disabled={action.busy} onClick={() => void redeliver(d)}>
                        Redeliver
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Deliveries" offset={filter.offset} limit={DELIVERIES_PAGE} count={deliveries.data.count} onPage={(offset) => go({ ...filter, offset })} />
        </>
      )}
    </section>
  );
}
