import { normalizePath } from "./normalize-path";

describe("normalizePath", () => {
  it.each([
    ["/scim/v2/Users", "/scim/v2/Users"],
    ["/scim/v2/%55sers", "/scim/v2/Users"],
    ["/scim/v2/%53erviceProviderConfig", "/scim/v2/ServiceProviderConfig"],
    ["//scim//v2/Users", "/scim/v2/Users"],
    ["/scim/v2/./Users", "/scim/v2/Users"],
    ["/scim/v2/x/../Users", "/scim/v2/Users"],
    ["/scim/v2/x/%2e%2e/Users", "/scim/v2/Users"],
    ["/healthz/../scim/v2/Users", "/scim/v2/Users"],
    ["/../../scim/v2/Users", "/scim/v2/Users"],
    ["/scim/v2/Users/", "/scim/v2/Users/"],
    ["/", "/"],
  ])("reads %s as %s", (raw, expected) => {
    expect(normalizePath(raw)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ["/scim/v2/Users/%2F..", "encoded slash"],
    ["/scim/v2/Users%5c", "backslash"],
    ["/scim/v2/%E0%A4%A", "malformed"],
    ["/scim/v2/Users%00", "control character"],
  ])("refuses %s (%s)", (raw) => {
    expect(normalizePath(raw).ok).toBe(false);
  });
});
