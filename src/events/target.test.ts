import { isPrivateAddress, parseTarget, safeLookup, TargetError, validateTarget } from "./target";

describe("webhook targets", () => {
  it.each([
    ["127.0.0.1", true], ["10.1.2.3", true], ["172.20.0.1", true], ["192.168.1.1", true], ["169.254.169.254", true],
    ["100.64.0.1", true], ["0.0.0.0", true], ["::1", true], ["fd00::1", true], ["fe80::1", true], ["::ffff:127.0.0.1", true],
    ["8.8.8.8", false], ["2606:4700:4700::1111", false], ["172.32.0.1", false], ["::ffff:8.8.8.8", false],
  ])("%s is private: %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it.each([
    ["ftp://example.com/x", /only http and https/],
    ["https://user:pw@example.com/", /credentials/],
    ["not a url", /is not a URL/],
  ])("refuses %s", (url, message) => {
    expect(() => parseTarget(url)).toThrow(TargetError);
    expect(() => parseTarget(url)).toThrow(message);
  });

  it("refuses loopback and private literals unless allowed", async () => {
    await expect(validateTarget("http://127.0.0.1:9000/hook", false)).rejects.toThrow(/private or loopback address \(127\.0\.0\.1\).*WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    await expect(validateTarget("http://[::1]/hook", false)).rejects.toThrow(/private or loopback/);
    await expect(validateTarget("http://localhost/hook", false)).rejects.toThrow(/private or loopback/);
    expect((await validateTarget("http://127.0.0.1:9000/hook", true)).port).toBe("9000");
    expect((await validateTarget("https://8.8.8.8/hook", false)).hostname).toBe("8.8.8.8");
  });
});

describe("connect-time lookup", () => {
  const lookup = (host: string, allow: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => safeLookup(allow)(host, {}, (err, address) => resolve({ err, address })));

  it("refuses a name that resolves only to loopback (DNS rebinding), unless allowed", async () => {
    const refused = await lookup("localhost", false);
    expect(refused.err).toMatchObject({ code: "EPRIVATETARGET", message: expect.stringMatching(/resolves only to private or loopback addresses/) });
    const allowed = await lookup("localhost", true);
    expect(allowed.err).toBeNull();
    expect(allowed.address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
