/**
 * How the webhook dispatcher reports what it did, for metrics (src/metrics/webhooks.ts): every
 * delivery attempt once it is recorded, and every endpoint it disabled. From memory, after the
 * dispatcher's own writes: nothing is queried to report.
 */

/**
 * `succeeded`: a 2xx. `http_error`: another status (a 3xx too: redirects are not followed).
 * `network_error`: no answer (refused connection, timeout, TLS). `refused`: the address policy refused
 * the target and nothing was sent (src/events/target.ts).
 */
export type AttemptOutcome = "succeeded" | "http_error" | "network_error" | "refused";

/**
 * `exhausted`: a delivery failed every attempt of the retry schedule. `refused_target`: the address
 * policy refused the target. `secret_unreadable`: the signing secret can't be decrypted (another
 * BRIDGE_ENCRYPTION_KEY).
 */
export type DisableReason = "exhausted" | "refused_target" | "secret_unreadable";

export interface DeliveryObserver {
  attempt(outcome: AttemptOutcome): void;
  disabled(reason: DisableReason): void;
}
