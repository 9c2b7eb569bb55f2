import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSecretBox, encryptionKey, SecretBoxError } from "./secret-box";

describe("secret box", () => {
  it("seals and opens; another key cannot open, and says what to do", () => {
    const box = createSecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal("whsec_abc");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("whsec_abc");
    expect(box.seal("whsec_abc")).not.toBe(sealed);
    expect(box.open(sealed)).toBe("whsec_abc");
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow(/encryption key changed.*rotate/);
    expect(() => box.open("garbage")).toThrow(SecretBoxError);
  });

  it("makes a key file once (mode 0600) and reads it back; a configured key wins", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));
    try {
      const first = encryptionKey(undefined, dir);
      expect(first).toHaveLength(32);
      expect(fs.statSync(path.join(dir, "encryption.key")).mode & 0o777).toBe(0o600);
      expect(encryptionKey(undefined, dir)).toEqual(first);
      expect(encryptionKey(Buffer.alloc(32, 7), dir)).toEqual(Buffer.alloc(32, 7));
      fs.writeFileSync(path.join(dir, "encryption.key"), "nope\n");
      expect(() => encryptionKey(undefined, dir)).toThrow(/does not hold a 32-byte key/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
