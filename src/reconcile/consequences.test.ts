import { consequenceText } from "./consequences";

describe("consequenceText", () => {
  const base = { organization_id: "0f0", organization: "acme" };
  it.each([
    [{ dimension: "role", action: "remove", role: "organization-auditor", users: 12 }, "12 users lose organization-auditor in acme"],
    [{ dimension: "role", action: "add", role: "organization-admin", users: 1 }, "1 user gains organization-admin in acme"],
    [{ dimension: "organization", action: "add", users: 1 }, "1 user joins acme"],
    [{ dimension: "organization", action: "remove", users: 3 }, "3 users leave acme"],
    [{ dimension: "group", action: "add", group: "eng", users: 2 }, "2 users join group eng in acme"],
    [{ dimension: "group", action: "remove", group: "eng", users: 1 }, "1 user leaves group eng in acme"],
  ] as const)("%j", (c, text) => {
    expect(consequenceText({ ...base, ...c })).toBe(text);
  });

  it("names the organization by id when it no longer exists", () => {
    expect(consequenceText({ dimension: "organization", action: "remove", organization_id: "0f0", organization: null, users: 2 })).toBe("2 users leave 0f0");
  });
});
