# The two commands of the README. Both install what is missing.
.PHONY: demo test bench load service dist vectors

demo:
	bash examples/demo.sh

test:
	bash scripts/test.sh

bench:
	bash bench/run.sh

# What users install, in dist/: wheel, sdist, npm tarball, CLI binary.
dist:
	bash scripts/dist.sh

# The reference service (examples/service) on SQLite with sample data.
service:
	bash examples/service/run.sh

# `permiso serve` under wrk on loopback; writes its section of bench/REPORT.md.
load:
	bash bench/load.sh

vectors:
	python3 tools/vectors/gen_keys.py
	python3 tools/vectors/gen_policy.py
	python3 tools/vectors/gen_requests.py
	python3 tools/vectors/gen_lifecycle.py
	python3 tools/vectors/gen_rules.py
	python3 tools/vectors/gen_classify.py
