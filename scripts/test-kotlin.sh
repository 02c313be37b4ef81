#!/usr/bin/env bash
# The uniffi binding: regenerates the Kotlin and Swift sources (failing if the
# committed ones drifted), compiles the Kotlin tests and example with kotlinc
# (npm package kotlin-compiler) and runs them on the JVM with JNA. Installs
# what is missing, skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in libjna-java libjackson2-databind-java; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ -f /tmp/.permiso-apt-updated ] || { apt-get update -qq && touch /tmp/.permiso-apt-updated; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
KOTLINC=bindings/kotlin/node_modules/kotlin-compiler/bin/kotlinc
if [ ! -x "$KOTLINC" ]; then
  (cd bindings/kotlin && npm install --no-audit --no-fund --loglevel=error)
fi

fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
bash bindings/generate.sh "$fresh"
for f in kotlin/src/dev/permiso/permiso.kt swift/Sources/Permiso/Permiso.swift \
         swift/Sources/PermisoFFI/PermisoFFI.h swift/Sources/PermisoFFI/module.modulemap; do
  if ! cmp -s "$fresh/$f" "bindings/$f"; then
    echo "bindings/$f differs from what bindings/generate.sh produces: run it and commit" >&2
    exit 1
  fi
done
echo "generated Kotlin and Swift sources match the committed ones"

J=/usr/share/java
CP="$J/jna.jar:$J/jackson-databind.jar:$J/jackson-core.jar:$J/jackson-annotations.jar"
out=target/kotlin
mkdir -p "$out"
"$KOTLINC" -nowarn bindings/kotlin/src/dev/permiso/permiso.kt bindings/kotlin/tests/PermisoTest.kt \
  bindings/kotlin/example/Main.kt -cp "$CP" -include-runtime -d "$out/permiso-kotlin.jar" 2>&1 | grep -v '^warning' || true
java -Djna.library.path=target/debug -Dpermiso.root=. -cp "$out/permiso-kotlin.jar:$CP" PermisoTestKt
echo "== the Kotlin example"
java -Djna.library.path=target/debug -Dpermiso.root=. -cp "$out/permiso-kotlin.jar:$CP" MainKt
