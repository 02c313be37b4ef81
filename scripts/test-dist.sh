#!/usr/bin/env bash
# `make dist`, then the README's install section as a new user follows it,
# each in a fresh place: the wheel and the sdist (built from source by pip)
# into new virtual environments, the npm tarball into a new Node project,
# the CLI binary run as it is; the checksums; the release workflow checked
# against GitHub's workflow schema (check-jsonschema, offline).
set -euo pipefail
cd "$(dirname "$0")/.."

# The CLI in debug here, to spare CI minutes; `make dist` builds it optimised.
PERMISO_DIST_PROFILE=dev bash scripts/dist.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
dist=$PWD/dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
ok() { passed=$((passed + 1)); echo "dist: $*"; }

(cd dist && sha256sum --quiet -c SHA256SUMS) && ok "SHA256SUMS matches every file"

python3 -m venv "$work/wheel"
"$work/wheel/bin/pip" install -q "$dist"/permiso-"$version"-*.whl
"$work/wheel/bin/python" - <<'PY'
import permiso, permiso.asgi
policy = permiso.Policy.from_file("examples/policy.yaml")
assert policy.hash.startswith("sha256:") and "authorize_route" in permiso.operations()
PY
ok "the wheel installs into a new venv and decides"

# The sdist builds from source with maturin from PyPI, as pip does for a
# platform without a wheel (a debug build, reusing the workspace's target).
python3 -m venv "$work/sdist"
CARGO_TARGET_DIR=$PWD/target MATURIN_PEP517_ARGS="--profile dev" \
  "$work/sdist/bin/pip" install -q "$dist/permiso-$version.tar.gz"
"$work/sdist/bin/python" -c 'import permiso; assert permiso.version() == "'"$version"'"; permiso.Policy.from_file("examples/policy.yaml")'
ok "the sdist builds from source into a new venv and decides"

mkdir "$work/app"
(cd "$work/app" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$dist/permiso-$version.tgz")
cp examples/policy.yaml "$work/app/"
(cd "$work/app" && node --input-type=module -e '
import { readFileSync } from "node:fs";
import { init, Policy, PermisoError } from "permiso";
await init();
const policy = Policy.fromYAML(readFileSync("policy.yaml", "utf8"));
const d = policy.authorizeRequest({ method: "GET", path: "/api/deployments/web", headers: {} }, {});
if (d.code !== "no_credentials" || !(new PermisoError("x", "y") instanceof Error)) process.exit(1);
')
ok "the npm tarball installs into a new project and decides in Node"

cli="$dist/permiso-$version-$(rustc -vV | sed -n 's/^host: //p')"
"$cli" --version | grep -q "$version"
"$cli" validate examples/policy.yaml >/dev/null
ok "the CLI binary runs ($(basename "$cli"))"

if ! .venv/bin/check-jsonschema --version >/dev/null 2>&1; then
  .venv/bin/pip install -q check-jsonschema
fi
.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml >/dev/null
ok "the release workflow is a valid GitHub workflow"
echo "dist: $passed passed, 0 failed"
