import { NodeFS } from "@electric-sql/pglite/nodefs";
import { NOT_OWNER } from "./private-dir";

// Apart from private-dir.ts so that a bridge on PostgreSQL never loads PGlite (its memory, issue 15).

/** The calls of Emscripten's FS API (emscripten.org, "File System API") that set modes. */
interface ModeSettingFs {
  chmod(path: unknown, mode: number, dontFollow?: boolean): unknown;
  fchmod(fd: number, mode: number): unknown;
  mkdir(path: string, mode?: number): unknown;
}

type EmscriptenOpts = Parameters<NodeFS["init"]>[1];
type PostgresModule = Parameters<NonNullable<EmscriptenOpts["preRun"]>[number]>[0];

/**
 * PGlite's Node file system, with owner-only modes. Emscripten's FS knows no umask: `open` with
 * O_CREAT ends in an explicit `chmod` to the mode asked for (0666 for PGlite's unpacked initial
 * database, 0644 for files PostgreSQL writes with fopen), and an explicit chmod ignores the process
 * umask. Every mode Emscripten sets is masked here, so files are at most 0600 and directories 0700.
 */
export class PrivateNodeFS extends NodeFS {
  override async init(pg: Parameters<NodeFS["init"]>[0], opts: EmscriptenOpts): ReturnType<NodeFS["init"]> {
    const { emscriptenOpts } = await super.init(pg, opts);
    const privateModes = (mod: PostgresModule): void => {
      const fsApi = mod.FS as unknown as ModeSettingFs;
      const { chmod, fchmod, mkdir } = fsApi;
      fsApi.chmod = (path, mode, dontFollow) => chmod.call(fsApi, path, mode & ~NOT_OWNER, dontFollow);
      fsApi.fchmod = (fd, mode) => fchmod.call(fsApi, fd, mode & ~NOT_OWNER);
      fsApi.mkdir = (path, mode = 0o777) => mkdir.call(fsApi, path, mode & ~NOT_OWNER);
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), privateModes] } };
  }
}
