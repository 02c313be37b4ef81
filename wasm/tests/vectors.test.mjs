// Every conformance vector through the npm package in Node.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import * as permiso from "permiso";

import { cases, interopCases, loadInterop } from "./replay.mjs";

const dir = process.env.PERMISO_VECTORS ?? new URL("../../tests/vectors/", import.meta.url).pathname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((name) => ({ name, doc: JSON.parse(readFileSync(join(dir, name), "utf8")) }));
assert.ok(files.length > 0, `no vector files in ${dir}`);

for (const c of cases(permiso, files)) {
  test(c.id, () => c.check());
}

// The AuthZEN interop files (Todo, API gateway): 68 checks.
const example = (f) => readFileSync(new URL(`../../examples/authzen/${f}`, import.meta.url), "utf8");
const published = process.env.PERMISO_AUTHZEN;
const interop = interopCases(permiso, loadInterop(example, published && ((f) => readFileSync(join(published, f), "utf8"))));
assert.equal(interop.length, 68);
for (const c of interop) {
  test(c.id, () => c.check());
}
