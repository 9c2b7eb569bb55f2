"use strict";
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/src", "<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The console's browser tests need Chromium and the built console: `npm run test:browser`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/browser/"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
      },
    ],
  },
  // PGlite starts in ~3 s; integration files share one database per file. The limit is for a hang: on a
  // busy 2-core machine a file's first bridge (a database cloned, migrations checked) has taken over 30 s.
  testTimeout: 60000,
  // Two cores: more workers than that only add contention.
  maxWorkers: 2,
};
