// The one error class of the npm package. Thrown from Rust through makeError.
export class PermisoError extends Error {
  constructor(message, code, extra) {
    super(message);
    this.name = "PermisoError";
    this.code = code;
    if (extra) Object.assign(this, extra);
  }
}

export function makeError(message, code, extra) {
  return new PermisoError(message, code, extra);
}
