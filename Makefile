# The two commands of the README. Both install what is missing.
.PHONY: demo test bench vectors

demo:
	bash examples/demo.sh

test:
	bash scripts/test.sh

bench:
	bash bench/run.sh

vectors:
	python3 tools/vectors/gen_keys.py
	python3 tools/vectors/gen_policy.py
	python3 tools/vectors/gen_requests.py
	python3 tools/vectors/gen_lifecycle.py
	python3 tools/vectors/gen_rules.py
