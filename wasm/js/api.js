// What the entries share: the one error class, the readiness check, and
// the one dispatch JS needs (an Identity instance or a plain identity
// record). The public names are listed in public.js; wasm-bindgen's own
// plumbing (`initSync`, the default export, the error factory) stays inside.
import {
  __setErrorFactory,
  Decision,
  Identity,
  JwksRefresh as BoundJwksRefresh,
  Policy,
  SigningKey,
  codeStatuses,
  codes as boundCodes,
  hashKey as boundHashKey,
  operations as boundOperations,
  version as boundVersion,
} from "./permiso.js";

export class PermisoError extends Error {
  constructor(message, code, extra) {
    super(message);
    this.name = "PermisoError";
    this.code = code;
    if (extra) Object.assign(this, extra);
  }
}

let initialised = false;

/**
 * Called by each entry module once the wasm module is instantiated, with
 * the runtime's signature check when it has a faster one than WebCrypto.
 */
export function ready(signatures = webCrypto) {
  platform = signatures;
  __setErrorFactory((message, code, extra) => new PermisoError(message, code, extra));
  initialised = true;
}

// Before `init()` (browsers and bundlers) every way in refuses with a
// PermisoError that says what to do, instead of a TypeError from deep in
// the bindings. The ways in are the static factories, the module functions
// and `new JwksRefresh`; everything else is reached through their results.
function whenReady() {
  if (!initialised) {
    throw new PermisoError(
      "permiso is not initialised: call `await init()` once before using it (the browser entry fetches the .wasm there)",
      "not_initialized",
    );
  }
}

for (const bound of [Policy, SigningKey]) {
  for (const name of Object.getOwnPropertyNames(bound)) {
    const method = bound[name];
    if (typeof method !== "function" || name.startsWith("__")) continue;
    bound[name] = {
      [name](...args) {
        whenReady();
        return method.apply(this, args);
      },
    }[name];
  }
}

function checked(fn) {
  return {
    [fn.name](...args) {
      whenReady();
      return fn(...args);
    },
  }[fn.name];
}

export const codes = checked(boundCodes);
export const hashKey = checked(boundHashKey);
export const operations = checked(boundOperations);
export const version = checked(boundVersion);

export class JwksRefresh extends BoundJwksRefresh {
  constructor(...args) {
    whenReady();
    super(...args);
  }
}

// Node's console shows a decision as its record rather than its handle.
Decision.prototype[Symbol.for("nodejs.util.inspect.custom")] = function inspect() {
  return this.toJSON();
};

// `authorize` with an Identity and a resource id (the hot path: one identity
// per request, many checks) answers from one evaluation and hands back a
// decision whose `allowed`, `code` and `status` are read at once; its record
// (message, missing, audit, id, ...) is made by the core from the same
// arguments and time when first read. Like the core's decision, it borrows
// the identity: read the record before freeing the Identity. Records (an
// identity record or a resource record, which the caller may change
// afterwards) get their whole decision at once.
let codeTable;

class DeferredDecision extends Decision {
  #args;
  #index;
  #decision;
  #freed = false;

  constructor(policy, identity, action, resource, tenant, answer) {
    super();
    codeTable ??= { names: boundCodes(), statuses: codeStatuses() };
    const time = Math.floor(answer / 256);
    this.#index = answer - time * 256;
    this.#args = [policy, identity, action, resource, tenant, time];
  }
  get allowed() {
    return codeTable.names[this.#index] === "allowed";
  }
  get ok() {
    return this.allowed;
  }
  get code() {
    return codeTable.names[this.#index];
  }
  get status() {
    return codeTable.statuses[this.#index];
  }
  free() {
    this.#decision?.free();
    this.#decision = undefined;
    this.#args = undefined;
    this.#freed = true;
  }
  /** The core's decision for these arguments, made once. */
  #made() {
    if (this.#decision) return this.#decision;
    if (this.#freed) throw new PermisoError("this decision was freed", "invalid_argument");
    const [policy, identity, ...rest] = this.#args;
    if (policy.__wbg_ptr === 0 || identity.__wbg_ptr === 0) {
      throw new PermisoError(
        "the Policy or Identity this decision was made for was freed: read a decision's record before freeing them",
        "invalid_argument",
      );
    }
    this.#decision = policy.authorizeIdentity(identity, ...rest);
    this.#args = undefined;
    return this.#decision;
  }
  static {
    if (Symbol.dispose) this.prototype[Symbol.dispose] = this.prototype.free;
    // Every other property and method of a decision reads the made decision.
    for (const name of Object.getOwnPropertyNames(Decision.prototype)) {
      if (Object.hasOwn(this.prototype, name) || name.startsWith("__")) continue;
      const { get, value } = Object.getOwnPropertyDescriptor(Decision.prototype, name);
      if (get) {
        Object.defineProperty(this.prototype, name, {
          get() {
            return get.call(this.#made());
          },
          configurable: true,
        });
      } else if (typeof value === "function") {
        Object.defineProperty(this.prototype, name, {
          value(...args) {
            return value.apply(this.#made(), args);
          },
          writable: true,
          configurable: true,
        });
      }
    }
  }
}

Policy.prototype.authorize = function authorize(identity, action, resource, tenant, now) {
  if (!(identity instanceof Identity)) return this.authorizeRecord(identity, action, resource, tenant, now);
  if (resource != null && typeof resource !== "string") {
    return this.authorizeIdentity(identity, action, resource, tenant, now);
  }
  const answer = this.decideIdentity(identity, action, resource, tenant, now);
  return new DeferredDecision(this, identity, action, resource, tenant, answer);
};

// The AuthZEN APIs by name; each is one `authzen` call.
for (const [name, api] of [
  ["accessEvaluation", "evaluation"],
  ["accessEvaluations", "evaluations"],
  ["searchSubjects", "search/subject"],
  ["searchResources", "search/resource"],
  ["searchActions", "search/action"],
]) {
  Policy.prototype[name] = function (request, hostData) {
    return this.authzen(api, request, hostData);
  };
}

Policy.prototype.delegate = function delegate(kind, identity, request, key, now) {
  return identity instanceof Identity
    ? this.delegateIdentity(kind, identity, request, key, now)
    : this.delegateRecord(kind, identity, request, key, now);
};

// verifyJWTAsync: the core applies every rule; only the signature of
// public-key tokens is checked by the runtime's own crypto: WebCrypto, or
// what the entry module hands to `ready` (Node's crypto module).
const WEBCRYPTO = {
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS384: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS512: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" }, { name: "RSASSA-PKCS1-v1_5" }],
  PS256: [{ name: "RSA-PSS", hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
  PS384: [{ name: "RSA-PSS", hash: "SHA-384" }, { name: "RSA-PSS", saltLength: 48 }],
  PS512: [{ name: "RSA-PSS", hash: "SHA-512" }, { name: "RSA-PSS", saltLength: 64 }],
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  ES384: [{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
};

/**
 * A runtime's signature check: `importKey(jwk, algorithm)` resolves to a key
 * (rejects when the runtime lacks the algorithm: the core then checks the
 * signature itself), `verify(key, algorithm, signature, data)` to a boolean.
 */
export const webCrypto = {
  supports: (algorithm) => Boolean(globalThis.crypto?.subtle && WEBCRYPTO[algorithm]),
  importKey: (jwk, algorithm) =>
    crypto.subtle.importKey("jwk", { ...jwk, ext: true }, WEBCRYPTO[algorithm][0], false, ["verify"]),
  verify: (key, algorithm, signature, data) => crypto.subtle.verify(WEBCRYPTO[algorithm][1], key, signature, data),
};
let platform = webCrypto;
const importedKeys = new Map();

async function platformVerdict(pending) {
  const algorithm = pending.algorithm;
  const thumbprint = pending.keyThumbprint;
  if (!thumbprint || !platform.supports(algorithm)) return undefined;
  // Imported keys are found by the key's RFC 7638 thumbprint.
  const cacheKey = `${algorithm} ${thumbprint}`;
  let key = importedKeys.get(cacheKey);
  if (!key) {
    try {
      key = await platform.importKey(pending.publicJwk, algorithm);
    } catch {
      return undefined; // the runtime lacks this algorithm: the core checks it
    }
    if (importedKeys.size >= 64) importedKeys.clear();
    importedKeys.set(cacheKey, key);
  }
  try {
    return await platform.verify(key, algorithm, pending.signature, pending.signingInput);
  } catch {
    return false;
  }
}

Policy.prototype.verifyJWTAsync = async function verifyJWTAsync(token, options) {
  const pending = this.beginJWT(token, options);
  const verdict = await platformVerdict(pending);
  return this.completeBegunJWT(pending, verdict);
};

// authorizeRequestAsync: authorizeRequest with the signature of the request's
// bearer token checked by WebCrypto; the core applies every other step.
Policy.prototype.authorizeRequestAsync = async function authorizeRequestAsync(request, hostData) {
  const pending = this.beginRequest(request);
  if (!pending) return this.authorizeRequest(request, hostData);
  const verdict = await platformVerdict(pending);
  return this.completeRequest(request, hostData, pending, verdict);
};

// authorizeRouteAsync: the same for a route the application's router matched.
Policy.prototype.authorizeRouteAsync = async function authorizeRouteAsync(route, hostData) {
  const pending = this.beginRequest(route);
  if (!pending) return this.authorizeRoute(route, hostData);
  const verdict = await platformVerdict(pending);
  return this.completeRoute(route, hostData, pending, verdict);
};
