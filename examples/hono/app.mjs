// A Hono app guarded by `permiso/hono`: every request is authorized as the
// route Hono matched (route identity); 401/403/404 come back as JSON with the
// decision code. Runs on Workers, Deno, Bun and Node.
import { Hono } from "hono";
import { permiso } from "permiso/hono";

/**
 * @param {import("permiso").Policy} policy
 * @param {(found: import("permiso").Classification) => Promise<import("permiso").HostData>} lookup
 *   fetches the key record (by `found.credential.id`) and principals the request needs.
 * @param {(line: string) => void} [audit] where audit lines go (the console by default).
 */
export function createApp(policy, lookup, audit = (line) => console.log(line)) {
  const app = new Hono();
  // Every decision, allowed or denied, is one audit line.
  app.use("*", permiso(policy, lookup, { onDecision: (c, decision) => audit(JSON.stringify(decision.audit)) }));
  // The static route first: Hono prefers it anyway, and permiso authorizes it.
  app.get("/api/deployments/current", (c) => c.json({ current: "web", config: { replicas: 3 } }));
  app.get("/api/deployments/:deployment", (c) =>
    c.json({ deployment: c.req.param("deployment"), actor: c.get("permiso").principal }),
  );
  app.post("/api/projects/:project/endpoints/:name/run", (c) =>
    c.json({ ran: c.req.param("name"), audit: c.get("permiso").audit }),
  );
  app.put("/api/projects/:project/endpoints/:name", (c) => c.json({ configured: c.req.param("name") }));
  return app;
}
