// Deno (needs --allow-read for the package directory).
import { initSync } from "./permiso.js";
import { ready } from "./api.js";

initSync({ module: Deno.readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });
ready();

export * from "./public.js";

/** Ready at import here; resolves at once, so code written for browsers runs unchanged. */
export async function init() {}
