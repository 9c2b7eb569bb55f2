import { createHash } from "node:crypto";
import { digestsEqual, generateToken, hashToken, tokenHint } from "./token-format";

describe("token format", () => {
  it("generates a prefixed token with 256 random bits", () => {
    const t = generateToken("scim", () => Buffer.alloc(32, 7));
    expect(t).toBe(`sb_scim_${Buffer.alloc(32, 7).toString("base64url")}`);
    expect(generateToken("admin")).toMatch(/^sb_admin_[A-Za-z0-9_-]{43}$/);
    expect(generateToken("scim")).not.toBe(generateToken("scim"));
  });

  it("stores the hex sha256 of the whole token", () => {
    expect(hashToken("abc")).toBe(createHash("sha256").update("abc").digest("hex"));
  });

  it("compares digests, and only well-formed equal-length ones", () => {
    const a = hashToken("one");
    expect(digestsEqual(a, hashToken("one"))).toBe(true);
    expect(digestsEqual(a, hashToken("two"))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 10))).toBe(false);
    expect(digestsEqual("", "")).toBe(false);
  });

  it("shows only the prefix and four secret characters as a hint", () => {
    expect(tokenHint("sb_admin_abcdefghij")).toBe("sb_admin_abcd…");
    expect(tokenHint("my-own-long-secret-value-123")).toBe("my-o…");
  });
});
