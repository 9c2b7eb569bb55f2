import { Badge, Time } from "../ui/components";
import type { LastFailure, Webhook } from "./webhook-types";

/** Enabled or disabled (paused: its queue waits), with why the bridge disabled it. */
export function WebhookState({ webhook, reason = false }: { webhook: Pick<Webhook, "enabled" | "disabled_reason">; reason?: boolean }) {
  return (
    <>
      {webhook.enabled ? <Badge kind="ok">enabled</Badge> : <Badge kind="bad">disabled</Badge>}
      {reason && webhook.disabled_reason ? <div class="muted">{webhook.disabled_reason}</div> : null}
    </>
  );
}

/** The endpoint's latest failed attempt: when, and what the receiver (or the network) said. */
export function LastFailureText({ failure }: { failure: LastFailure | null }) {
  if (failure === null) return <span class="muted">none</span>;
  return (
    <span>
      <Time at={failure.at} /> —{" "}
      {failure.error}
    </span>
  );
}
