import type { Context, MiddlewareHandler } from "hono";
import type { Classification, Decision, HostData, Policy } from "./permiso.js";

/** A Hono route path in the policy's template syntax; `null` for an unnamed wildcard. */
export declare function policyTemplate(path: string): string | null;

/**
 * Hono middleware authorizing the route Hono matched (route identity).
 * Denials answer with the decision's status and `{code, message}`; an allowed
 * request finds the decision in `c.get("permiso")`. `onDecision` sees every
 * decision, allowed or denied: the place to write the audit line.
 */
export declare function permiso(
  policy: Policy,
  lookup: (found: Classification) => HostData | Promise<HostData>,
  options?: { onDecision?: (c: Context, decision: Decision) => void | Promise<void> },
): MiddlewareHandler<{ Variables: { permiso: Decision } }>;
