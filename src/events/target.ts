import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Where webhooks may be sent. Only http(s) URLs without credentials; and unless the operator allows
 * private targets, only globally routable unicast addresses, checked both when an endpoint is saved
 * and at every connection (`safeLookup`), so a DNS name that later resolves to an internal address
 * (DNS rebinding) is refused too.
 *
 * The address policy (`classifyAddress`) classifies with ipaddr.js, whose `range()` names the blocks of
 * the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890) plus multicast and the deprecated
 * site-local fec0::/10 (RFC 3879). Everything but its `unicast` is refused, and IPv6 unicast only inside
 * 2000::/3, the one block IANA allocates for global unicast (RFC 4291 §2.4; this also refuses the dummy
 * prefix 100:0:0:1::/64 of RFC 9780 and ::/8 leftovers). IPv6 forms that carry an IPv4 address are
 * decoded and the IPv4 rules applied to it, since on networks that route them they reach that address:
 * IPv4-mapped ::ffff:0:0/96 (RFC 4291), NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16 (RFC 3056), Teredo
 * 2001::/32 (RFC 4380, the client address is the last 32 bits inverted) and ISATAP interface identifiers
 * (RFC 5214). Forms that are never globally reachable whatever they embed are refused outright, naming
 * the embedded address when it is itself refused: IPv4-compatible ::a.b.c.d (deprecated, RFC 4291
 * §2.5.5.1), SIIT ::ffff:0:0:0/96 (RFC 6145) and local-use NAT64 64:ff9b:1::/48 (RFC 8215). Not
 * detectable from the address alone: NAT64 network-specific prefixes and 6rd (RFC 5969) prefixes,
 * which are ordinary global unicast addresses of the operator's own network.
 */

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** How each ipaddr.js range reads in a refusal. */
const RANGE_NAMES: Record<string, string> = {
  // IPv4
  unspecified: "unspecified",
  broadcast: "limited broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "shared address space (carrier-grade NAT)",
  private: "private-use",
  reserved: "reserved for special use",
  as112: "AS112 DNS sink",
  amt: "AMT relay anycast",
  // IPv6
  uniqueLocal: "unique local",
  ipv4Mapped: "IPv4-mapped",
  deprecatedSiteLocal: "deprecated site-local",
  discard: "discard-only",
  rfc6145: "SIIT IPv4-translated",
  rfc6052: "NAT64",
  "6to4": "6to4",
  teredo: "Teredo",
  benchmarking: "benchmarking",
  as112v6: "AS112 DNS sink",
  deprecatedOrchid: "deprecated ORCHID",
  orchid2: "ORCHIDv2",
  droneRemoteIdProtocolEntityTags: "drone remote ID entity tags",
  segmentRouting: "segment routing SIDs",
};

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type SpecialRanges = Record<string, [Address, number] | [Address, number][]>;

/**
 * The block of `range` that holds `addr`, e.g. `198.51.100.0/24` for `reserved`, read from ipaddr.js's
 * own table so that the message names exactly what matched (undefined if that table ever moves).
 */
function matchedBlock(addr: Address, range: string): string | undefined {
  const table = (Object.getPrototypeOf(addr) as { SpecialRanges?: SpecialRanges }).SpecialRanges;
  const entry = table?.[range];
  if (!entry) return undefined;
  const blocks = (Array.isArray(entry[0]) ? entry : [entry]) as [Address, number][];
  const hit = blocks.find(([base, bits]) => base.kind() === addr.kind() && addr.match(base, bits));
  return hit ? `${hit[0].toString()}/${hit[1]}` : undefined;
}

function describeRange(addr: Address, range: string): string {
  const name = addr.kind() === "ipv4" && range === "unspecified" ? "'this network'" : (RANGE_NAMES[range] ?? range);
  const block = matchedBlock(addr, range);
  return block ? `${name} (${block})` : name;
}

/** Why an IPv4 address is refused, or undefined when it is globally routable unicast. */
function ipv4Problem(v4: ipaddr.IPv4): string | undefined {
  const range = v4.range();
  return range === "unicast" ? undefined : describeRange(v4, range);
}

function ipv4FromBits(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

interface Embedding {
  /** How the IPv6 form is named in a refusal. */
  kind: string;
  v4: ipaddr.IPv4;
  /** Set for forms refused whatever they embed: why. */
  neverGlobal?: string;
}

/** The IPv4 address an IPv6 address carries, and in which form; undefined if none. */
function embeddedIpv4(v6: ipaddr.IPv6, range: string): Embedding | undefined {
  const p = v6.parts;
  const last = ipv4FromBits(p[6]!, p[7]!);
  switch (range) {
    case "ipv4Mapped":
      return { kind: "IPv4-mapped", v4: last };
    case "rfc6145":
      return { kind: "SIIT IPv4-translated (::ffff:0:0:0/96)", v4: last, neverGlobal: "not globally reachable" };
    case "rfc6052":
      // 64:ff9b::/96 reaches the IPv4 internet; 64:ff9b:1::/48 is a network's own translator. Its
      // prefix may be any length up to /96: the /96 layout is decoded, the rest is refused anyway.
      return p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0
        ? { kind: "NAT64", v4: last }
        : { kind: "local-use NAT64 (64:ff9b:1::/48)", v4: last, neverGlobal: "not globally reachable" };
    case "6to4":
      return { kind: "6to4", v4: ipv4FromBits(p[1]!, p[2]!) };
    case "teredo":
      return { kind: "Teredo", v4: ipv4FromBits(~p[6]! & 0xffff, ~p[7]! & 0xffff) };
    case "unicast":
      // IPv4-compatible ::a.b.c.d (:: and ::1 are matched as unspecified and loopback before this).
      if (p.slice(0, 6).every((x) => x === 0)) {
        return { kind: "a deprecated IPv4-compatible address (::/96)", v4: last, neverGlobal: "not globally reachable" };
      }
      // ISATAP interface identifier [00|02]00:5efe:a.b.c.d (the u and g bits may be set).
      if ((p[4]! & 0xfcff) === 0 && p[5] === 0x5efe) return { kind: "ISATAP", v4: last };
      return undefined;
    default:
      return undefined;
  }
}

/**
 * An IPv6 address in WHATWG URL's serialisation (RFC 5952, no dotted quad), or undefined if it is none.
 * ipaddr.js reads `::a.b.c.d` as IPv4-mapped `::ffff:a.b.c.d`, while the network stack reads it as
 * IPv4-compatible `::a.b.c.d` (RFC 4291 §2.5.5.1); Node prints such addresses in that dotted form.
 * A zone id only picks the interface of a link-local address: it is left out.
 */
function canonicalIpv6(text: string): string | undefined {
  const bare = text.split("%")[0]!;
  if (!bare.includes(":")) return undefined;
  try {
    const host = new URL(`http://[${bare}]/`).hostname;
    return ipaddr.IPv6.isValid(host.slice(1, -1)) ? host.slice(1, -1) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The address policy, pure: whether a webhook may connect to `address` (an IPv4 or IPv6 address, an
 * IPv6 zone id allowed), and if not, a reason naming the range, such as
 * `2002:7f00:1:: is 6to4 embedding 127.0.0.1, which is loopback (127.0.0.0/8)`.
 */
export function classifyAddress(address: string): AddressVerdict {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
    const problem = ipv4Problem(ipaddr.IPv4.parse(address));
    return problem ? { allowed: false, reason: `${address} is ${problem}` } : { allowed: true };
  }
  const canonical = canonicalIpv6(address);
  if (canonical === undefined) return { allowed: false, reason: `${address} is not an IP address` };
  const v6 = ipaddr.IPv6.parse(canonical);
  const range = v6.range();
  const embedded = embeddedIpv4(v6, range);
  if (embedded) {
    const problem = ipv4Problem(embedded.v4);
    const v4 = embedded.v4.toString();
    if (problem) return { allowed: false, reason: `${address} is ${embedded.kind} embedding ${v4}, which is ${problem}` };
    if (embedded.neverGlobal) return { allowed: false, reason: `${address} is ${embedded.kind} embedding ${v4}, ${embedded.neverGlobal}` };
    // A global IPv4 address behind a translator or tunnel is judged as that address; ISATAP's prefix
    // is an ordinary IPv6 prefix, judged below.
    if (range !== "unicast") return { allowed: true };
  }
  if (range !== "unicast") return { allowed: false, reason: `${address} is ${describeRange(v6, range)}` };
  if ((v6.parts[0]! & 0xe000) !== 0x2000) {
    return { allowed: false, reason: `${address} is outside 2000::/3, the only IPv6 block allocated for global unicast` };
  }
  return { allowed: true };
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

/** The host of a parsed URL as an address or name (IPv6 literals without their brackets). */
export function targetHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

const ALLOW_HINT = "set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow non-public targets";

/**
 * Refusal of an IP literal host by the address policy, or undefined. WHATWG URL parsing has already
 * turned decimal, hexadecimal, octal and short IPv4 forms (`2130706433`, `0x7f.1`, `127.1`) into
 * dotted quads, and refused IPv6 zone ids, so the literal is judged as what a connection would use.
 */
export function literalRefusal(host: string): string | undefined {
  if (net.isIP(host) === 0) return undefined;
  const verdict = classifyAddress(host);
  return verdict.allowed ? undefined : `refused: ${verdict.reason}`;
}

/** Checks form and, unless private targets are allowed, every address the host resolves to. */
export async function validateTarget(text: string, allowPrivate: boolean): Promise<URL> {
  const url = parseTarget(text);
  if (allowPrivate) return url;
  const host = targetHost(url);
  if (net.isIP(host) !== 0) {
    const refused = literalRefusal(host);
    if (refused) throw new TargetError(`${refused}; ${ALLOW_HINT}`);
    return url;
  }
  let addresses: string[];
  try {
    addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new TargetError(`cannot resolve ${host}`);
  }
  // Every address must pass: a client may connect to any of them.
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.allowed) throw new TargetError(`refused: ${host} resolves to a non-public address: ${verdict.reason}; ${ALLOW_HINT}`);
  }
  return url;
}

/** The `code` of a connection error raised because the address policy refused every address. */
export const REFUSED_TARGET_CODE = "EPRIVATETARGET";

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that applies the address policy at connection time: only allowed
 * addresses are connected to, and a name with none fails with code EPRIVATETARGET and the reason.
 */
export function safeLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "");
      const list = addresses as dns.LookupAddress[];
      const verdicts = list.map((a) => ({ a, verdict: classifyAddress(a.address) }));
      const ok = allowPrivate ? list : verdicts.filter((v) => v.verdict.allowed).map((v) => v.a);
      if (ok.length === 0) {
        const first = verdicts.find((v) => !v.verdict.allowed)?.verdict;
        const reason = first && !first.allowed ? first.reason : "no addresses";
        const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} resolves to a non-public address: ${reason}`);
        e.code = REFUSED_TARGET_CODE;
        return callback(e, "");
      }
      if (options.all) return callback(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}
