import winston from "winston";
import type { LogLevel } from "../config/config";

export type Logger = winston.Logger;

/**
 * Keys whose values are never logged, whatever the caller passes (defence in depth: callers should
 * not pass secrets in the first place).
 */
const SECRET_KEYS = /^(authorization|coder-session-token|token|secret|password|cookie|x-api-key)$/i;

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key)) info[key] = "[redacted]";
  }
  return info;
});

/** JSON lines in production, coloured single lines in a terminal. */
export function createLogger(opts: {
  level: LogLevel;
  format: "json" | "pretty";
  /** Defaults to stderr-free stdout console; tests pass a stream to capture output. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}): Logger {
  const format =
    opts.format === "json"
      ? winston.format.combine(redact(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          redact(),
          winston.format.timestamp({ format: "HH:mm:ss.SSS" }),
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
            return `${String(timestamp)} ${level} ${String(message)}${extra}`;
          }),
        );
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console();
  return winston.createLogger({ level: opts.level, format, transports: [transport], silent: opts.silent ?? false });
}
