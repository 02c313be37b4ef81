#!/usr/bin/env python3
"""Writes bench/REPORT.md from one run of every benchmark.

Reads criterion's estimates (target/criterion, or $CRITERION_HOME) and the
JSON written by python/bench/bench.py and wasm/bench/bench.mjs, and renders
tables of ratios (peer time / permiso time: above 1, permiso is faster), the
machine and the date. Absolute figures appear only for the project's absolute
budgets.

    python3 bench/report.py --python P.json --js J.json --out bench/REPORT.md
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--criterion", type=pathlib.Path,
                    default=pathlib.Path(os.environ.get("CRITERION_HOME", ROOT / "target" / "criterion")))
parser.add_argument("--python", type=pathlib.Path)
parser.add_argument("--js", type=pathlib.Path)
parser.add_argument("--python-cedarling", type=pathlib.Path, help="python/bench/cedarling_bench.py --json")
parser.add_argument("--js-cedarling", type=pathlib.Path, help="wasm/bench/cedarling.mjs --json")
parser.add_argument("--rust-cedarling", type=pathlib.Path, help="bench/cedarling-native --json")
parser.add_argument("--workerd", type=pathlib.Path, help="wasm/bench/workerd.mjs --json")
parser.add_argument("--wasm-size", type=pathlib.Path, help="bench/wasm_size.py --json")
parser.add_argument("--jsonl", type=pathlib.Path, help="permiso's and Cedarling's figures in Cedarling's JSONL schema")
parser.add_argument("--out", type=pathlib.Path, default=ROOT / "bench" / "REPORT.md")
parser.add_argument("--smoke", action="store_true", help="mark the report as a smoke run's")
args = parser.parse_args()


def load_criterion(directory):
    """full_id -> seconds per iteration: criterion's median (the least moved by a noisy neighbour)."""
    out = {}
    for bench in directory.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        point = est["median"]["point_estimate"]
        out[meta["full_id"]] = point * 1e-9
    return out


def ratio(peer, ours):
    if peer is None or ours is None:
        return "—"
    r = peer / ours
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 1 else f"{r:.2f}×"


def short(seconds):
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return lines + [""]


def lock_version(name):
    text = (ROOT / "Cargo.lock").read_text()
    m = re.search(rf'name = "{re.escape(name)}"\nversion = "([^"]+)"', text)
    return m.group(1) if m else "?"


def command(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


out = [
    "# permiso benchmarks",
    "",
    *(["**Smoke run** (dev profile, tiny samples; it proves the benchmarks run, its numbers mean nothing).", ""]
      if args.smoke else []),
    f"Written by `make bench` on {datetime.date.today().isoformat()}. "
    f"Machine: {cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()} ({platform.machine()}); "
    f"{command('rustc', '-V')}.",
    "",
    "Every figure is a **ratio: the peer's time divided by permiso's** on the same inputs in the same run "
    "(above 1, permiso is faster). Before timing, each benchmark checks that permiso and the peer give the "
    "same answer on every input it times. Absolute times appear only for the project's budgets.",
    "",
]
budgets = []

# ---- Rust ---------------------------------------------------------------------
c = load_criterion(args.criterion) if args.criterion.exists() else {}
if c:
    out += [
        "## Rust (criterion)",
        "",
        f"Peers: cedar-policy {lock_version('cedar-policy')}, casbin {lock_version('casbin')} (casbin-rs), "
        f"jsonwebtoken {lock_version('jsonwebtoken')} (aws-lc backend, as permiso's native build). "
        "Sources: `bench/benches/`; the Cedar and casbin translations of the example policy: `bench/src/lib.rs`, "
        "readable in `bench/peers/example.cedar`.",
        "",
    ]
    cases = sorted({k.split("/")[2] for k in c if k.startswith("peers/permiso/")},
                   key=lambda s: (s == "all_inputs", s))
    labels = {
        "allowed_by_role": "allowed through an inherited role",
        "allowed_by_grant": "allowed through a per-resource grant",
        "allowed_by_wildcard_role": "allowed through the `*` role",
        "denied": "denied (a grant on another resource)",
        "all_inputs": "every principal × permission × resource in turn (200 checks)",
    }
    if cases:
        out += ["### `authorize` next to Cedar `is_authorized` and casbin `enforce` (example policy)", ""]
    out += [] if not cases else table(["check", "Cedar / permiso", "casbin / permiso"], [
        [labels.get(case, case), ratio(c.get(f"peers/cedar/{case}"), c.get(f"peers/permiso/{case}")),
         ratio(c.get(f"peers/casbin/{case}"), c.get(f"peers/permiso/{case}"))] for case in cases])

    for group, title, unit in [
        ("scaling_roles", "Scaling: permissions and roles in the policy", "permissions and roles"),
        ("scaling_grants", "Scaling: per-resource grants held by the principal", "grants"),
    ]:
        sizes = sorted({int(k.split("/")[2]) for k in c if k.startswith(f"{group}/permiso/")})
        if not sizes:
            continue
        first = sizes[0]
        out += [
            f"### {title}",
            "",
            f"Growth: the cost of one check at each size divided by its cost at the smallest ({first}), per engine "
            "(1× is flat). `permiso + identity` also resolves the principal's record into an identity on every "
            "check (a host does it once per request); the peers' equivalent (building Cedar entities, loading "
            "casbin rules) is not timed.",
            "",
        ]
        rows = []
        for size in sizes:
            g = lambda engine, s=size: c.get(f"{group}/{engine}/{s}")
            base = lambda engine: c.get(f"{group}/{engine}/{first}")
            rows.append([f"{size:,}", ratio(g("permiso"), base("permiso")),
                         ratio(g("permiso_with_identity"), base("permiso_with_identity")),
                         ratio(g("cedar"), base("cedar")), ratio(g("casbin"), base("casbin")),
                         ratio(g("cedar"), g("permiso")), ratio(g("casbin"), g("permiso"))])
        out += table([unit, "permiso growth", "permiso + identity growth", "Cedar growth", "casbin growth",
                      "Cedar / permiso", "casbin / permiso"], rows)

    algs = [k.split("/")[2] for k in sorted(c) if k.startswith("jwt_verify/permiso/")]
    order = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
    algs.sort(key=lambda a: order.index(a) if a in order else 99)
    if algs:
        out += ["### JWT verify next to raw `jsonwebtoken::decode` (same backend, same checks)", ""]
        jwt_ratios = [(a, c.get(f"jwt_verify/jsonwebtoken/{a}"), c.get(f"jwt_verify/permiso/{a}")) for a in algs]
        out += table(["algorithm", "jsonwebtoken / permiso"], [[a, ratio(t, o)] for a, t, o in jwt_ratios])
        worst = min((t / o for _, t, o in jwt_ratios if t and o), default=None)
        if worst is not None:
            # Run-to-run noise on a shared machine is several percent either way.
            met = "yes" if worst >= 1 else "within noise (≥ 0.9×)" if worst >= 0.9 else "no"
            budgets.append(["JWT verify at least as fast as `jsonwebtoken` (native)",
                            f"lowest ratio {worst:.2f}× over {len(algs)} algorithms", met])

    rows = []
    if "api_key/verify_sha256/permiso" in c:
        rows.append(["API key verify (`sha256:` record)", "SHA-256 + constant-time compare, hand-rolled "
                     "(no shape, checksum, kind, expiry or revocation checks)",
                     ratio(c.get("api_key/verify_sha256/hand_rolled"), c["api_key/verify_sha256/permiso"])])
    if "request/hs256_session_full/permiso" in c:
        rows.append(["HS256 session request, end to end", "`matchit` route + header parse + `jsonwebtoken` "
                     "decode + casbin `enforce`", ratio(c.get("request/hs256_session_full/matchit_jsonwebtoken_casbin"),
                                                        c["request/hs256_session_full/permiso"])])
    if rows:
        out += ["### API keys and whole requests, next to the stack assembled by hand", ""]
        out += table(["operation", "peer", "peer / permiso"], rows)

    for key, label, limit in [
        ("authorize/allowed_by_role", "native `authorize`, allowed (roles, grant, scopes, tenant)", 100e-9),
        ("authorize/allowed_by_rule", "native `authorize`, allowed through a rule with two conditions", 150e-9),
        ("request/api_key_full/permiso", "full API-key request (parse, checksum, hash, verify, route, authorize)", 2e-6),
    ]:
        if key in c:
            budgets.insert(0, [f"{label}: under {short(limit)}", short(c[key]), "yes" if c[key] < limit else "no"])


# ---- Python and JS ------------------------------------------------------------
def language(path, title, about, cedarling=None):
    if not path or not path.exists():
        return None
    data = json.loads(path.read_text())
    if cedarling and cedarling.exists():
        extra = json.loads(cedarling.read_text())
        data["versions"].update(extra["versions"])
        data["rows"] += extra["rows"]
        data["jsonl"] = extra["jsonl"]
        data["smoke"] = data.get("smoke") or extra["smoke"]
    versions = ", ".join(f"{k} {v}" for k, v in data["versions"].items())
    lines = [f"## {title}", "", f"{data['runtime']}; peers: {versions}. {about}"
             + (" **Smoke run: too short to be meaningful.**" if data.get("smoke") else ""), ""]
    for name, heading in [("authorize", "Authorization (example policy, every input in turn)"),
                          ("authzen", "AuthZEN batches (Todo scenario; the peer column is permiso itself)"),
                          ("jwt", "JWT verify"), ("keys", "API keys"),
                          ("cedarling", "Cedarling on its own benchmark scenarios (its stores in `bench/cedarling/`, "
                                        "permiso's translations beside them; decisions checked equal first; "
                                        "principal and resource built from plain data on every call)")]:
        rows = [r for r in data["rows"] if r["table"] == name]
        if rows:
            lines += [f"### {heading}", ""]
            lines += table(["permiso", "peer", "peer / permiso"],
                           [[r["what"], r["peer"], ratio(r["peer_s"], r["permiso_s"])] for r in rows])
    if any("multi_issuer" in r["peer"] for r in data["rows"] if r["table"] == "cedarling"):
        lines += ["The `multi_issuer_signed` rows are Cedarling's two-token scenario with ES256 signatures checked "
                  "by both engines, on the same two tokens (`bench/cedarling/multi-issuer.json`). Cedarling fetches "
                  "its issuers' OpenID configuration and JWKS from a loopback server when it starts. Without the "
                  "token caches every call verifies both signatures; with them (Cedarling's by default, permiso's "
                  "`cache_tokens`) a signature checked once is not checked again, while claims, expiry and "
                  "revocations still are in permiso. Cedarling's published figures for this scenario are with "
                  "signature checks off.", ""]
    return data, lines


def binding_budgets(runtime, rows, check_name, casbin_target=None):
    """The bindings' budgets: a decision at most 2× the yes/no check, and against Cedarling and casbin."""
    full = next((r for r in rows if r["table"] == "authorize" and r["what"].startswith("`authorize`")), None)
    check = next((r for r in rows if r["table"] == "authorize" and r["what"].startswith(f"`{check_name}`")), None)
    if full and check:
        cost = full["permiso_s"] / check["permiso_s"]
        budgets.append([f"{runtime}: a decision object at most 2× `{check_name}`",
                        f"{cost:.1f}×", "yes" if cost <= 2 else "no"])
    casbin = [r["peer_s"] / r["permiso_s"] for r in rows if r["table"] == "authorize" and "casbin" in r["peer"]
              and r["what"].startswith("`authorize`")]
    if casbin and casbin_target:
        budgets.append([f"{runtime} `authorize` at least {casbin_target}× faster than casbin", f"{casbin[0]:.0f}×",
                        "yes" if casbin[0] >= casbin_target else "no"])
    for r in rows:
        if r["table"] == "cedarling":
            gain = r["peer_s"] / r["permiso_s"]
            budgets.append([f"{runtime}: at least 10× Cedarling on {r['peer']}", f"{gain:.1f}×",
                            "yes" if gain >= 10 else "no"])


def batch_budget(runtime, rows):
    for r in rows:
        if r["table"] == "authzen":
            gain = r["peer_s"] / r["permiso_s"]
            budgets.append([f"{runtime}: a batch of 25 evaluations costs less than 25 single calls",
                            f"{gain:.1f}× cheaper", "yes" if gain > 1 else "no"])


jsonl = []
native = language(args.rust_cedarling, "Rust, next to the `cedarling` crate",
                  "Both engines read each request from the same JSON data on every call, as a service reads a "
                  "request body. Source: `bench/cedarling-native/` (a crate of its own, outside the workspace).")
if native:
    data, lines = native
    out += lines
    jsonl += data.get("jsonl", [])
    binding_budgets("Rust", data["rows"], "is_allowed")

py = language(args.python, "Python (pip package, PyO3)", "Sources: `python/bench/bench.py`, "
              "`python/bench/cedarling_bench.py`.", args.python_cedarling)
if py:
    data, lines = py
    out += lines
    rows = data["rows"]
    jsonl += data.get("jsonl", [])
    batch_budget("Python", rows)
    binding_budgets("Python", rows, "is_allowed", casbin_target=20)
    keys = [r for r in rows if r["table"] == "keys"]
    if keys:
        best = max(r["peer_s"] / r["permiso_s"] for r in keys)
        budgets.append(["Python `verify_key` at least as fast as hashlib + `hmac.compare_digest`",
                        f"{best:.2f}×", "yes" if best >= 1 else "no"])
    jwts = [r["peer_s"] / r["permiso_s"] for r in rows if r["table"] == "jwt"]
    if jwts:
        budgets.append(["Python JWT verify faster than PyJWT", f"lowest ratio {min(jwts):.1f}×",
                        "yes" if min(jwts) > 1 else "no"])

def wasm_size(size, ours):
    """Where the .wasm's bytes go, by area of the library (bench/wasm_size.py)."""
    lines = ["### Where the `.wasm`'s bytes go", "",
             f"Each item's own size in the shipped file (code and data, {size['bytes'] / 1024:,.0f} KB before gzip), "
             f"read by {size['tool']} from a copy optimized alike with its names kept, summed by the first crate "
             "its path names (the crate of the type for a trait method). The rows are approximate where code moved: "
             "generic code counts with the type it was instantiated for (serde's visitors for permiso's own types "
             "are in permiso's row), and the optimizer inlines callees "
             "into their callers (the exported shims hold the core code they inlined). Shares are of the raw file; "
             f"gzipped, the whole file is {ours['gzip_bytes'] / 1024:,.0f} KB "
             f"({ours['gzip_bytes'] / ours['bytes']:.0%} of its raw size).", ""]
    rows = sorted(size["areas"], key=lambda a: -a["bytes"])
    lines += table(["area", "bytes", "share", "crates"],
                   [[a["area"], f"{a['bytes'] / 1024:,.1f} KB", f"{a['bytes'] / size['bytes']:.1%}",
                     ", ".join(f"`{c}`" for c in a["crates"])] for a in rows if a["bytes"]])
    return lines


def async_budget(runtime, rows):
    """`verifyJWTAsync` against jose on ES256 and RS256 tokens, every token new."""
    found = [r["peer_s"] / r["permiso_s"] for r in rows if r["table"] == "jwt" and r.get("kind") == "async"
             and ("ES256" in r["what"] or "RS256" in r["what"])]
    if found:
        budgets.append([f"{runtime} `verifyJWTAsync` (ES256, RS256) at least as fast as jose, every token new",
                        f"lowest ratio {min(found):.2f}×", "yes" if min(found) >= 1 else "no"])


js = language(args.js, "JavaScript (npm package, WebAssembly, in Node)", "Sources: `wasm/bench/bench.mjs`, "
              "`wasm/bench/cedarling.mjs`.", args.js_cedarling)
if js:
    data, lines = js
    out += lines
    jsonl += data.get("jsonl", [])
    batch_budget("wasm", data["rows"])
    binding_budgets("Node", data["rows"], "isAllowed", casbin_target=20)
    sizes = data.get("sizes", [])
    if sizes:
        ours = next(s for s in sizes if s["package"] == "permiso")
        out += ["### `.wasm` size (gzip -9)", ""]
        out += table(["package", "version", ".wasm", "gzipped", "gzipped / permiso's"],
                     [[s["package"], s["version"], f"{s['bytes'] / 1024:,.0f} KB", f"{s['gzip_bytes'] / 1024:,.0f} KB",
                       ratio(s["gzip_bytes"], ours["gzip_bytes"])] for s in sizes])
        budgets.append(["npm `.wasm` under 400 KB gzipped", f"{ours['gzip_bytes'] / 1024:.0f} KB",
                        "yes" if ours["gzip_bytes"] < 400 * 1024 else "no"])
        budgets.append(["npm `.wasm` aim: 300 KB gzipped", f"{ours['gzip_bytes'] / 1024:.0f} KB",
                        "yes" if ours["gzip_bytes"] <= 300 * 1024 else "no"])
        if args.wasm_size:
            out += wasm_size(json.loads(args.wasm_size.read_text()), ours)
    hs = [r for r in data["rows"] if r["table"] == "jwt" and "HS256" in r["what"]]
    if hs:
        r = hs[0]["peer_s"] / hs[0]["permiso_s"]
        budgets.append(["wasm HS256 verify faster than jose in the same runtime", f"{r:.1f}×", "yes" if r > 1 else "no"])
    async_budget("Node", data["rows"])

if args.workerd:
    data = json.loads(args.workerd.read_text())
    rows = data["rows"]
    out += ["### JWT verify in workerd next to jose", "",
            f"workerd {data['versions']['workerd']}, jose {data['versions']['jose']}: both check the signature with "
            "workerd's WebCrypto, every token new. Each side makes its calls in one request, less a request with "
            "none; the sides alternate and each figure is the median of the rounds. Source: `wasm/bench/workerd.mjs`.",
            ""]
    out += table(["permiso", "peer", "peer time / permiso time"],
                 [[r["what"], r["peer"], ratio(r["peer_s"], r["permiso_s"])] for r in rows])
    async_budget("workerd", rows)

if budgets:
    out += ["## Budgets", ""]
    out += table(["budget", "measured", "met"], budgets)
    out += ["Init plus policy compile in workerd (budget 5 ms) is measured by the workerd test harness "
            "(`scripts/test-js.sh`), which prints it.", ""]

if args.jsonl and jsonl:
    args.jsonl.parent.mkdir(parents=True, exist_ok=True)
    args.jsonl.write_text("".join(json.dumps(r) + "\n" for r in jsonl))
    out += [f"permiso's and Cedarling's figures from this run, in Cedarling's benchmark schema: "
            f"`{args.jsonl.relative_to(ROOT) if args.jsonl.is_relative_to(ROOT) else args.jsonl}`.", ""]

args.out.parent.mkdir(parents=True, exist_ok=True)
# The `permiso serve` load section is written by `make load` (bench/load/report.py)
# between its markers; a `make bench` run keeps it as it was.
if args.out.exists():
    previous = args.out.read_text()
    start, end = "<!-- load:start -->", "<!-- load:end -->"
    if start in previous and end in previous:
        out += ["", previous[previous.index(start):previous.index(end) + len(end)]]
args.out.write_text("\n".join(out))
print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
