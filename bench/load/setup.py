"""Writes the load run's policy, data (the Todo scenario, 1,000 todos and a
PEP key) and request bodies into a directory; prints the PEP key."""
import json
import sys
from pathlib import Path

import permiso

ROOT = Path(__file__).resolve().parents[2]
AUTHZEN = ROOT / "examples" / "authzen"
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)

policy = permiso.Policy.from_file(str(AUTHZEN / "todo-policy.yaml"))
generated = policy.generate_key("pep", "pep:gateway")
host = json.loads((AUTHZEN / "todo-host.json").read_text())
host["principals"].append({"id": "pep:gateway"})
owners = ["morty@the-citadel.com", "rick@the-citadel.com", "summer@the-smiths.com", "beth@the-smiths.com"]
host["resources"] = [{"id": f"todo:{i}", "attributes": {"ownerID": owners[i % 4]}} for i in range(1000)]
host["keys"] = [generated.record]
(out / "data.json").write_text(json.dumps(host))
(out / "policy.yaml").write_text((AUTHZEN / "todo-policy.yaml").read_text())

morty = next(p for p in host["principals"] if p.get("attributes", {}).get("email") == "morty@the-citadel.com")
subject = {"type": "user", "id": morty["id"].split(":", 1)[1]}
bodies = {
    "evaluation": {"subject": subject, "action": {"name": "can_update_todo"},
                   "resource": {"type": "todo", "id": "4"}},
    "evaluations": {"subject": subject, "evaluations": [
        {"action": {"name": ["can_read_todos", "can_update_todo", "can_delete_todo"][i % 3]},
         "resource": {"type": "todo", "id": str(i)}} for i in range(25)]},
    "search-resource": {"subject": subject, "action": {"name": "can_delete_todo"}, "resource": {"type": "todo"},
                        "page": {"limit": 1000}},
}
for name, body in bodies.items():
    (out / f"{name}.json").write_text(json.dumps(body))
print(generated.key)
