import ipaddr from "ipaddr.js";

/**
 * TRUST_PROXY: which hops may speak for the client through `X-Forwarded-For`, `X-Forwarded-Proto`
 * and `X-Forwarded-Host`. Anyone can send those headers; trusting them from a peer that isn't your
 * proxy lets a client choose its logged address, make the bridge believe it was reached over HTTPS,
 * and pick the host of the URLs the bridge writes (`Location`, `meta.location`). The value is Express's
 * `trust proxy` setting, validated here so a typo stops the bridge instead of trusting the wrong hops:
 *
 * - `false` (the default): no header is trusted; the client is the TCP peer.
 * - `true`: every hop is trusted (the left-most `X-Forwarded-For` is the client). Only when nothing but
 *   the proxy can reach the bridge.
 * - a hop count `n`: the n proxies nearest the bridge are trusted, whatever their addresses.
 * - a comma-separated list of addresses, CIDR ranges and the names `loopback` (127.0.0.0/8, ::1),
 *   `linklocal` and `uniquelocal` (10/8, 172.16/12, 192.168/16, fc00::/7): hops from those addresses
 *   are trusted, the first one from elsewhere is the client.
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = ["loopback", "linklocal", "uniquelocal"];

function isAddressOrRange(item: string): boolean {
  if (NAMED_RANGES.includes(item)) return true;
  // Only the spellings people write: four-part decimal IPv4 (not `10` or `0x7f.1`, which ipaddr.js also reads), IPv6.
  const [address, prefix, extra] = item.split("/");
  if (extra !== undefined || address === undefined) return false;
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return false;
  return prefix === undefined || ipaddr.isValidCIDR(item);
}

export const TRUST_PROXY_MESSAGE =
  "TRUST_PROXY must be false, true, a number of proxy hops (such as 1), or a comma-separated list of addresses, CIDR ranges and loopback, linklocal, uniquelocal (such as loopback or 10.0.0.0/8)";

/** The setting for `text` (already trimmed; empty means unset), or undefined when it is not valid. */
export function parseTrustProxy(text: string | undefined): TrustProxy | undefined {
  if (text === undefined || text === "" || text === "false") return false;
  if (text === "true") return true;
  if (/^\d{1,3}$/.test(text)) return Number(text);
  const items = text.split(",").map((s) => s.trim());
  return items.every(isAddressOrRange) ? items : undefined;
}
