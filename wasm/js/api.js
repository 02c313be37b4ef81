// The public API: the generated bindings, the one error class, and the one
// dispatch JS needs (an Identity instance or a plain identity record).
import { __setErrorFactory, Identity, Policy } from "./permiso.js";

export * from "./permiso.js";

export class PermisoError extends Error {
  constructor(message, code, extra) {
    super(message);
    this.name = "PermisoError";
    this.code = code;
    if (extra) Object.assign(this, extra);
  }
}

/** Called by each entry module once the wasm module is instantiated. */
export function ready() {
  __setErrorFactory((message, code, extra) => new PermisoError(message, code, extra));
}

Policy.prototype.authorize = function authorize(identity, action, resource, tenant, now) {
  return identity instanceof Identity
    ? this.authorizeIdentity(identity, action, resource, tenant, now)
    : this.authorizeRecord(identity, action, resource, tenant, now);
};

Policy.prototype.delegate = function delegate(kind, identity, request, key, now) {
  return identity instanceof Identity
    ? this.delegateIdentity(kind, identity, request, key, now)
    : this.delegateRecord(kind, identity, request, key, now);
};
