#!/usr/bin/env python3
"""Seeds the fuzz corpora from the conformance vectors (and the example
policy): every key, every token, every policy document."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
corpus = ROOT / "fuzz" / "corpus"
import shutil

shutil.rmtree(corpus, ignore_errors=True)
for target in ("key_parse", "token_verify", "policy_load", "request", "authzen"):
    (corpus / target).mkdir(parents=True, exist_ok=True)


def put(target, name, data: bytes):
    (corpus / target / name).write_bytes(data)


n = 0
for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
    doc = json.loads(path.read_text())
    if "policy" in doc:
        put("policy_load", f"{path.stem}-policy", b"\x00" + json.dumps(doc["policy"]).encode())
    for i, case in enumerate(doc["cases"]):
        n += 1
        if "key" in case:
            put("key_parse", f"{path.stem}-{i}", case["key"].encode())
        # Every token, valid ones too: the target allows exactly the tokens
        # the vectors signed to verify, and mutations of valid tokens reach
        # deepest into claim checking.
        if "token" in case:
            put("token_verify", f"{path.stem}-{i}", case["token"].encode())
        # AuthZEN requests, each led by a byte choosing the API.
        if case.get("op") == "authzen":
            apis = ["evaluation", "evaluations", "search/subject", "search/resource", "search/action"]
            put("authzen", f"{path.stem}-{i}", bytes([apis.index(case["api"])]) + json.dumps(case["request"]).encode())
        if case.get("op") == "load_policy":
            put("policy_load", f"{path.stem}-{i}", b"\x00" + json.dumps(case["policy"]).encode())
put("policy_load", "example-yaml", b"\x01" + (ROOT / "examples" / "policy.yaml").read_bytes())
print(f"seeded fuzz/corpus from {n} vector cases")
