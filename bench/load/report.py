"""Reads the wrk outputs of a `make load` run and writes the `permiso serve`
section of bench/REPORT.md (between its markers), or with --print only
prints the table.

    python3 bench/load/report.py RUN_DIR [--print]
"""
import json
import platform
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "bench" / "REPORT.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
SCENARIOS = [
    ("evaluation", "single evaluation", 1),
    ("evaluations", "batch of 25 evaluations", 25),
    ("search-resource", "resource search over 1,000 todos", 1),
]
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def seconds(text):
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def parse(path):
    text = path.read_text()
    latency = {m.group(1): seconds(m.group(2)) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)$", text, re.M)}
    rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M).group(1))
    requests = int(re.search(r"^\s+(\d+) requests in", text, re.M).group(1))
    refused = int(re.search(r"^non-200: (\d+)", text, re.M).group(1))
    errors = re.search(r"^\s+Socket errors: (.*)$", text, re.M)
    return {"rps": rps, "requests": requests, "p50": latency["50"], "p99": latency["99"],
            "non_200": refused, "socket_errors": errors.group(1) if errors else ""}


def ms(s):
    return f"{s * 1000:.2f} ms"


def cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    run = Path(sys.argv[1])
    meta = json.loads((run / "meta.json").read_text())
    results = {name: parse(run / f"{name}.txt") for name, _, _ in SCENARIOS}
    (run / "load.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    rows = ["| scenario | requests/s | evaluations/s | p50 | p99 | non-200 |", "|---|---:|---:|---:|---:|---:|"]
    for name, title, per_request in SCENARIOS:
        r = results[name]
        evaluations = f"{r['rps'] * per_request:,.0f}" if name != "search-resource" else "1,000 candidates each"
        rows.append(f"| {title} | {r['rps']:,.0f} | {evaluations} | {ms(r['p50'])} | {ms(r['p99'])} | {r['non_200']} |")
    single, batch = results["evaluation"], results["evaluations"]
    aim = ("met" if max(single["rps"], batch["rps"] * 25) >= 20_000 and single["p99"] < 0.005 else "not met")
    section = [
        START,
        "## `permiso serve` under load (`make load`)",
        "",
        f"{date.today().isoformat()}, {meta['cores']} cores ({cpu()}), loopback. The release `permiso serve` "
        f"and `wrk` ({meta['wrk']}) share the machine: `wrk -t{meta['threads']} -c{meta['connections']} "
        f"-d{meta['duration']}s --latency`, each request authenticated with a PEP API key, one audit line per "
        "decision written (to /dev/null). The Todo scenario with 1,000 todos (`bench/load/setup.py`).",
        "",
        *rows,
        "",
        f"Aim (at least 20,000 evaluations/s with p99 under 5 ms on this 2-core machine): **{aim}**. "
        "Reference point: Cerbos publishes 8,638 requests/s at p99 11.6 ms on 4 vCPUs with 800 policies.",
        END,
    ]
    text = "\n".join(section)
    print(text)
    if "--print" in sys.argv:
        return
    report = REPORT.read_text() if REPORT.exists() else "# permiso benchmarks\n"
    if START in report and END in report:
        report = report[:report.index(START)] + text + report[report.index(END) + len(END):]
    else:
        report = report.rstrip("\n") + "\n\n" + text + "\n"
    REPORT.write_text(report)
    print(f"wrote {REPORT.relative_to(ROOT)}")


main()
