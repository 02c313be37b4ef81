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
        return policy.verifyJWT(c.token, { revokedSessions: c.revoked_sessions, kind: c.kind, now }).toJSON();
      case "authorize":
        return policy.authorize(c.identity, c.action, c.resource, c.tenant, now);
      case "authorize_request":
        return policy.authorizeRequest(c.request, {
          keys: c.keys, principals: c.principals, revokedKeys: c.revoked_keys,
          revokedSessions: c.revoked_sessions, pepper: c.pepper, now,
        });
      default:
        throw new Error(`unsupported op ${c.op}`);
    }
  } catch (e) {
    return refused(e, PermisoError);
  }
}

/** Every case of every file as `{ id, check() }`; `check` throws on a mismatch. */
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
          matches(c.expect, run(permiso, p, c.now ?? doc.now, c));
        },
      });
    });
  }
  return out;
}
