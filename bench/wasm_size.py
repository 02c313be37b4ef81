"""Where the npm package's .wasm bytes go, from twiggy.

Reads a copy of the shipped .wasm optimized the same way but keeping its
function names (wasm/build.sh writes one when PERMISO_WASM_NAMED is set),
asks twiggy for every item's own size, and sums them by crate (the first
`crate[hash]::` in an item's mangled path; wasm-bindgen's generated shims
and data segments by kind) and by area of the library. Name sections are
left out: the shipped file has none.

    python3 bench/wasm_size.py target/bench-run/named.wasm --json out.json
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess

# Which part of the library each crate serves, in the report's order.
AREAS = [
    ("permiso's core (policy, keys, tokens, rules, AuthZEN)", {"permiso"}),
    ("the npm binding and wasm-bindgen's glue", {"permiso_wasm", "wasm_bindgen", "js_sys", "(wasm-bindgen shims)"}),
    ("ES384 (P-384 arithmetic)", {"p384"}),
    ("ES256 and the curves' shared code", {"p256", "primeorder", "elliptic_curve", "ecdsa", "sec1", "crypto_bigint"}),
    ("RS256/PS256 (RSA and its big integers)", {"rsa", "num_bigint_dig", "num_integer", "num_traits", "num_iter",
                                                "pkcs1"}),
    ("EdDSA (Ed25519)", {"curve25519_dalek", "ed25519_dalek", "ed25519"}),
    ("JWT framing (jsonwebtoken)", {"jsonwebtoken"}),
    ("key encodings (DER, PKCS#8, SPKI, PEM, base64)", {"der", "pkcs8", "spki", "const_oid", "pem_rfc7468",
                                                        "base64ct", "base64"}),
    ("hashes, HMAC, constant-time compare", {"sha2", "sha1", "digest", "hmac", "subtle", "block_buffer",
                                            "generic_array", "crypto_common"}),
    ("random numbers (key generation)", {"rand_chacha", "rand_core", "rand", "getrandom", "ppv_lite86"}),
    ("JSON and error paths (serde_json, serde_path_to_error)", {"serde_json", "serde_path_to_error", "serde_core",
                                                               "serde", "zmij", "itoa", "ryu", "memchr"}),
    ("YAML and TOML policies", {"yaml_rust2", "basic_toml", "hashlink", "arraydeque", "encoding_rs"}),
    ("route matching (matchit)", {"matchit"}),
    ("Rust's standard library, collections and the allocator", {"core", "alloc", "std", "hashbrown", "dlmalloc",
                                                                "talc", "indexmap", "smallvec",
                                                                "compiler_builtins", "foldhash"}),
    ("constant data (strings, tables)", {"(data)"}),
]


def crate_of(name):
    match = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\[[0-9a-f]+\]::", name)
    if match:
        return match.group(1)
    if name.startswith("data segment"):
        return "(data)"
    if " shim" in name or name.startswith(("__wbg", "__wbindgen", "__externref")) \
            or re.fullmatch(r"[a-z0-9]+_[A-Za-z0-9_]+", name):
        return "(wasm-bindgen shims)"
    if name.startswith(("<str>", "<char>", "<[", "<u", "<i", "<f", "<bool>")):
        return "core"
    return "(unnamed)"


def breakdown(named):
    rows = json.loads(subprocess.run(["twiggy", "top", "-n", "1000000", "-f", "json", str(named)],
                                     check=True, capture_output=True, text=True).stdout)
    crates = collections.Counter()
    for row in rows:
        if row["name"].startswith('"') and "names\" subsection" in row["name"]:
            continue
        crates[crate_of(row["name"])] += row["shallow_size"]
    total = sum(crates.values())
    areas, placed = [], set()
    for area, members in AREAS:
        size = sum(crates[c] for c in members)
        placed |= members
        areas.append({"area": area, "crates": sorted(c for c in members if crates[c]), "bytes": size})
    rest = {c: n for c, n in crates.items() if c not in placed}
    areas.append({"area": "other crates", "crates": sorted(rest), "bytes": sum(rest.values())})
    version = subprocess.run(["twiggy", "--version"], check=True, capture_output=True, text=True).stdout.strip()
    return {"tool": version, "bytes": total, "areas": areas,
            "crates": [{"crate": c, "bytes": n} for c, n in crates.most_common()]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("named", type=pathlib.Path, help="the .wasm optimized with its names kept")
    parser.add_argument("--json", type=pathlib.Path, required=True)
    args = parser.parse_args()
    result = breakdown(args.named)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    for area in result["areas"]:
        print(f"{area['bytes'] / 1024:8.1f} KB  {area['area']}")
    print(f"{result['bytes'] / 1024:8.1f} KB  in all ({result['tool']})")
