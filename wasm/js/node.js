// Node: the module is compiled synchronously at import; checks are synchronous.
import { readFileSync } from "node:fs";
import { initSync, ready } from "./api.js";

initSync({ module: readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });
ready();

export * from "./api.js";
