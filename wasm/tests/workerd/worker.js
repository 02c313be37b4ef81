// Test worker: replays the conformance vectors inside workerd and reports
// how long instantiating the module plus compiling the example policy takes.
import * as permiso from "permiso";
// The package's own instantiation, which it does not export: timed here.
import { initSync } from "permiso.js";
import { ready } from "api.js";
import wasm from "permiso_bg.wasm";
import policyText from "policy.yaml";

import { cases, interopCases } from "./replay.mjs";
import interop from "./interop.js";
import vectors from "./vectors.js";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/vectors") {
      const results = [];
      for (const c of [...cases(permiso, vectors), ...interopCases(permiso, interop)]) {
        try {
          await c.check();
          results.push({ id: c.id, ok: true });
        } catch (e) {
          results.push({ id: c.id, ok: false, error: String(e?.message ?? e) });
        }
      }
      return Response.json(results);
    }
    if (url.pathname === "/timing") {
      const rounds = 20;
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) {
        initSync({ module: wasm });
        ready();
        permiso.Policy.fromYAML(policyText);
      }
      const perRound = (performance.now() - t0) / rounds;
      return Response.json({ ms: perRound });
    }
    return new Response("not found", { status: 404 });
  },
};
