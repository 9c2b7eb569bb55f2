#!/usr/bin/env node
"use strict";
// The HTTP floor: a bare Express 5 server answering the benchmarked routes with constant bodies,
// with the same JSON body parsing. What no bridge on this machine can beat; benchmarks report the
// bridge as a ratio of it. Usage: node bench/floor.js PORT
const express = require("express");

const app = express();
app.use(express.json({ type: ["application/json", "application/scim+json"], limit: "1mb" }));
const user = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: "00000000-0000-4000-8000-000000000000", userName: "floor@corp.example", active: true, meta: { resourceType: "User", version: 'W/"1"' } });
const list = JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [JSON.parse(user)] });
const send = (res, status, body) => res.status(status).type("application/scim+json").send(body);
app.post("/scim/v2/Users", (_req, res) => send(res, 201, user));
app.get("/scim/v2/Users", (_req, res) => send(res, 200, list));
app.patch("/scim/v2/Groups/:id", (_req, res) => send(res, 200, user));
app.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));
