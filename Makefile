# stancekit: `make demo` and `make test` are the two set-up commands (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export DVC_NO_ANALYTICS := 1
export MLFLOW_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test test-slow lint typecheck params repro retrain clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: the CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(PY)
	set -o pipefail; $(PY) -m pip install -q torch==2.13.0 2>&1 | { grep -v "is ignored" || true; }
	set -o pipefail; $(PY) -m pip install -q -e '.[dev]' 2>&1 | { grep -v "is ignored" || true; }
	$(PY) -c "import stancekit, torch, mlflow, dvc, hydra, skops, sklearn; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/stancekit demo

# The default run: a few minutes on 2 cores. Slow end-to-end tests (DVC repro, Spark) run in CI too.
test: install
	$(PY) -m pytest -q -m "not slow"

test-slow: install
	$(PY) -m pytest -q -m slow

lint: install
	$(VENV)/bin/ruff check src tests experiments benchmarks
	$(VENV)/bin/ruff format --check src tests experiments benchmarks

typecheck: install
	$(VENV)/bin/mypy src/stancekit

# Recompose params.yaml from conf/ (what `dvc exp run` does with Hydra composition; `dvc repro` does not).
params: install
	$(PY) -c "from stancekit.pipeline import write_params; write_params()"

repro: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" dvc repro

# The CI retraining job: dvc pull → dvc repro → gate → promote or keep (exit 0 promoted, 10 kept).
retrain: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/stancekit retrain

clean:
	rm -rf logs outputs reports mlflow.db mlartifacts data/prepared models
