import dns from "node:dns";
import net from "node:net";

/**
 * Where webhooks may be sent. Only http(s) URLs without credentials; and unless the operator allows
 * private targets, never to loopback, private, link-local (cloud metadata) or other non-public
 * addresses, checked both when an endpoint is saved and at every connection (`safeLookup`), so a DNS
 * name that later resolves to an internal address (DNS rebinding) is refused too.
 */

const blocked = new net.BlockList();
for (const [net4, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net4, bits, "ipv4");
for (const [net6, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) blocked.addSubnet(net6, bits, "ipv6");

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

export class TargetError extends Error {}

/** Checks the URL's form (pure). Returns the parsed URL. */
export function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetError(`${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TargetError(`only http and https URLs are allowed, not ${url.protocol.replace(":", "")}`);
  if (url.username || url.password) throw new TargetError("the URL must not contain credentials");
  return url;
}

/** Checks form and, unless private targets are allowed, every address the host resolves to. */
export async function validateTarget(text: string, allowPrivate: boolean): Promise<URL> {
  const url = parseTarget(text);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw new TargetError(`cannot resolve ${host}`);
    }
  }
  const bad = addresses.filter(isPrivateAddress);
  if (bad.length > 0) throw new TargetError(`${host} resolves to a private or loopback address (${bad.join(", ")}); set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow it`);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses private addresses at connection time. */
export function safeLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "");
      const list = addresses as dns.LookupAddress[];
      const ok = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (ok.length === 0) {
        const e: NodeJS.ErrnoException = new Error(`${hostname} resolves only to private or loopback addresses; refused`);
        e.code = "EPRIVATETARGET";
        return callback(e, "");
      }
      if (options.all) return callback(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}
