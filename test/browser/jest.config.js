"use strict";
/**
 * The console's browser tests (`npm run test:browser`): Debian's Chromium against the built bridge on
 * the embedded database. One file at a time: each starts a bridge and a browser, and two cores are
 * enough for one of each.
 */
const base = require("../../jest.config.js");
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/browser"],
  testPathIgnorePatterns: [],
  testTimeout: 120000,
  maxWorkers: 1,
};
