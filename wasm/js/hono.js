// `permiso/hono`: Hono middleware that authorizes the route Hono matched.
//
// Route identity: the middleware asks Hono which route will handle the
// request and authorizes that route (its template and decoded parameters)
// with `policy.authorizeRouteAsync` (a bearer token's RS*, PS*, ES* or EdDSA
// signature checked by WebCrypto), so permiso and Hono never disagree about
// which handler runs (`/api/deployments/%63urrent` is the `current` route
// for both). Routes are written in Hono's syntax; `:name` is the policy's
// `{name}`, and a last `:name{.+}` (or `{.*}`) is the catch-all `{*name}`.
import { matchedRoutes } from "hono/route";

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)(\{(.*)\})?$/;

/**
 * A Hono route path in the policy's template syntax, or `null` when it has
 * an unnamed wildcard (`*`), which no policy route can name.
 */
export function policyTemplate(path) {
  const segments = path.split("/");
  const out = [];
  for (const [i, segment] of segments.entries()) {
    const m = PARAM.exec(segment);
    if (!m) {
      if (segment.includes("*")) return null;
      out.push(segment);
      continue;
    }
    const last = i === segments.length - 1;
    const rest = m[3] === ".+" || m[3] === ".*";
    out.push(last && rest ? `{*${m[1]}}` : `{${m[1]}}`);
  }
  return out.join("/");
}

// The route whose handler will answer: the first matched route after this
// middleware that is a handler (one argument) rather than a middleware
// (`(c, next)`), as Hono's own route helper tells them apart.
function handlerRoute(c) {
  const routes = matchedRoutes(c);
  for (let i = c.req.routeIndex + 1; i < routes.length; i++) {
    if (routes[i].handler.length < 2) return { index: i, route: routes[i] };
  }
  return null;
}

function paramsOf(c, index) {
  const saved = c.req.routeIndex;
  c.req.routeIndex = index;
  try {
    return c.req.param();
  } finally {
    c.req.routeIndex = saved;
  }
}

/**
 * Authorizes every request before its handler; answers a denial with the
 * decision's status (401 with `WWW-Authenticate: Bearer`, 403, or 404 when
 * the policy has no such route) and `{code, message}`; an allowed request
 * finds the decision in `c.get("permiso")`.
 *
 * @param {import("permiso").Policy} policy
 * @param {(found: import("permiso").Classification) => import("permiso").HostData | Promise<import("permiso").HostData>} lookup
 *   fetches what the request needs: the key record named by `found.credential.id`, the principals.
 * @param {{ onDecision?: (c: import("hono").Context, decision: import("permiso").Decision) => void | Promise<void> }} [options]
 *   `onDecision` sees every decision, allowed or denied, before the handler or the denial: write the audit line there.
 */
export function permiso(policy, lookup, options = {}) {
  const { onDecision } = options;
  return async (c, next) => {
    const found = handlerRoute(c);
    const template = found ? policyTemplate(found.route.path) ?? "" : "";
    const params = found ? paramsOf(c, found.index) : {};
    const host = await lookup(policy.classify(c.req.raw));
    const route = { method: c.req.method, template, params, headers: c.req.raw.headers };
    const decision = await policy.authorizeRouteAsync(route, host);
    if (onDecision) await onDecision(c, decision);
    if (!decision.allowed) {
      if (decision.status === 401) c.header("WWW-Authenticate", "Bearer");
      return c.json({ code: decision.code, message: decision.message }, decision.status);
    }
    c.set("permiso", decision);
    await next();
  };
}
