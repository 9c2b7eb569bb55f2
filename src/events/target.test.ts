import { classifyAddress, parseTarget, safeLookup, TargetError, validateTarget } from "./target";

/**
 * Every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries (as of 2025), with at least
 * one address from each, plus multicast, the deprecated site-local block and the IPv6 forms that embed
 * an IPv4 address. The expected text is what the refusal must name.
 */
const REFUSED_V4: [string, RegExp][] = [
  ["0.0.0.0", /this network.*0\.0\.0\.0\/8/], // RFC 791 "this host on this network"
  ["0.1.2.3", /this network/],
  ["10.1.2.3", /private-use.*10\.0\.0\.0\/8/], // RFC 1918
  ["100.64.0.1", /shared address space.*100\.64\.0\.0\/10/], // RFC 6598
  ["100.127.255.254", /shared address space/],
  ["127.0.0.1", /loopback.*127\.0\.0\.0\/8/], // RFC 1122
  ["127.255.255.254", /loopback/],
  ["169.254.169.254", /link-local.*169\.254\.0\.0\/16/], // RFC 3927, cloud metadata
  ["172.16.0.1", /private-use.*172\.16\.0\.0\/12/],
  ["172.31.255.254", /private-use/],
  ["192.0.0.1", /192\.0\.0\.0\/24/], // IETF protocol assignments, RFC 6890
  ["192.0.0.8", /192\.0\.0\.0\/24/], // IPv4 dummy address, RFC 7600
  ["192.0.0.9", /192\.0\.0\.0\/24/], // PCP anycast, RFC 7723
  ["192.0.0.10", /192\.0\.0\.0\/24/], // TURN anycast, RFC 8155
  ["192.0.0.170", /192\.0\.0\.0\/24/], // NAT64/DNS64 discovery, RFC 8880
  ["192.0.2.1", /192\.0\.2\.0\/24/], // TEST-NET-1, RFC 5737
  ["192.31.196.1", /AS112.*192\.31\.196\.0\/24/], // RFC 7535
  ["192.52.193.1", /AMT.*192\.52\.193\.0\/24/], // RFC 7450
  ["192.88.99.1", /192\.88\.99\.0\/24/], // deprecated 6to4 relay anycast, RFC 7526
  ["192.88.99.2", /192\.88\.99\.0\/24/], // 6a44 relay anycast, RFC 6751
  ["192.168.1.1", /private-use.*192\.168\.0\.0\/16/],
  ["192.175.48.1", /AS112.*192\.175\.48\.0\/24/], // RFC 7534
  ["198.18.0.1", /198\.18\.0\.0\/15/], // benchmarking, RFC 2544
  ["198.19.255.254", /198\.18\.0\.0\/15/],
  ["198.51.100.1", /198\.51\.100\.0\/24/], // TEST-NET-2
  ["203.0.113.1", /203\.0\.113\.0\/24/], // TEST-NET-3
  ["224.0.0.1", /multicast.*224\.0\.0\.0\/4/], // RFC 5771
  ["239.255.255.250", /multicast/],
  ["240.0.0.1", /240\.0\.0\.0\/4/], // reserved, RFC 1112
  ["255.255.255.254", /240\.0\.0\.0\/4/],
  ["255.255.255.255", /limited broadcast.*255\.255\.255\.255\/32/], // RFC 919
];

const REFUSED_V6: [string, RegExp][] = [
  ["::", /unspecified.*::\/128/],
  ["::1", /loopback.*::1\/128/],
  ["::ffff:127.0.0.1", /IPv4-mapped embedding 127\.0\.0\.1, which is loopback/],
  ["::ffff:7f00:1", /IPv4-mapped embedding 127\.0\.0\.1, which is loopback/],
  ["::ffff:a00:1", /IPv4-mapped embedding 10\.0\.0\.1, which is private-use/],
  ["::ffff:a9fe:a9fe", /IPv4-mapped embedding 169\.254\.169\.254, which is link-local/],
  ["::127.0.0.1", /IPv4-compatible.*embedding 127\.0\.0\.1, which is loopback/], // deprecated, RFC 4291 §2.5.5.1
  ["::7f00:1", /IPv4-compatible.*embedding 127\.0\.0\.1, which is loopback/],
  ["::8.8.8.8", /deprecated IPv4-compatible/],
  ["::ffff:0:7f00:1", /SIIT.*embedding 127\.0\.0\.1, which is loopback/], // RFC 6145
  ["::ffff:0:808:808", /SIIT.*not globally reachable/],
  ["64:ff9b::7f00:1", /NAT64 embedding 127\.0\.0\.1, which is loopback/], // RFC 6052
  ["64:ff9b::10.1.2.3", /NAT64 embedding 10\.1\.2\.3, which is private-use/],
  ["64:ff9b::c000:201", /NAT64 embedding 192\.0\.2\.1/],
  ["64:ff9b:1::7f00:1", /local-use NAT64.*embedding 127\.0\.0\.1, which is loopback/], // RFC 8215
  ["64:ff9b:1::808:808", /local-use NAT64.*64:ff9b:1::\/48.*not globally reachable/],
  ["100::1", /discard-only.*100::\/64/], // RFC 6666
  ["100:0:0:1::1", /outside 2000::\/3/], // dummy prefix, RFC 9780
  ["2001::1", /Teredo embedding 255\.255\.255\.254/], // RFC 4380: the client is the inverted last 32 bits
  ["2001:0:4136:e378:8000:63bf:80ff:fffe", /Teredo embedding 127\.0\.0\.1, which is loopback/],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", /Teredo embedding 192\.0\.2\.45/],
  ["2001:0:4136:e378:8000:63bf:f5ff:fffe", /Teredo embedding 10\.0\.0\.1, which is private-use/],
  ["2001:1::1", /2001::\/23/], // PCP anycast, RFC 7723
  ["2001:1::2", /2001::\/23/], // TURN anycast, RFC 8155
  ["2001:1::3", /2001::\/23/], // DNS-SD SRP anycast, RFC 9665
  ["2001:2::1", /benchmarking.*2001:2::\/48/], // RFC 5180
  ["2001:3::1", /AMT.*2001:3::\/32/], // RFC 7450
  ["2001:4:112::1", /AS112.*2001:4:112::\/48/], // RFC 7535
  ["2001:10::1", /ORCHID.*2001:10::\/28/], // RFC 4843
  ["2001:20::1", /ORCHIDv2.*2001:20::\/28/], // RFC 7343
  ["2001:30::1", /drone.*2001:30::\/28/], // RFC 9374
  ["2001:db8::1", /2001:db8::\/32/], // documentation, RFC 3849
  ["2002:7f00:1::", /6to4 embedding 127\.0\.0\.1, which is loopback/], // RFC 3056
  ["2002:c0a8:101::1", /6to4 embedding 192\.168\.1\.1, which is private-use/],
  ["2620:4f:8000::1", /AS112.*2620:4f:8000::\/48/], // RFC 7534
  ["3fff::1", /3fff::\/20/], // documentation, RFC 9637
  ["5f00::1", /segment routing.*5f00::\/16/], // RFC 9602
  ["fc00::1", /unique local.*fc00::\/7/], // RFC 4193
  ["fd12:3456::1", /unique local/],
  ["fe80::1", /link-local.*fe80::\/10/],
  ["febf::1", /link-local/],
  ["fe80::1%eth0", /link-local/],
  ["fec0::1", /site-local.*fec0::\/10/], // deprecated, RFC 3879
  ["ff02::1", /multicast.*ff00::\/8/],
  ["ff0e::1", /multicast/],
  ["2001:4860:1::5efe:7f00:1", /ISATAP embedding 127\.0\.0\.1, which is loopback/], // RFC 5214
  ["2001:4860:1::200:5efe:a00:1", /ISATAP embedding 10\.0\.0\.1/],
  ["4000::1", /outside 2000::\/3/],
  ["e000::1", /outside 2000::\/3/],
];

const ALLOWED = [
  "8.8.8.8", "1.1.1.1", "9.9.9.9", "172.32.0.1", "100.128.0.1", "192.0.1.1", "192.88.98.1", "198.20.0.1", "223.255.255.254", "11.0.0.1",
  "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:81c::200e",
  // Embedded global IPv4 addresses are judged as those addresses.
  "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2001:4860:1::200:5efe:808:808",
];

describe("the webhook address policy", () => {
  it.each(REFUSED_V4)("refuses the IPv4 address %s, naming its range", (address, reason) => {
    const verdict = classifyAddress(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? "" : verdict.reason).toMatch(new RegExp(`^${address.replace(/\./g, "\\.")} is .*${reason.source}`));
  });

  it.each(REFUSED_V6)("refuses the IPv6 address %s, naming its range", (address, reason) => {
    const verdict = classifyAddress(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? "" : verdict.reason).toMatch(reason);
  });

  it.each(ALLOWED)("allows the globally routable unicast address %s", (address) => {
    expect(classifyAddress(address)).toEqual({ allowed: true });
  });

  it("refuses what is not an IP address at all", () => {
    expect(classifyAddress("example.com")).toMatchObject({ allowed: false, reason: expect.stringMatching(/not an IP address/) });
  });
});

describe("webhook targets", () => {
  it.each([
    ["ftp://example.com/x", /only http and https/],
    ["https://user:pw@example.com/", /credentials/],
    ["not a url", /is not a URL/],
    // WHATWG URL refuses zone ids in IPv6 literals: a zone would pick the interface a link-local address goes out of.
    ["http://[fe80::1%25eth0]/", /is not a URL/],
  ])("refuses %s", (url, message) => {
    expect(() => parseTarget(url)).toThrow(TargetError);
    expect(() => parseTarget(url)).toThrow(message);
  });

  it("refuses loopback and private literals unless allowed, naming the range", async () => {
    await expect(validateTarget("http://127.0.0.1:9000/hook", false)).rejects.toThrow(/refused: 127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\).*WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    await expect(validateTarget("http://[::1]/hook", false)).rejects.toThrow(/refused: ::1 is loopback/);
    await expect(validateTarget("http://localhost/hook", false)).rejects.toThrow(/refused: localhost resolves to a non-public address: (127\.0\.0\.1|::1) is loopback/);
    expect((await validateTarget("http://127.0.0.1:9000/hook", true)).port).toBe("9000");
    expect((await validateTarget("https://8.8.8.8/hook", false)).hostname).toBe("8.8.8.8");
    expect((await validateTarget("https://[2606:4700:4700::1111]/hook", false)).hostname).toBe("[2606:4700:4700::1111]");
  });

  it.each([
    ["http://[::127.0.0.1]/", /::7f00:1 is a deprecated IPv4-compatible address .*embedding 127\.0\.0\.1, which is loopback/],
    ["http://[64:ff9b::127.0.0.1]/", /64:ff9b::7f00:1 is NAT64 embedding 127\.0\.0\.1, which is loopback/],
    ["http://[2002:7f00:1::]/", /2002:7f00:1:: is 6to4 embedding 127\.0\.0\.1, which is loopback/],
    ["http://[::ffff:0:7f00:1]/", /::ffff:0:7f00:1 is SIIT .*embedding 127\.0\.0\.1, which is loopback/],
    ["http://[fec0::1]/", /fec0::1 is deprecated site-local/],
    // WHATWG URL normalises decimal, hexadecimal, octal and short IPv4 forms to dotted quads.
    ["http://2130706433/", /127\.0\.0\.1 is loopback/],
    ["http://0x7f000001/", /127\.0\.0\.1 is loopback/],
    ["http://0177.0.0.1/", /127\.0\.0\.1 is loopback/],
    ["http://0x7f.1/", /127\.0\.0\.1 is loopback/],
    ["http://127.1/", /127\.0\.0\.1 is loopback/],
    ["http://127.0.0.1./", /127\.0\.0\.1 is loopback/],
    ["http://%31%32%37.0.0.1/", /127\.0\.0\.1 is loopback/],
    ["http://0/", /0\.0\.0\.0 is 'this network'/],
    ["http://[::ffff:a9fe:a9fe]/", /169\.254\.169\.254, which is link-local/],
  ])("refuses %s at save", async (url, reason) => {
    await expect(validateTarget(url, false)).rejects.toThrow(reason);
  });
});

describe("connect-time lookup", () => {
  const lookup = (host: string, allow: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => safeLookup(allow)(host, {}, (err, address) => resolve({ err, address })));

  it("refuses a name that resolves only to loopback (DNS rebinding), unless allowed", async () => {
    const refused = await lookup("localhost", false);
    expect(refused.err).toMatchObject({ code: "EPRIVATETARGET", message: expect.stringMatching(/^refused: localhost resolves to a non-public address: (127\.0\.0\.1|::1) is loopback/) });
    const allowed = await lookup("localhost", true);
    expect(allowed.err).toBeNull();
    expect(allowed.address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
