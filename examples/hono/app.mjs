// Hono middleware: authorize every request with permiso; 401/403/404 come
// back as JSON with the decision code. Runs on Workers, Deno, Bun and Node.
import { Hono } from "hono";

/**
 * @param {import("permiso").Policy} policy
 * @param {(found: import("permiso").Classification) => Promise<import("permiso").HostData>} lookup
 *   fetches the key record (by `found.credential.id`) and principals the request needs.
 */
export function permiso(policy, lookup) {
  return async (c, next) => {
    const found = policy.classify(c.req.raw);
    const decision = policy.authorizeRequest(c.req.raw, await lookup(found));
    if (!decision.allowed) {
      return c.json({ code: decision.code, message: decision.message }, decision.status);
    }
    c.set("decision", decision);
    await next();
  };
}

export function createApp(policy, lookup) {
  const app = new Hono();
  app.use("*", permiso(policy, lookup));
  app.get("/api/deployments/:deployment", (c) =>
    c.json({ deployment: c.req.param("deployment"), actor: c.get("decision").principal }),
  );
  app.post("/api/projects/:project/endpoints/:name/run", (c) =>
    c.json({ ran: c.req.param("name"), audit: c.get("decision").audit }),
  );
  app.put("/api/projects/:project/endpoints/:name", (c) => c.json({ configured: c.req.param("name") }));
  return app;
}
