import { newWebhookSecret, sign, verify } from "./signing";

// The Standard Webhooks specification's published test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("Standard Webhooks signing", () => {
  it("reproduces the specification's test vector", () => {
    expect(sign(SECRET, ID, TS, BODY)).toBe(SIG);
  });

  const headers = { "webhook-id": ID, "webhook-timestamp": String(TS), "webhook-signature": SIG };
  it.each([
    ["the vector", headers, BODY, TS, { ok: true }],
    ["one of several signatures", { ...headers, "webhook-signature": `v1,bm9wZQ== ${SIG}` }, BODY, TS, { ok: true }],
    ["a changed body", headers, '{"test": 1}', TS, { ok: false, reason: "no webhook-signature matches" }],
    ["an old timestamp", headers, BODY, TS + 301, { ok: false, reason: "webhook-timestamp is 301 s off (tolerance 300 s)" }],
    ["a missing header", { ...headers, "webhook-id": undefined }, BODY, TS, { ok: false, reason: "missing webhook-id, webhook-timestamp or webhook-signature" }],
    ["a timestamp that is not seconds", { ...headers, "webhook-timestamp": "soon" }, BODY, TS, { ok: false, reason: 'webhook-timestamp "soon" is not Unix seconds' }],
    ["another scheme", { ...headers, "webhook-signature": SIG.replace("v1,", "v1a,") }, BODY, TS, { ok: false, reason: "no webhook-signature matches" }],
  ])("verify: %s", (_n, h, body, now, expected) => {
    expect(verify(SECRET, h, body, now)).toEqual(expected);
  });

  it("makes distinct whsec_ secrets that sign and verify", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(newWebhookSecret());
    const sig = sign(a, "id", 5, "{}");
    expect(verify(a, { "webhook-id": "id", "webhook-timestamp": "5", "webhook-signature": sig }, "{}", 5)).toEqual({ ok: true });
  });
});
