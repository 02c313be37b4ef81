// Browsers and bundlers: `await init()` once, then every check is synchronous.
export { default as init } from "./permiso.js";
export * from "./api.js";
