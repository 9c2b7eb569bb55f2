import { href } from "../router";
import { ErrorNote, Loading, Page, Time } from "../ui/components";
import { useApi, useInterval, useLoad } from "../ui/context";
import { WebhookActions } from "./WebhookActions";
import { DELIVERIES_PAGE, WebhookDeliveries, deliveryFilter } from "./WebhookDeliveries";
import { LastFailureText, WebhookState } from "./WebhookHealth";
import { eventsText, type Delivery, type Webhook } from "./webhook-types";

/** One endpoint: its settings and health, what an admin can do to it, and its deliveries with every attempt. */
export function WebhookPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const api = useApi();
  const id = params.id ?? "";
  const path = `/webhooks/${encodeURIComponent(id)}`;
  const filter = deliveryFilter(query);
  const webhook = useLoad((ctx) => api.get<Webhook>(path, undefined, ctx), [path]);
  const deliveries = useLoad(
    (ctx) => api.get<{ count: number; deliveries: Delivery[] }>(`${path}/deliveries`, { limit: DELIVERIES_PAGE, offset: filter.offset, status: filter.status || undefined }, ctx),
    [path, filter.offset, filter.status],
  );
  const reload = () => {
    webhook.reload();
    deliveries.reload();
  };
  const poll = () => {
    webhook.poll();
    deliveries.poll();
  };
  // Deliveries and retries move on their own: a few seconds' refresh while the page is open and the endpoint exists.
  useInterval(poll, 2000, webhook.data !== undefined);

  const w = webhook.data;
  return (
    <Page title="Webhook endpoint">
      <p>
        <a href={href("/webhooks")}>← All endpoints</a>
      </p>
      <ErrorNote error={webhook.error} />
      {w === undefined ? (
        webhook.error ? null : <Loading what="the endpoint" />
      ) : (
        <>
          <dl class="facts">
            <dt>URL</dt>
            <dd class="mono">{w.url}</dd>
            <dt>Description</dt>
            <dd>{w.description || <span class="muted">none</span>}</dd>
            <dt>Events</dt>
            <dd>{eventsText(w.events)}</dd>
            <dt>State</dt>
            <dd>
              <WebhookState webhook={w} />
              {w.disabled_reason ? <div class="disabled-reason">{w.disabled_reason}</div> : null}
            </dd>
            <dt>Queued</dt>
            <dd>{w.pending_deliveries.toLocaleString()}</dd>
            <dt>Failed</dt>
            <dd>{w.failed_deliveries.toLocaleString()}</dd>
            <dt>Last failure</dt>
            <dd>
              <LastFailureText failure={w.last_failure} />
            </dd>
            <dt>Added</dt>
            <dd>
              <Time at={w.created_at} /> by {w.created_by}
            </dd>
          </dl>
          <WebhookActions webhook={w} onChanged={reload} />
          <WebhookDeliveries webhookId={w.id} enabled={w.enabled} filter={filter} deliveries={deliveries} onChanged={reload} />
        </>
      )}
    </Page>
  );
}
