// `verifyJWTAsync` next to jose's `jwtVerify` inside workerd (the Workers
// runtime), every token new: both check the signature with workerd's
// WebCrypto. Each side runs n calls in one request; the time of a request
// with no call is subtracted, so the HTTP round trip does not count. The
// sides alternate, and each row is the median of the rounds.
//
//   node wasm/bench/workerd.mjs                   prints the ratios
//   node wasm/bench/workerd.mjs --json out.json   and writes them for bench/report.py
//   node wasm/bench/workerd.mjs --smoke           a few iterations (tests)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const jsonOut = args.includes("--json") ? resolve(args[args.indexOf("--json") + 1]) : null;
const wasmDir = new URL("../", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;
const read = (p) => readFileSync(join(root, p), "utf8");
const version = (name) => JSON.parse(readFileSync(join(wasmDir, "node_modules", name, "package.json"), "utf8")).version;

// The worker's modules: the npm package as workerd loads it, and jose's
// WebCrypto build file by file (workerd resolves their relative imports).
const dir = mkdtempSync(join(tmpdir(), "permiso-workerd-bench-"));
const modules = [];
const add = (name, file, type = "esModule") => {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  copyFileSync(file, join(dir, name));
  modules.push(`(name = "${name}", ${type} = embed "${name}")`);
};
add("permiso", join(wasmDir, "pkg/workerd.js"));
for (const f of ["api.js", "public.js", "permiso.js"]) add(f, join(wasmDir, "pkg", f));
add("permiso_bg.wasm", join(wasmDir, "pkg/permiso_bg.wasm"), "wasm");
const joseDir = join(wasmDir, "node_modules/jose/dist/webapi");
const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
for (const f of walk(joseDir).filter((f) => f.endsWith(".js"))) add(`jose/${relative(joseDir, f)}`, f);

const tokens = JSON.parse(read("tests/vectors/tokens.json"));
const cases = [["ES256", "ec256", "ec256.pem"], ["RS256", "rsa", "rsa.pem"], ["EdDSA", "ed", "ed25519.pem"]];
const data = { policy: tokens.policy, cases: cases.map(([alg, kid, file]) => ({ alg, kid, pem: read(`tools/vectors/keys/${file}`) })) };
writeFileSync(join(dir, "data.json"), JSON.stringify(data));
modules.push(`(name = "data.json", json = embed "data.json")`);
writeFileSync(join(dir, "worker.js"), `
import * as jose from "jose/index.js";
import { Policy, SigningKey } from "permiso";
import data from "data.json";

const policy = Policy.fromObject(data.policy);
const jwks = Object.fromEntries(data.policy.credentials.session.jwks.keys.map((k) => [k.kid, k]));
const setups = new Map();
async function setup(alg) {
  if (!setups.has(alg)) {
    // (read in a request: outside one, workerd's clock reads the epoch)
    const now = Math.floor(Date.now() / 1000);
    const { kid, pem } = data.cases.find((c) => c.alg === alg);
    const signing = SigningKey.fromPEM(alg, pem, kid);
    const session = { subject: "alice", scopes: ["deployments:read"], roles: ["viewer"], lifetime: 600 };
    const options = { issuer: "https://id.example.com", audience: "admin-api", algorithms: [alg], clockTolerance: 30 };
    setups.set(alg, {
      token: policy.issueSession("session", session, signing, now),
      key: await jose.importJWK({ ...jwks[kid], alg }, alg),
      options,
    });
  }
  return setups.get(alg);
}
const outcome = (promise) => promise.then((v) => v.payload?.sub ?? v.principal, (e) => "refused");

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const { token, key, options } = await setup(url.searchParams.get("alg"));
    // Each side reads its own clock, as a service does: jose is given no
    // currentDate, permiso no now.
    if (url.pathname === "/check") {
      // Both sides accept the token as alice's and refuse it forged.
      const forged = token.slice(0, -3) + (token.endsWith("AAA") ? "BBB" : "AAA");
      return Response.json({
        jose: [await outcome(jose.jwtVerify(token, key, options)), await outcome(jose.jwtVerify(forged, key, options))],
        permiso: [await outcome(policy.verifyJWTAsync(token)), await outcome(policy.verifyJWTAsync(forged))],
      });
    }
    const n = Number(url.searchParams.get("n"));
    if (url.searchParams.get("side") === "jose") {
      for (let i = 0; i < n; i++) await jose.jwtVerify(token, key, options);
    } else {
      for (let i = 0; i < n; i++) (await policy.verifyJWTAsync(token)).free();
    }
    return new Response("ok");
  },
};
`);
modules.push(`(name = "worker.js", esModule = embed "worker.js")`);

const port = await new Promise((done) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => done(port));
  });
});
writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "bench", worker = .bench) ],
  sockets = [ (name = "bench", address = "127.0.0.1:${port}", http = (), service = "bench") ],
);
const bench :Workerd.Worker = (modules = [ ${modules.reverse().join(",\n    ")} ], compatibilityDate = "2025-09-01");
`);
let logs = "";
const proc = spawn(join(wasmDir, "node_modules/.bin/workerd"), ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
proc.stdout.on("data", (d) => (logs += d));
proc.stderr.on("data", (d) => (logs += d));
const base = `http://127.0.0.1:${port}`;

try {
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await fetch(`${base}/check?alg=ES256`).then((r) => r.ok, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(up, `workerd did not start:\n${logs}`);
  const ms = async (query) => {
    const start = process.hrtime.bigint();
    const r = await fetch(`${base}/run?${query}`);
    assert.equal(await r.text(), "ok", logs);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const n = smoke ? 10 : 2000;
  const rounds = smoke ? 1 : 7;
  const rows = [];
  for (const [alg] of cases) {
    const checked = await (await fetch(`${base}/check?alg=${alg}`)).json();
    assert.deepEqual(checked.jose, ["alice", "refused"], alg);
    assert.deepEqual(checked.permiso, ["user:alice", "refused"], alg);
    const per = { jose: [], permiso: [] };
    for (let round = 0; round <= rounds; round++) {
      for (const side of ["jose", "permiso"]) {
        const empty = await ms(`alg=${alg}&side=${side}&n=0`);
        const full = await ms(`alg=${alg}&side=${side}&n=${n}`);
        if (round > 0) per[side].push(((full - empty) * 1e6) / n); // round 0 warms up
      }
    }
    const [ours, theirs] = [median(per.permiso), median(per.jose)];
    rows.push({ table: "jwt", kind: "async", runtime: "workerd", what: `JWT verify ${alg} in workerd, \`verifyJWTAsync\` (WebCrypto signature, core rules)`,
      permiso_s: ours / 1e9, peer: "jose `jwtVerify` (WebCrypto)", peer_s: theirs / 1e9 });
    console.log(`workerd ${alg}: permiso ${(ours / 1000).toFixed(1)} us, jose ${(theirs / 1000).toFixed(1)} us, ratio ${(theirs / ours).toFixed(2)}x`);
  }
  if (jsonOut) {
    mkdirSync(dirname(jsonOut), { recursive: true });
    writeFileSync(jsonOut, JSON.stringify({ rows, versions: { jose: version("jose"), workerd: version("workerd") }, smoke }, null, 1));
  }
} finally {
  proc.kill();
  rmSync(dir, { recursive: true, force: true });
}
