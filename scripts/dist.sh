#!/usr/bin/env bash
# `make dist`: everything a user installs, in dist/: the Python wheel (abi3,
# this platform) and sdist, the npm tarball, the `permiso` CLI binary for
# this machine, and SHA256SUMS. Installs what is missing, like the tests.
# PERMISO_DIST_PROFILE=dev builds the CLI without optimisation (the tests'
# shortcut); the default is release.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
profile=${PERMISO_DIST_PROFILE:-release}
rm -rf dist
mkdir -p dist

echo "== python: wheel and sdist"
bash scripts/setup-python.sh >/dev/null
cp target/wheels/permiso-"$version"-*.whl dist/
.venv/bin/maturin sdist --quiet -m python/Cargo.toml -o dist 2>/dev/null || .venv/bin/maturin sdist -m python/Cargo.toml -o dist
python3 tools/dist/sdist_vendor.py "dist/permiso-$version.tar.gz"

echo "== npm: the package tarball"
bash wasm/build.sh >/dev/null
(cd wasm/pkg && npm pack --silent --pack-destination ../../dist >/dev/null)

echo "== cli: permiso for $(rustc -vV | sed -n 's/^host: //p') ($profile)"
cargo build --quiet --profile "$profile" -p permiso-cli
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
cp "target/$dir/permiso" "dist/permiso-$version-$(rustc -vV | sed -n 's/^host: //p')"

(cd dist && sha256sum -- * > SHA256SUMS)
echo "dist/:"
(cd dist && ls -l | tail -n +2 | awk '{printf "  %-60s %8d bytes\n", $9, $5}')
