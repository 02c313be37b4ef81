// Browsers and bundlers: `await init()` once, then every check is synchronous.
// Calling anything before that throws a PermisoError (`not_initialized`).
import instantiate from "./permiso.js";
import { ready } from "./api.js";

let loading;

export function init(input) {
  loading ??= instantiate(input === undefined ? undefined : { module_or_path: input }).then(() => ready(), (e) => {
    loading = undefined; // a failed fetch may be retried
    throw e;
  });
  return loading;
}

export * from "./public.js";
