import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "./config";

const opts = { cwd: "/srv/bridge", isTty: false };

describe("loadConfig", () => {
  it("defaults to the embedded database under ./data, port 8080 on 127.0.0.1, JSON logs off a terminal", () => {
    const c = loadConfig({}, opts);
    expect(c).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      database: { kind: "embedded", dataDir: path.resolve("/srv/bridge/data"), sharedBuffersKb: 16 * 1024 },
      baseUrl: undefined,
      log: { level: "info", format: "json" },
      bodyLimitBytes: 1024 * 1024,
      envTokens: { scim: undefined, admin: undefined },
      trustProxy: false,
    });
    expect(loadConfig({}, { ...opts, isTty: true }).log.format).toBe("pretty");
  });

  it("selects PostgreSQL with DATABASE_URL and reads every other variable", () => {
    const c = loadConfig(
      {
        PORT: "9000",
        HOST: "0.0.0.0",
        DATABASE_URL: "postgresql://u:p@db:5432/bridge",
        DATA_DIR: "/var/lib/bridge",
        BASE_URL: "https://scim.example.com/",
        LOG_LEVEL: "debug",
        LOG_FORMAT: "pretty",
        BODY_LIMIT: "512kb",
        IMPORT_BODY_LIMIT: "20mb",
        RECONCILE_MAX_SUSPEND_SHARE: "0.25",
        BRIDGE_SCIM_TOKEN: "s".repeat(32),
        BRIDGE_ADMIN_TOKEN: "a".repeat(32),
      },
      opts,
    );
    expect(c).toMatchObject({
      port: 9000,
      host: "0.0.0.0",
      database: { kind: "postgres", url: "postgresql://u:p@db:5432/bridge" },
      dataDir: "/var/lib/bridge",
      baseUrl: "https://scim.example.com",
      log: { level: "debug", format: "pretty" },
      bodyLimitBytes: 512 * 1024,
      importBodyLimitBytes: 20 * 1024 * 1024,
      maxSuspendShare: 0.25,
      envTokens: { scim: "s".repeat(32), admin: "a".repeat(32) },
    });
  });

  it("reads the CLI's client-mode defaults, SCIM_BRIDGE_URL and SCIM_BRIDGE_TOKEN, and refuses a URL that is not http(s)", () => {
    expect(loadConfig({}, opts).client).toEqual({ url: undefined, token: undefined });
    expect(loadConfig({ SCIM_BRIDGE_URL: "http://127.0.0.1:8080", SCIM_BRIDGE_TOKEN: "t".repeat(32) }, opts).client).toEqual({ url: "http://127.0.0.1:8080", token: "t".repeat(32) });
    expect(() => loadConfig({ SCIM_BRIDGE_URL: "127.0.0.1:8080" }, opts)).toThrow(/SCIM_BRIDGE_URL must be the bridge's http\(s\) URL/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", BRIDGE_SCIM_TOKEN: " " }, opts).database.kind).toBe("embedded");
  });

  it("names every problem and says what to fix", () => {
    let error: unknown;
    try {
      loadConfig(
        { PORT: "http", DATABASE_URL: "mysql://x", LOG_FORMAT: "xml", BODY_LIMIT: "lots", BRIDGE_SCIM_TOKEN: "short", BASE_URL: "scim.example.com" },
        opts,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "PORT: PORT must be a number",
        "DATABASE_URL: DATABASE_URL must start with postgresql:// (leave it unset for the embedded database)",
        "LOG_FORMAT: LOG_FORMAT must be json or pretty",
        "BODY_LIMIT: BODY_LIMIT must be a size such as 1048576, 512kb or 2mb",
        expect.stringMatching(/^BRIDGE_SCIM_TOKEN: BRIDGE_SCIM_TOKEN must be at least 24 characters/),
        "BASE_URL: BASE_URL must be an absolute http(s) URL such as https://scim.example.com",
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it("reads the embedded database's shared_buffers in PostgreSQL's units, from 1MB to 1GB", () => {
    const kb = (v: string) => {
      const d = loadConfig({ EMBEDDED_SHARED_BUFFERS: v }, opts).database;
      return d.kind === "embedded" ? d.sharedBuffersKb : undefined;
    };
    expect(kb("128MB")).toBe(128 * 1024);
    expect(kb("2048kB")).toBe(2048);
    expect(kb("1GB")).toBe(1024 * 1024);
    for (const bad of ["16", "512kB", "2GB", "lots"]) {
      expect(() => loadConfig({ EMBEDDED_SHARED_BUFFERS: bad }, opts)).toThrow(/EMBEDDED_SHARED_BUFFERS must be a size from 1MB to 1GB, such as 16MB or 128MB/);
    }
  });

  it("defaults the import limits and refuses a share outside 0–1", () => {
    expect(loadConfig({}, opts)).toMatchObject({ importBodyLimitBytes: 100 * 1024 * 1024, maxSuspendShare: 0.1 });
    expect(() => loadConfig({ RECONCILE_MAX_SUSPEND_SHARE: "10" }, opts)).toThrow(/RECONCILE_MAX_SUSPEND_SHARE must be between 0 and 1/);
    expect(() => loadConfig({ RECONCILE_MAX_SUSPEND_SHARE: "many" }, opts)).toThrow(/RECONCILE_MAX_SUSPEND_SHARE must be a number between 0 and 1/);
  });

  it("keeps reconciliation runs 90 days by default, RUN_RETENTION otherwise, at least an hour", () => {
    expect(loadConfig({}, opts).runRetentionMs).toBe(90 * 86_400_000);
    expect(loadConfig({ RUN_RETENTION: "720h" }, opts).runRetentionMs).toBe(720 * 3_600_000);
    expect(() => loadConfig({ RUN_RETENTION: "10m" }, opts)).toThrow(/RUN_RETENTION must be a duration of at least an hour/);
  });

  it("reads the webhook settings and the encryption key, with defaults", () => {
    expect(loadConfig({}, opts)).toMatchObject({
      encryptionKey: undefined,
      webhooks: { allowPrivateTargets: false, timeoutMs: 10_000, retryScheduleMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000], pollIntervalMs: 1000, retentionMs: 30 * 86_400_000 },
    });
    const c = loadConfig(
      { BRIDGE_ENCRYPTION_KEY: "ab".repeat(32), WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_TIMEOUT: "2500ms", WEBHOOK_RETRY_SCHEDULE: "1s, 2s", WEBHOOK_POLL_INTERVAL: "0.5s" },
      opts,
    );
    expect(c.encryptionKey).toEqual(Buffer.alloc(32, 0xab));
    expect(c.webhooks).toEqual({ allowPrivateTargets: true, timeoutMs: 2500, retryScheduleMs: [1000, 2000], pollIntervalMs: 500, retentionMs: 30 * 86_400_000 });
    expect(() => loadConfig({ BRIDGE_ENCRYPTION_KEY: "short" }, opts)).toThrow(/BRIDGE_ENCRYPTION_KEY must be 32 bytes/);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: "5s,soon" }, opts)).toThrow(/WEBHOOK_RETRY_SCHEDULE must be comma-separated durations/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "yes" }, opts)).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false/);
  });

  it("reads the rate limit per token, or none", () => {
    expect(loadConfig({}, opts).rateLimit).toEqual({ limit: 100, perMs: 1000 });
    expect(loadConfig({ RATE_LIMIT: "3000/m" }, opts).rateLimit).toEqual({ limit: 3000, perMs: 60_000 });
    expect(loadConfig({ RATE_LIMIT: "off" }, opts).rateLimit).toBeUndefined();
    expect(() => loadConfig({ RATE_LIMIT: "fast" }, opts)).toThrow(/RATE_LIMIT must be requests per second, minute or hour/);
    expect(() => loadConfig({ RATE_LIMIT: "0/s" }, opts)).toThrow(/RATE_LIMIT/);
  });

  it("reads the sign-in limit per client address: 10 a minute by default, or none", () => {
    expect(loadConfig({}, opts).signInRateLimit).toEqual({ limit: 10, perMs: 60_000 });
    expect(loadConfig({ SIGN_IN_RATE_LIMIT: "30/h" }, opts).signInRateLimit).toEqual({ limit: 30, perMs: 3_600_000 });
    expect(loadConfig({ SIGN_IN_RATE_LIMIT: "off" }, opts).signInRateLimit).toBeUndefined();
    expect(() => loadConfig({ SIGN_IN_RATE_LIMIT: "lots" }, opts)).toThrow(/SIGN_IN_RATE_LIMIT must be sign-in attempts per second, minute or hour/);
  });

  it("caches verified tokens 10 seconds by default, TOKEN_CACHE_TTL otherwise, at most 5 minutes, 0 for never", () => {
    expect(loadConfig({}, opts).tokenCacheTtlMs).toBe(10_000);
    expect(loadConfig({ TOKEN_CACHE_TTL: "30s" }, opts).tokenCacheTtlMs).toBe(30_000);
    expect(loadConfig({ TOKEN_CACHE_TTL: "0" }, opts).tokenCacheTtlMs).toBe(0);
    expect(() => loadConfig({ TOKEN_CACHE_TTL: "1h" }, opts)).toThrow(/TOKEN_CACHE_TTL must be a duration of at most 5m/);
    expect(() => loadConfig({ TOKEN_CACHE_TTL: "soon" }, opts)).toThrow(/TOKEN_CACHE_TTL/);
  });

  it("ends browser sessions after 12 hours or 30 minutes idle by default, SESSION_MAX_AGE and SESSION_IDLE_TIMEOUT otherwise", () => {
    expect(loadConfig({}, opts).sessions).toEqual({ maxAgeMs: 12 * 3_600_000, idleTimeoutMs: 30 * 60_000 });
    expect(loadConfig({ SESSION_MAX_AGE: "8h", SESSION_IDLE_TIMEOUT: "1h" }, opts).sessions).toEqual({ maxAgeMs: 8 * 3_600_000, idleTimeoutMs: 3_600_000 });
    expect(() => loadConfig({ SESSION_MAX_AGE: "10s" }, opts)).toThrow(/SESSION_MAX_AGE must be a duration of at least a minute/);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT: "soon" }, opts)).toThrow(/SESSION_IDLE_TIMEOUT must be a duration/);
  });

  it("limits Bulk requests to 1,000 operations and 10 MiB by default, BULK_MAX_OPERATIONS and BULK_MAX_PAYLOAD otherwise", () => {
    expect(loadConfig({}, opts).bulk).toEqual({ maxOperations: 1000, maxPayloadBytes: 10 * 1024 * 1024 });
    expect(loadConfig({ BULK_MAX_OPERATIONS: "250", BULK_MAX_PAYLOAD: "2mb" }, opts).bulk).toEqual({ maxOperations: 250, maxPayloadBytes: 2 * 1024 * 1024 });
    for (const bad of ["0", "1.5", "many", "100001"]) expect(() => loadConfig({ BULK_MAX_OPERATIONS: bad }, opts)).toThrow(/BULK_MAX_OPERATIONS must be/);
    for (const bad of ["lots", "100", "1gb"]) expect(() => loadConfig({ BULK_MAX_PAYLOAD: bad }, opts)).toThrow(/BULK_MAX_PAYLOAD must be a size of at least 1kb/);
  });

  it("trusts no proxy by default; TRUST_PROXY takes true, a hop count, or addresses, CIDR ranges and Express's named ranges", () => {
    const trust = (v: string) => loadConfig({ TRUST_PROXY: v }, opts).trustProxy;
    expect(trust("")).toBe(false);
    expect(trust("false")).toBe(false);
    expect(trust("true")).toBe(true);
    expect(trust("2")).toBe(2);
    expect(trust("loopback")).toEqual(["loopback"]);
    expect(trust(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1,uniquelocal,linklocal")).toEqual(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "uniquelocal", "linklocal"]);
    for (const bad of ["yes", "10.0.0.0/33", "10.0.0", "0x7f.0.0.1", "proxy.example.com", "loopback,", "-1", "1.5", "10.0.0.1/8/8"]) {
      expect(() => trust(bad)).toThrow(/TRUST_PROXY must be false, true, a number of proxy hops/);
    }
  });

  describe("*_FILE variables", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-config-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, content: string) => {
      fs.writeFileSync(path.join(dir, name), content, { mode: 0o600 });
      return path.join(dir, name);
    };
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig(env, { ...opts, cwd: dir });
      } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
      }
      throw new Error("loadConfig accepted the environment");
    };

    it("reads the tokens, the encryption key and DATABASE_URL from files, without the trailing newline", () => {
      const c = loadConfig(
        {
          BRIDGE_SCIM_TOKEN_FILE: write("scim", `${"s".repeat(32)}\n`),
          BRIDGE_ADMIN_TOKEN_FILE: write("admin", `${"a".repeat(32)}\r\n`),
          BRIDGE_ENCRYPTION_KEY_FILE: write("key", "ab".repeat(32)),
          // Relative to the working directory.
          DATABASE_URL_FILE: (write("db", "postgresql://bridge:p%40ss@db:5432/bridge\n"), "db"),
        },
        { ...opts, cwd: dir },
      );
      expect(c).toMatchObject({
        envTokens: { scim: "s".repeat(32), admin: "a".repeat(32) },
        encryptionKey: Buffer.alloc(32, 0xab),
        database: { kind: "postgres", url: "postgresql://bridge:p%40ss@db:5432/bridge" },
      });
    });

    it("refuses a variable set both ways, and a file that can't be read, naming the path and never the content", () => {
      const secret = "t".repeat(32);
      const problems = problemsOf({
        BRIDGE_SCIM_TOKEN: secret,
        BRIDGE_SCIM_TOKEN_FILE: write("scim", secret),
        BRIDGE_ADMIN_TOKEN_FILE: path.join(dir, "missing"),
        DATABASE_URL_FILE: dir,
      });
      expect(problems).toEqual([
        "BRIDGE_SCIM_TOKEN_FILE: set either BRIDGE_SCIM_TOKEN or BRIDGE_SCIM_TOKEN_FILE, not both",
        `BRIDGE_ADMIN_TOKEN_FILE: cannot read ${path.join(dir, "missing")}: no such file`,
        `DATABASE_URL_FILE: cannot read ${dir}: it is not a regular file`,
      ]);
      expect(problems.join("\n")).not.toContain(secret);
      expect(problemsOf({ BRIDGE_ENCRYPTION_KEY_FILE: write("big", "x".repeat(70_000)) })).toEqual([
        `BRIDGE_ENCRYPTION_KEY_FILE: cannot read ${path.join(dir, "big")}: it is larger than 64 KiB`,
      ]);
    });

    it("validates a value read from a file as the variable, reported under the _FILE variable", () => {
      expect(problemsOf({ BRIDGE_SCIM_TOKEN_FILE: write("scim", "short\n"), DATABASE_URL_FILE: write("db", "mysql://x") })).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^BRIDGE_SCIM_TOKEN_FILE: BRIDGE_SCIM_TOKEN must be at least 24 characters/),
          "DATABASE_URL_FILE: DATABASE_URL must start with postgresql:// (leave it unset for the embedded database)",
        ]),
      );
      // An empty file is an unset variable, as an empty variable is.
      expect(loadConfig({ DATABASE_URL_FILE: write("empty", "\n") }, { ...opts, cwd: dir }).database.kind).toBe("embedded");
    });

    it("ignores an empty _FILE variable and leaves other variables alone", () => {
      expect(loadConfig({ BRIDGE_SCIM_TOKEN: "s".repeat(32), BRIDGE_SCIM_TOKEN_FILE: "" }, opts).envTokens.scim).toBe("s".repeat(32));
      expect(() => loadConfig({ PORT_FILE: "/nonexistent" }, opts)).not.toThrow();
    });
  });

  it("refuses a port out of range", () => {
    expect(() => loadConfig({ PORT: "70000" }, opts)).toThrow(/PORT must be between 0 and 65535/);
  });

  it("reads a bare duration as milliseconds, with a warning showing both unit forms; sizes in bytes need no unit", () => {
    const c = loadConfig({ WEBHOOK_TIMEOUT: "10", WEBHOOK_RETRY_SCHEDULE: "5s,300,1h", TOKEN_CACHE_TTL: "0", BODY_LIMIT: "1048576" }, opts);
    expect(c.webhooks.timeoutMs).toBe(10);
    expect(c.webhooks.retryScheduleMs).toEqual([5000, 300, 3_600_000]);
    expect(c.bodyLimitBytes).toBe(1048576);
    expect(c.warnings).toEqual([
      "WEBHOOK_TIMEOUT=10 has no unit and is read as milliseconds: write WEBHOOK_TIMEOUT=10ms to keep that, or WEBHOOK_TIMEOUT=10s if seconds were meant",
      "WEBHOOK_RETRY_SCHEDULE=5s,300,1h has no unit and is read as milliseconds: write WEBHOOK_RETRY_SCHEDULE=5s,300ms,1h to keep that, or WEBHOOK_RETRY_SCHEDULE=5s,300s,1h if seconds were meant",
    ]);
    expect(loadConfig({ WEBHOOK_TIMEOUT: "10s", RUN_RETENTION: "90d", TOKEN_CACHE_TTL: "0" }, opts).warnings).toEqual([]);
  });

  it("says what is wrong in one line, however many problems there are", () => {
    expect(() => loadConfig({ BRIDGE_ENCRYPTION_KEY: "short" }, opts)).toThrow(
      new ConfigError(["BRIDGE_ENCRYPTION_KEY: BRIDGE_ENCRYPTION_KEY must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits"]),
    );
    let message = "";
    try {
      loadConfig({ BRIDGE_ENCRYPTION_KEY: "short", PORT: "http" }, opts);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("invalid configuration: PORT must be a number; BRIDGE_ENCRYPTION_KEY must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits");
  });
});
