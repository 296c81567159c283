# refnn: every target creates .venv on first use.
PY ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test serve demo bench mutation lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

## test: install the project with its test and docs extras and run the whole suite (incl. tests/site);
## two pytest workers on two cores, so one BLAS thread each (no oversubscription)
test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,docs]'
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -n 2

## serve: build the Korean documentation site (strict) and serve it on http://127.0.0.1:$(PORT) (default 8000)
serve: $(BIN)/python
	@$(BIN)/python docs/scripts/serve.py $(PORT) --check
	$(BIN)/python -m pip install -q -e '.[docs]'
	$(BIN)/python -m mkdocs build --strict
	@$(BIN)/python docs/scripts/serve.py $(PORT) site

## demo: train TwoLayerNet on the spiral (the main job until the site exists)
demo: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[train]'
	$(BIN)/python -m refnn train-spiral --out out

## bench: refnn vs a textbook baseline, the matmul floor and PyTorch (torch optional: skipped
## when torch==2.13.0 cannot be installed; extra flags with BENCH_ARGS, e.g. BENCH_ARGS=--suite),
## then the chapter 2-4, 5-6 and 7-8 cases, each against its textbook baseline
bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[bench]' || $(BIN)/python -m pip install -q -e . 'matplotlib>=3.7'
	$(BIN)/python -m refnn bench --out benchmarks/results --plot docs/assets/performance/bench.png $(BENCH_ARGS)
	$(BIN)/python -m refnn.benchmarks.word2vec --json benchmarks/results/word2vec.json
	$(BIN)/python -m refnn.benchmarks.rnnlm --json benchmarks/results/rnnlm.json
	$(BIN)/python -m refnn.benchmarks.seq2seq --json benchmarks/results/seq2seq.json

## mutation: mutation testing of the core with mutmut (every mutant; about 40 min on 2 cores), then the
## report in benchmarks/mutation/ (score per module, every survivor with its diff and reason)
mutation: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,mutation]'
	$(BIN)/python benchmarks/mutation.py run --jobs $(or $(MUTATION_JOBS),2)

lint: $(BIN)/python
	$(BIN)/python -m pip install -q ruff mypy
	$(BIN)/ruff check refnn dataset tests
	$(BIN)/mypy refnn

clean:
	rm -rf $(VENV) site out .hypothesis .pytest_cache
