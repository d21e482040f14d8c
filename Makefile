# CSWO annual report suite. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])" 2>/dev/null)
YEAR ?= 2021-22
# The tests run in a random order (pytest-randomly prints the seed); `make test SEED=N` repeats that order.
SEED ?=
ORDER := $(if $(SEED),--randomly-seed=$(SEED))

.PHONY: help setup report test soak test-fast lab preview lab-check bench lint sync data-docs hooks git-filters clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the suite with everything it needs

report: setup ## Build the reference year's committee papers (Word and PDF) into outputs/
	$(BIN)/cswo validate --year $(YEAR)
	$(BIN)/cswo build --year $(YEAR)

test: setup ## Run the whole test suite (real Papermill, pandoc and Typst)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15 $(ORDER)

soak: setup ## Long sweeps: disclosure across every channel, hundreds of bad inputs, builds killed at 20+ points (docs/robustness.md)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(ORDER) -m soak

test-fast: setup ## Unit tests only (no document builds)
	$(BIN)/python -m pytest -n 2 $(ORDER) -m "not e2e"

lab: setup ## Open JupyterLab on the year's notebooks (YEAR=2021-22 by default)
	$(BIN)/cswo lab --year $(YEAR)

preview: setup ## Rebuild the year's draft PDF on every save (Ctrl-C stops)
	$(BIN)/cswo preview --year $(YEAR)

lab-check: setup ## In a real JupyterLab (headless Chromium): Run All, charts, a typed role, save; then git clean, build, preview
	$(BIN)/python tests/lab/lab_check.py --year $(YEAR)

bench: setup ## Benchmark builds against the hand-rolled baseline; writes docs/benchmarks.md
	$(BIN)/python bench/bench.py

lint: setup ## ruff on the package and tests
	$(BIN)/ruff check lib tests bench

sync: setup ## Pair notebooks with their MyST twins after editing either (cswo sync: never loses an edit)
	$(BIN)/cswo sync

data-docs: setup ## Regenerate data/README.md from the catalogue
	$(BIN)/cswo data-docs

hooks: setup git-filters ## Install the pre-commit hooks and git filters (nbstripout, workbook diffs)
	$(BIN)/pre-commit install

# The drivers .gitattributes names: notebooks are stored without outputs or evaluated {eval} results,
# their cell ids kept (so a notebook the lab saved unchanged is clean; `cswo lab` saves the same way,
# cswo/tools/labsave.py), and workbooks diff as text. Paths are absolute so they work from any folder.
NBSTRIP_KEYS := cell.metadata.user_expressions cell.metadata.execution metadata.language_info metadata.widgets
git-filters:
	git config filter.nbstripout.clean '"$(abspath $(BIN))/python" -m nbstripout --keep-id'
	git config filter.nbstripout.smudge cat
	git config filter.nbstripout.required true
	git config filter.nbstripout.extrakeys "$(NBSTRIP_KEYS)"
	git config diff.ipynb.textconv '"$(abspath $(BIN))/python" -m nbstripout --keep-id -t'
	git config diff.xlsx.textconv '"$(abspath $(BIN))/cswo" workbook-text'
	git config diff.xlsx.cachetextconv true

clean: ## Remove built outputs and caches (keeps .venv)
	rm -rf outputs/20* outputs/.releases outputs/.cache outputs/.staging outputs/.failed outputs/.private
