import { attr, multi } from "./define";
import type { SchemaDef } from "./types";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

/** RFC 7643 §4.1, with the characteristics of §8.7.1. */
export const userSchema: SchemaDef = {
  id: USER_SCHEMA,
  name: "User",
  description: "User Account",
  attributes: [
    attr("userName", "string", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.", { required: true, uniqueness: "server" }),
    attr("name", "complex", "The components of the user's real name.", {
      subAttributes: [
        attr("formatted", "string", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
        attr("familyName", "string", "The family name of the User, or last name in most Western languages."),
        attr("givenName", "string", "The given name of the User, or first name in most Western languages."),
        attr("middleName", "string", "The middle name(s) of the User."),
        attr("honorificPrefix", "string", "The honorific prefix(es) of the User, or title in most Western languages."),
        attr("honorificSuffix", "string", "The honorific suffix(es) of the User, or suffix in most Western languages."),
      ],
    }),
    attr("displayName", "string", "The name of the User, suitable for display to end-users."),
    attr("nickName", "string", "The casual way to address the user in real life."),
    attr("profileUrl", "reference", "A fully qualified URL pointing to a page representing the User's online profile.", { referenceTypes: ["external"] }),
    attr("title", "string", "The user's title, such as \"Vice President.\""),
    attr("userType", "string", "Used to identify the relationship between the organization and the user."),
    attr("preferredLanguage", "string", "Indicates the User's preferred written or spoken language."),
    attr("locale", "string", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
    attr("timezone", "string", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    attr("active", "boolean", "A Boolean value indicating the User's administrative status."),
    attr("password", "string", "The User's cleartext password. Accepted and never stored or returned by this service provider.", { mutability: "writeOnly", returned: "never" }),
    multi("emails", "Email addresses for the user.", { types: ["work", "home", "other"] }),
    multi("phoneNumbers", "Phone numbers for the User.", { types: ["work", "home", "mobile", "fax", "pager", "other"] }),
    multi("ims", "Instant messaging addresses for the User.", { types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"] }),
    multi("photos", "URLs of photos of the User.", { types: ["photo", "thumbnail"], valueType: "reference", referenceTypes: ["external"] }),
    attr("addresses", "complex", "A physical mailing address for this User.", {
      multiValued: true,
      subAttributes: [
        attr("formatted", "string", "The full mailing address, formatted for display or use with a mailing label."),
        attr("streetAddress", "string", "The full street address component."),
        attr("locality", "string", "The city or locality component."),
        attr("region", "string", "The state or region component."),
        attr("postalCode", "string", "The zip code or postal code component."),
        attr("country", "string", "The country name component."),
        attr("type", "string", "A label indicating the attribute's function.", { canonicalValues: ["work", "home", "other"] }),
        attr("primary", "boolean", "Indicates the 'primary' or preferred attribute value."),
      ],
    }),
    attr("groups", "complex", "A list of groups to which the user belongs, either through direct membership or through nested groups.", {
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        attr("value", "string", "The identifier of the User's group.", { mutability: "readOnly" }),
        attr("$ref", "reference", "The URI of the corresponding 'Group' resource.", { mutability: "readOnly", referenceTypes: ["Group"] }),
        attr("display", "string", "A human-readable name, primarily used for display purposes.", { mutability: "readOnly" }),
        attr("type", "string", "A label indicating the attribute's function.", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
    }),
    multi("entitlements", "A list of entitlements for the User that represent a thing the User has."),
    multi("roles", "A list of roles for the User that collectively represent who the User is."),
    multi("x509Certificates", "A list of certificates issued to the User.", { valueType: "binary" }),
  ],
};
