"use strict";
// Memory figures of the bridge process (issue 15), read from /proc/<pid>/status once it is idle:
// - first start: a new database (embedded: initdb and migrations; PostgreSQL: an empty database
//   migrated), RSS when idle and the process's peak (VmHWM);
// - restart: the same database reopened, idle RSS (the target: ≤ 250 MB embedded, ≤ 120 MB PostgreSQL);
// - 100k users: that many seeded in SQL (bench/lib.js seedUsers; over HTTP it takes ~20 min here), the
//   bridge restarted, a few requests served (a filtered GET, a GET by id, a full page of users), then
//   idle RSS again: at most 150 MB over the restart figure.
// "Idle" is IDLE_MS after /readyz answers (after the requests, for the last figure). Bounded: three
// starts per engine and one seeding, about a minute per engine here.
const fs = require("node:fs");

const IDLE_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (peak RSS) of a process, in MiB. */
function procMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kb("VmRSS") / 1024), peakMiB: Math.round(kb("VmHWM") / 1024) };
}

/**
 * `run(target, fn)` starts the bridge on `target` and calls fn(url, pid) once it is ready; `seed(target,
 * n)` adds n users in SQL; `token` is the bridge's SCIM token.
 */
async function measureMemory({ target, run, seed, token, users = 100000 }) {
  const idle = (url, pid, before = async () => {}) =>
    (async () => {
      await before(url);
      await sleep(IDLE_MS);
      return procMemory(pid);
    })();
  const firstStart = await run(target, (url, pid) => idle(url, pid));
  const restart = await run(target, (url, pid) => idle(url, pid));
  await seed(target, users);
  const h = { authorization: `Bearer ${token}` };
  const served = await run(target, (url, pid) =>
    idle(url, pid, async () => {
      const filter = encodeURIComponent(`userName eq "seed${Math.floor(users / 2)}@corp.example"`);
      const hit = await (await fetch(`${url}/scim/v2/Users?filter=${filter}`, { headers: h })).json();
      const id = hit.Resources?.[0]?.id;
      if (!id) throw new Error("memory: the seeded user was not found");
      const byId = await fetch(`${url}/scim/v2/Users/${id}`, { headers: h });
      if (byId.status !== 200) throw new Error(`memory: GET /Users/{id} answered ${byId.status}`);
      await (await fetch(`${url}/scim/v2/Users?startIndex=1&count=200`, { headers: h })).text();
    }),
  );
  return {
    idleMs: IDLE_MS,
    firstStart,
    restart,
    users,
    afterUsers: { ...served, overRestartMiB: served.rssMiB - restart.rssMiB },
  };
}

module.exports = { measureMemory, procMemory };
