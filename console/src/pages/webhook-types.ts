/** The webhook answers of the admin API (`Webhook`, `WebhookDelivery` in the OpenAPI document). */

export interface LastFailure {
  at: string;
  status_code: number | null;
  error: string;
}

export interface Webhook {
  id: string;
  url: string;
  description: string;
  /** `["*"]`: every event type. */
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  pending_deliveries: number;
  failed_deliveries: number;
  last_failure: LastFailure | null;
}

export interface Attempt {
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  finished_at: string | null;
  attempt_log: Attempt[];
}

/** "user.created, user.deleted" as the API's `events`; blank or "*": every type (absent). */
export function parseEvents(text: string): string[] | undefined {
  const list = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return list.length === 0 ? undefined : list;
}

export const eventsText = (events: string[]): string => (events.length === 0 || events.includes("*") ? "every event type" : events.join(", "));

/** Under a signing secret: unlike a token, the bridge must keep it (encrypted) to sign with. */
export const SECRET_NOTE = "This is the only time it is shown: the bridge keeps it encrypted, to sign with, and never shows it again. Give it to the receiver now.";
