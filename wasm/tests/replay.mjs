// Replays conformance vectors through the npm package's API. Runtime-neutral:
// Node, Deno and the workerd test worker all import it.

const SET_KEYS = new Set(["scopes", "missing", "roles"]);

export function matches(expect, actual, path = "expect") {
  if (expect !== null && typeof expect === "object" && !Array.isArray(expect)) {
    if (actual === null || typeof actual !== "object") throw new Error(`${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expect)) {
      if (!(key in actual)) throw new Error(`${path}.${key} is missing from ${JSON.stringify(actual)}`);
      if (SET_KEYS.has(key) && Array.isArray(value) && Array.isArray(actual[key])) {
        const a = value.map((v) => JSON.stringify(v)).sort();
        const b = actual[key].map((v) => JSON.stringify(v)).sort();
        if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${path}.${key}: expected the set ${JSON.stringify(value)}, got ${JSON.stringify(actual[key])}`);
      } else {
        matches(value, actual[key], `${path}.${key}`);
      }
    }
    return;
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(actual) || actual.length !== expect.length) throw new Error(`${path}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(actual)}`);
    expect.forEach((e, i) => matches(e, actual[i], `${path}[${i}]`));
    return;
  }
  if (expect !== actual) throw new Error(`${path}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(actual)}`);
}

function refused(e, PermisoError) {
  if (!(e instanceof PermisoError)) throw e;
  const out = { ok: false, allowed: false, code: e.code, message: e.message };
  if (e.detail !== undefined) Object.assign(out, { detail: e.detail, path: e.path });
  return out;
}

function base64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

// The delegate op: resolve the delegating identity, sign with the case's HMAC
// key, then verify what was issued at `then`.
function delegate(permiso, policy, now, c) {
  const principals = new Map((c.principals ?? []).map((p) => [p.id, p]));
  let identity;
  if (c.from.identity) {
    identity = policy.identity(c.from.identity);
  } else if (c.from.token) {
    const parent = policy.verifyJWT(c.from.token, { now });
    identity = parent.identity(principals.get(parent.principal) ?? null);
  } else {
    identity = policy.verifyKey(c.from.key, c.from.record, { now }).identity(principals.get(c.from.record.owner) ?? null);
  }
  const key = permiso.SigningKey.hmac(c.signing.alg, base64url(c.signing.secret), c.signing.kid);
  const token = policy.delegate(c.kind, identity, { actor: c.actor, scopes: c.scopes ?? [], audience: c.audience, lifetime: c.lifetime ?? 0 }, key, now);
  const then = c.then ?? {};
  let verified;
  try {
    verified = policy.verifyJWT(token, { revokedSessions: then.revoked_sessions, revokedKeys: then.revoked_keys, now: then.now ?? now }).toJSON();
  } catch (e) {
    verified = refused(e, permiso.PermisoError);
  }
  const expires = verified.expires_at;
  return { ok: true, code: "allowed", lifetime: expires == null ? null : expires - now, verified };
}

// The authzen op: one request, or with `then` the next page of a search
// (the second request carries the first response's token).
function authzen(policy, now, c) {
  const host = { principals: c.principals, resources: c.resources, now };
  const first = policy.authzen(c.api, c.request, host);
  if (!c.then) return first;
  const request = structuredClone(c.then.request);
  if (request.page) request.page.token = first.page?.next_token ?? null;
  return policy.authzen(c.then.api ?? c.api, request, host);
}

// The same check through a resolved Identity (whose decision, with a resource
// id, makes its record only when read) gives the same decision as through the
// record: the properties read before the record, then every field but the id.
function sameDecision(expected, decision) {
  const want = expected.toJSON();
  const early = { allowed: decision.allowed, ok: decision.ok, code: decision.code, status: decision.status };
  matches({ allowed: want.allowed, ok: want.ok, code: want.code, status: want.status }, early, "identity decision");
  const got = decision.toJSON();
  for (const record of [want, got]) delete record.audit.decision_id;
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`through an Identity: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

const tokenOptions = (c, now) => ({ revokedSessions: c.revoked_sessions, kind: c.kind, now });

/**
 * A verify_jwt case through `verifyJWTAsync`, whose signature check is the
 * runtime's own crypto (WebCrypto, Node's crypto module): it must agree with
 * the core's on every token.
 */
async function verifyAsync(permiso, policy, now, c) {
  try {
    return (await policy.verifyJWTAsync(c.token, tokenOptions(c, now))).toJSON();
  } catch (e) {
    return refused(e, permiso.PermisoError);
  }
}

export function run(permiso, policy, now, c) {
  const { Policy, PermisoError, hashKey } = permiso;
  try {
    switch (c.op) {
      case "load_policy":
        return { ok: true, hash: Policy.fromObject(c.policy).hash };
      case "parse_key":
        return { ok: true, ...policy.parseKey(c.key) };
      case "hash_key":
        return { ok: true, hash: hashKey(c.key, c.pepper) };
      case "verify_key": {
        const v = policy.verifyKey(c.key, c.record, { pepper: c.pepper, revokedKeys: c.revoked_keys, now });
        return { ok: true, principal: v.principal, kind: v.kind, id: v.id, mask: v.mask, scopes: v.scopes ?? null, credential: { kind: v.kind, id: v.id } };
      }
      case "verify_jwt":
        return policy.verifyJWT(c.token, tokenOptions(c, now)).toJSON();
      case "authorize": {
        const resource = c.attributes ? { id: c.resource, attributes: c.attributes } : c.resource;
        const decision = policy.authorize(c.identity, c.action, resource, c.tenant, now);
        sameDecision(decision, policy.authorize(policy.identity(c.identity), c.action, resource, c.tenant, now));
        return decision;
      }
      case "authzen":
        return authzen(policy, now, c);
      case "classify":
        return policy.classify(c.request);
      case "authorize_request":
        return policy.authorizeRequest(c.request, {
          keys: c.keys, principals: c.principals, resources: c.resources, revokedKeys: c.revoked_keys,
          revokedSessions: c.revoked_sessions, pepper: c.pepper, now,
        });
      case "authorize_route":
        return policy.authorizeRoute({ ...c.route, headers: c.headers ?? {} }, {
          keys: c.keys, principals: c.principals, resources: c.resources, revokedKeys: c.revoked_keys,
          revokedSessions: c.revoked_sessions, pepper: c.pepper, now,
        });
      case "rotate_key": {
        const r = policy.rotateKey(c.record, {
          grace: c.grace ?? 0, scopes: c.scopes, expiresAt: c.expires_at, pepper: c.pepper,
          revokedKeys: c.revoked_keys, now,
        });
        return { ok: true, code: "allowed", new: r.key.record, old: r.old };
      }
      case "delegate":
        return delegate(permiso, policy, now, c);
      default:
        throw new Error(`unsupported op ${c.op}`);
    }
  } catch (e) {
    return refused(e, PermisoError);
  }
}

/**
 * Every case of every file as `{ id, check() }`; `check` throws on a
 * mismatch, or returns a promise (a token checked again asynchronously)
 * that rejects on one.
 */
export function cases(permiso, files) {
  const out = [];
  for (const { name, doc } of files) {
    let policy;
    let policyError;
    if (doc.policy) {
      try { policy = permiso.Policy.fromObject(doc.policy); } catch (e) { policyError = e; }
    }
    if (!doc.cases?.length) throw new Error(`${name} has no cases`);
    doc.cases.forEach((c, i) => {
      out.push({
        id: `${name}::${i}::${c.name}`,
        check() {
          let p = policy;
          if (c.op !== "load_policy" && c.policy) p = permiso.Policy.fromObject(c.policy);
          else if (c.op !== "load_policy" && policyError) throw new Error(`the vector's policy is invalid: ${policyError.message}`);
          const now = c.now ?? doc.now;
          matches(c.expect, run(permiso, p, now, c));
          if (c.op === "verify_jwt") return verifyAsync(permiso, p, now, c).then((got) => matches(c.expect, got));
        },
      });
    });
  }
  return out;
}

/** The scenarios of `examples/authzen`: each interop file with its policy and host data. */
export const INTEROP = [
  { name: "todo", policy: "todo-policy.yaml", host: "todo-host.json", decisions: "todo-decisions-1_0-02.json" },
  { name: "gateway", policy: "gateway-policy.yaml", host: "gateway-host.json", decisions: "gateway-decisions.json" },
];

/**
 * Loads INTEROP: `read(path)` returns the text of a file of examples/authzen,
 * `readDecisions(name)` that of a decision file (from `PERMISO_AUTHZEN` when
 * the caller's runtime has it set, else examples/authzen/interop).
 */
export function loadInterop(read, readDecisions = (name) => read(`interop/${name}`)) {
  return INTEROP.map((s) => ({
    name: s.name, policy: read(s.policy), host: JSON.parse(read(s.host)), decisions: JSON.parse(readDecisions(s.decisions)),
  }));
}

/** One case per decision of the AuthZEN interop files. */
export function interopCases(permiso, scenarios) {
  const out = [];
  for (const { name, policy: text, host, decisions } of scenarios) {
    const policy = permiso.Policy.fromYAML(text);
    (decisions.evaluation ?? []).forEach((e, i) => out.push({
      id: `authzen ${name} evaluation[${i}]`,
      check() {
        const got = policy.accessEvaluation(e.request, host).decision;
        if (got !== e.expected) throw new Error(`expected ${e.expected}, got ${got}`);
      },
    }));
    (decisions.evaluations ?? []).forEach((e, i) => out.push({
      id: `authzen ${name} evaluations[${i}]`,
      check() {
        const got = policy.accessEvaluations(e.request, host).evaluations.map((r) => ({ decision: r.decision }));
        matches(e.expected, got);
      },
    }));
  }
  return out;
}
