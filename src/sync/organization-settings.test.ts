import { DEFAULT_ORGANIZATION_SYNC, parseOrganizationSyncSettings } from "./organization-settings";

describe("organization sync settings", () => {
  it.each([
    [undefined, DEFAULT_ORGANIZATION_SYNC],
    [{}, DEFAULT_ORGANIZATION_SYNC],
    [{ field: "groups", mapping: { a: ["o1"] }, organization_assign_default: false }, { field: "groups", mapping: { a: ["o1"] }, organization_assign_default: false }],
    [{ field: "x", assign_default: false }, { field: "x", mapping: {}, organization_assign_default: false }],
    [{ AssignDefault: false }, { field: "", mapping: {}, organization_assign_default: false }],
  ])("reads %j", (stored, expected) => {
    expect(parseOrganizationSyncSettings(stored)).toEqual(expected);
  });
});
