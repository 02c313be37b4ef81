// Every conformance vector, and a few API checks, in Deno.
import * as permiso from "../pkg/deno.js";
import { cases, interopCases, loadInterop } from "./replay.mjs";

const dir = Deno.env.get("PERMISO_VECTORS") ?? new URL("../../tests/vectors/", import.meta.url).pathname;
const files = [...Deno.readDirSync(dir)]
  .filter((e) => e.name.endsWith(".json"))
  .map((e) => e.name)
  .sort()
  .map((name) => ({ name, doc: JSON.parse(Deno.readTextFileSync(`${dir}/${name}`)) }));
if (files.length === 0) throw new Error(`no vector files in ${dir}`);

for (const c of cases(permiso, files)) {
  Deno.test(c.id, () => c.check());
}

// The AuthZEN interop files (Todo, API gateway).
const published = Deno.env.get("PERMISO_AUTHZEN");
const interop = interopCases(permiso, loadInterop(
  (f) => Deno.readTextFileSync(new URL(`../../examples/authzen/${f}`, import.meta.url)),
  published && ((f) => Deno.readTextFileSync(`${published}/${f}`)),
));
if (interop.length !== 68) throw new Error(`expected 68 interop checks, got ${interop.length}`);
for (const c of interop) {
  Deno.test(c.id, () => c.check());
}

Deno.test("errors are PermisoError and the instance keeps working", () => {
  const policy = permiso.Policy.fromYAML(Deno.readTextFileSync(new URL("../../examples/policy.yaml", import.meta.url)));
  try {
    policy.authorizeRequest({ method: "GET", path: "/api/audit", headers: undefined }, {});
    throw new Error("no error");
  } catch (e) {
    if (!(e instanceof permiso.PermisoError) || e.code !== "invalid_argument") throw e;
  }
  const d = policy.authorize({ principal: { id: "user:1", roles: ["admin"] } }, "audit:read");
  if (!d.allowed) throw new Error("not allowed");
});
