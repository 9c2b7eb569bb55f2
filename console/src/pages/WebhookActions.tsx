import { useState } from "preact/hooks";
import { navigate } from "../router";
import { ConfirmButton, ErrorNote, ShownOnce } from "../ui/components";
import { useAction, useApi } from "../ui/context";
import { SECRET_NOTE, type Delivery, type Webhook } from "./webhook-types";

/**
 * What an admin does to one endpoint: enable or disable it (PATCH), send a test event, rotate its
 * signing secret (the new one shown once) and delete it. Destructive ones ask first.
 */
export function WebhookActions({ webhook, onChanged }: { webhook: Webhook; onChanged: () => void }) {
  const api = useApi();
  const path = `/webhooks/${encodeURIComponent(webhook.id)}`;
  const action = useAction();
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const { busy } = action;

  const act = (what: () => Promise<string | undefined>) =>
    action.run(async () => {
      const said = await what();
      onChanged();
      return said;
    });

  const enable = () =>
    act(async () => {
      await api.send<Webhook>("PATCH", path, { enabled: true });
      return "Enabled: its queue goes out again, from where it stopped.";
    });
  const test = () =>
    act(async () => {
      const d = await api.send<Delivery>("POST", `${path}/test`);
      return `Test event queued (event ${d.event_id}): it is listed in the deliveries below once sent.`;
    });

  return (
    <div class="webhook-actions">
      <div class="actions">
        {webhook.enabled ? (
          <ConfirmButton
            label="Disable endpoint"
            confirm="Disable"
            question={<p>Disable this endpoint? Its deliveries wait (they are kept and queued) until it is enabled again.</p>}
            onConfirm={async () => {
              await api.send<Webhook>("PATCH", path, { enabled: false });
              action.setNote("Disabled: its deliveries wait until it is enabled.");
              onChanged();
            }}
          />
        ) : (
          <button type="button" class="primary" disabled={busy} onClick={() => void enable()}>
            Enable endpoint
          </button>
        )}
        <button type="button" disabled={busy || !webhook.enabled} onClick={() => void test()} aria-describedby={webhook.enabled ? undefined : "test-event-why"}>
          Send test event
        </button>
        <ConfirmButton
          label="Rotate signing secret"
          confirm="Rotate"
          question={<p>Rotate the signing secret? The receiver must be given the new one: deliveries are signed with it from now on, and the old one stops verifying.</p>}
          onConfirm={async () => {
            setSecret(undefined);
            action.setNote(undefined);
            const r = await api.send<Webhook & { secret: string }>("POST", `${path}/rotate-secret`);
            setSecret(r.secret);
            onChanged();
          }}
        />
        <ConfirmButton
          label="Delete endpoint"
          confirm="Delete"
          question={
            <p>
              Delete the endpoint <strong>{webhook.url}</strong>? Its {webhook.pending_deliveries.toLocaleString()} waiting deliveries are dropped. This can't be undone.
            </p>
          }
          onConfirm={async () => {
            await api.send("DELETE", path);
            navigate("/webhooks");
          }}
        />
      </div>
      {webhook.enabled ? null : (
        <p class="muted" id="test-event-why">
          Send test event: enable the endpoint first (its queue is paused).
        </p>
      )}
      <ErrorNote error={action.error} />
      {action.note ? (
        <p class="success" role="status">
          {action.note}
        </p>
      ) : null}
      {secret ? <ShownOnce label="New signing secret" value={secret} note={SECRET_NOTE} /> : null}
    </div>
  );
}
