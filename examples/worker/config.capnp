# workerd config for the example Worker. After `bash wasm/build.sh`:
#   npx workerd serve examples/worker/config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "policy.yaml", text = embed "../policy.yaml"),
    (name = "permiso", esModule = embed "../../wasm/pkg/workerd.js"),
    (name = "api.js", esModule = embed "../../wasm/pkg/api.js"),
    (name = "public.js", esModule = embed "../../wasm/pkg/public.js"),
    (name = "permiso.js", esModule = embed "../../wasm/pkg/permiso.js"),
    (name = "permiso_bg.wasm", wasm = embed "../../wasm/pkg/permiso_bg.wasm"),
  ],
  bindings = [ (name = "HOST_DATA", json = embed "../host-data.json") ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
);
