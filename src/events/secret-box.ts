import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseEncryptionKey } from "../config/config";

/**
 * Webhook signing secrets at rest: the bridge must sign with them, so they cannot be hashed like
 * tokens; they are encrypted with AES-256-GCM (`v1.<iv>.<tag>.<ciphertext>`, base64). The key comes
 * from BRIDGE_ENCRYPTION_KEY, or else from `DATA_DIR/encryption.key`, made on first use (mode 0600).
 * Several instances on one PostgreSQL must share BRIDGE_ENCRYPTION_KEY.
 */

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export class SecretBoxError extends Error {}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError("the encryption key must be 32 bytes");
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(".");
    },
    open(sealed) {
      const [v, iv, tag, data] = sealed.split(".");
      if (v !== "v1" || !iv || !tag || data === undefined) throw new SecretBoxError("not a sealed secret");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
        decipher.setAuthTag(Buffer.from(tag, "base64"));
        return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("cannot decrypt a webhook secret: the encryption key changed (BRIDGE_ENCRYPTION_KEY or DATA_DIR/encryption.key); rotate the endpoint's secret");
      }
    },
  };
}

/** The configured key, or the key file under the data directory (created when missing). */
export function encryptionKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, "encryption.key");
  try {
    const key = parseEncryptionKey(fs.readFileSync(file, "utf8").trim());
    if (!key) throw new SecretBoxError(`${file} does not hold a 32-byte key (base64); restore it or set BRIDGE_ENCRYPTION_KEY`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // private whatever the umask; the key file is 0600
  const key = randomBytes(32);
  // `wx`: two processes starting at once must not overwrite each other's key.
  try {
    fs.writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return encryptionKey(undefined, dataDir);
    throw err;
  }
}
