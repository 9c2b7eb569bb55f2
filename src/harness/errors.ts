/**
 * The harness's one error type. Its message is one line meant for the person at the terminal: the CLI
 * prints it as `error: …` on stderr and exits 1, without a stack. Messages never carry the token or
 * the webhook secret.
 */
export class HarnessError extends Error {}

/**
 * No HTTP answer from the replay target (connection refused, reset, DNS, TLS, time-out): every later
 * step would fail the same way, so the run stops at once instead of listing each step as failed.
 */
export class TargetUnreachable extends HarnessError {}
