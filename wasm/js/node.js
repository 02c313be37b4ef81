// Node: the module is compiled synchronously at import; checks are synchronous.
import { readFileSync } from "node:fs";
import { initSync } from "./permiso.js";
import { ready } from "./api.js";

initSync({ module: readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });
ready();

export * from "./public.js";

/** Ready at import here; resolves at once, so code written for browsers runs unchanged. */
export async function init() {}
