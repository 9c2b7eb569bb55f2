#!/usr/bin/env node
"use strict";
// autocannon with a different user per request (the CLI sends one URL): PATCH /Users/{id} over the
// seeded users in turn, as an IdP updates one user after another, each body distinct (a PATCH that
// changes nothing writes nothing). Prints autocannon's JSON result.
// Usage: node bench/load-rotate.js BASE_URL TOKEN CONNECTIONS DURATION IDS_FILE
const fs = require("node:fs");
const autocannon = require("autocannon");

const [base, token, connections, duration, idsFile] = process.argv.slice(2);
const ids = JSON.parse(fs.readFileSync(idsFile, "utf8"));
let n = 0;
const body = () => JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: `Bench ${n}` }] });
autocannon(
  {
    url: base,
    connections: Number(connections),
    duration: Number(duration),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    requests: [{ method: "PATCH", setupRequest: (req) => ({ ...req, path: `/scim/v2/Users/${ids[n++ % ids.length]}`, body: body() }) }],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
