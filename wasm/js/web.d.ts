export * from "./permiso.js";
export { default as init } from "./permiso.js";
