// The public API: the generated bindings plus the one dispatch JS needs
// (an Identity instance or a plain identity record), and the error class.
import { Identity, Policy } from "./permiso.js";

export * from "./permiso.js";
export { PermisoError } from "__PERMISO_ERROR__";

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
