import { SCIM_ERROR_SCHEMA, ScimError } from "./errors";

describe("ScimError", () => {
  it.each([
    [400, "invalidFilter"],
    [409, "uniqueness"],
    [403, "sensitive"],
    [400, "noTarget"],
    [413, "tooLarge"],
  ] as const)("accepts status %d with scimType %s", (status, scimType) => {
    expect(new ScimError(status, "x", scimType).toBody()).toEqual({
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(status),
      scimType,
      detail: "x",
    });
  });

  it.each([
    [400, "uniqueness"],
    [409, "invalidFilter"],
    [404, "noTarget"],
    [400, "tooLarge"],
  ] as const)("refuses status %d with scimType %s", (status, scimType) => {
    expect(() => new ScimError(status, "x", scimType)).toThrow(TypeError);
  });

  it("sends status as a string and leaves scimType out when there is none", () => {
    expect(ScimError.notFound("User 1 not found").toBody()).toEqual({
      schemas: [SCIM_ERROR_SCHEMA],
      status: "404",
      detail: "User 1 not found",
    });
  });
});
