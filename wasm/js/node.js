// Node: the module is compiled synchronously at import; checks are synchronous.
import { readFileSync } from "node:fs";
import { initSync } from "./api.js";

initSync({ module: readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });

export * from "./api.js";
