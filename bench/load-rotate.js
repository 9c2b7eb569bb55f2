#!/usr/bin/env node
"use strict";
// autocannon with a different user per request (the CLI sends one URL and numbers bodies only with
// its 33-character request ids): PATCH /Users/{id} over the seeded users in turn, as an IdP updates
// one user after another, each body distinct (a PATCH that changes nothing writes nothing); or, with
// `create` for IDS_FILE, POST /Users of new users named like real ones (`u3f9c1a-17@corp.example`:
// distinct application handles, where a 33-character local part is cut to 32 and every user of a
// connection would compete for one handle base). Prints autocannon's JSON result.
// Usage: node bench/load-rotate.js BASE_URL TOKEN CONNECTIONS DURATION IDS_FILE|create
const fs = require("node:fs");
const autocannon = require("autocannon");

const [base, token, connections, duration, idsFile] = process.argv.slice(2);
const create = idsFile === "create";
const ids = create ? [] : JSON.parse(fs.readFileSync(idsFile, "utf8"));
const run = require("node:crypto").randomBytes(3).toString("hex");
let n = 0;
const body = () => JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: `Bench ${n}` }] });
const user = () => {
  const name = `u${run}-${n++}@corp.example`;
  return JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: name, name: { givenName: "Bench", familyName: "User" }, emails: [{ value: name, primary: true, type: "work" }] });
};
autocannon(
  {
    url: base,
    connections: Number(connections),
    duration: Number(duration),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    requests: [
      create
        ? { method: "POST", setupRequest: (req) => ({ ...req, path: "/scim/v2/Users", body: user() }) }
        : { method: "PATCH", setupRequest: (req) => ({ ...req, path: `/scim/v2/Users/${ids[n++ % ids.length]}`, body: body() }) },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
