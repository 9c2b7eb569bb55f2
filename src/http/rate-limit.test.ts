import type { Request, Response } from "express";
import { rateLimiter, RateLimitedError } from "./rate-limit";

function harness(rate: { limit: number; perMs: number }) {
  let clock = 0;
  const mw = rateLimiter(rate, () => clock);
  const call = (tokenId: string): unknown => {
    let out: unknown = "not called";
    const res = { locals: { principal: { tokenId, tokenName: tokenId, scope: "scim" } } } as unknown as Response;
    mw({} as Request, res, (err?: unknown) => (out = err ?? "ok"));
    return out;
  };
  return { call, advance: (ms: number) => (clock += ms) };
}

describe("rate limiter", () => {
  it("lets the limit through, then answers with the seconds until the next request fits", () => {
    const h = harness({ limit: 3, perMs: 3000 });
    expect([h.call("a"), h.call("a"), h.call("a")]).toEqual(["ok", "ok", "ok"]);
    const refused = h.call("a");
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(1);
    h.advance(999);
    expect(h.call("a")).toBeInstanceOf(RateLimitedError);
    h.advance(1);
    expect(h.call("a")).toBe("ok");
  });

  it("counts each token apart", () => {
    const h = harness({ limit: 1, perMs: 60_000 });
    expect(h.call("a")).toBe("ok");
    expect(h.call("b")).toBe("ok");
    const r = h.call("a") as RateLimitedError;
    expect(r.retryAfterSeconds).toBe(60);
  });

  it("is off without a rate", () => {
    const mw = rateLimiter(undefined);
    let n = 0;
    for (let i = 0; i < 1000; i++) mw({} as Request, { locals: {} } as Response, () => n++);
    expect(n).toBe(1000);
  });
});
