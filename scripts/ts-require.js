"use strict";
// Lets a Node process started from the TypeScript sources (the tests run them through jest) require
// .ts files: each is compiled to CommonJS by swc (a development dependency), as jest does. Used for the
// embedded database's initdb child (src/db/embedded-start.ts); the built dist/ never needs it.
const fs = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
