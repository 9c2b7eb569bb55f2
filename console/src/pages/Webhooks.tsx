import { href } from "../router";
import { ErrorNote, Loading, Page } from "../ui/components";
import { useApi, useInterval, useLoad } from "../ui/context";
import { WebhookAdd } from "./WebhookAdd";
import { LastFailureText, WebhookState } from "./WebhookHealth";
import { eventsText, type Webhook } from "./webhook-types";

/**
 * Webhook endpoints with their health (GET /webhooks: every endpoint, which an admin adds one by one,
 * so the API does not page them), and a form to add one. Refreshed every few seconds: queues move.
 */
export function WebhooksPage() {
  const api = useApi();
  const list = useLoad((ctx) => api.get<{ webhooks: Webhook[] }>("/webhooks", undefined, ctx), []);
  useInterval(list.poll, 5000, true);

  return (
    <Page title="Webhooks">
      <p class="lead">
        Endpoints that receive the bridge's signed events. The bridge retries a failing delivery; once one fails every attempt it disables (pauses) the endpoint
        until an admin enables it again.
      </p>
      <h2>Add an endpoint</h2>
      <WebhookAdd onAdded={list.reload} />

      <h2>Endpoints</h2>
      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        list.error ? null : <Loading what="endpoints" />
      ) : list.data.webhooks.length === 0 ? (
        <p class="muted">No endpoints yet.</p>
      ) : (
        <table>
          <caption class="sr-only">Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col" class="num">
                Queued
              </th>
              <th scope="col" class="num">
                Failed
              </th>
              <th scope="col">Last failure</th>
            </tr>
          </thead>
          <tbody>
            {list.data.webhooks.map((w) => (
              <tr key={w.id}>
                <td>
                  <a href={href(`/webhooks/${encodeURIComponent(w.id)}`)} class="mono">
                    {w.url}
                  </a>
                  {w.description ? <div class="muted">{w.description}</div> : null}
                </td>
                <td>{eventsText(w.events)}</td>
                <td>
                  <WebhookState webhook={w} />
                </td>
                <td class="num">{w.pending_deliveries.toLocaleString()}</td>
                <td class="num">{w.failed_deliveries.toLocaleString()}</td>
                <td>
                  <LastFailureText failure={w.last_failure} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
