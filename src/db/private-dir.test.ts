import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makePrivate } from "./private-dir";

/** makePrivate on a DATA_DIR given as a symbolic link (a common way to put data on another volume). */
describe("makePrivate", () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), "private-dir-"));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const mode = (p: string) => fs.statSync(p).mode & 0o777;

  it.each([["without", ""], ["with", "/"]])("follows DATA_DIR itself when it is a symlink (%s a trailing slash), and no link inside it", (_w, slash) => {
    const real = path.join(base, "real");
    fs.mkdirSync(real);
    fs.chmodSync(real, 0o777);
    fs.writeFileSync(path.join(real, "encryption.key"), "k");
    fs.chmodSync(path.join(real, "encryption.key"), 0o666);
    const outside = path.join(base, "outside.txt");
    fs.writeFileSync(outside, "x");
    fs.chmodSync(outside, 0o644);
    fs.symlinkSync(outside, path.join(real, "link"));
    fs.symlinkSync(real, path.join(base, "data"));

    expect(makePrivate(path.join(base, "data") + slash)).toBe(2);
    expect([mode(real), mode(path.join(real, "encryption.key")), mode(outside)]).toEqual([0o700, 0o600, 0o644]);
  });
});
