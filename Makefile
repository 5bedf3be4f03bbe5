# Two commands do all set-up: `make run` (pipeline on the bundled sample) and `make test`.
# The virtual environment is (re)built whenever pyproject.toml (the dependency list) changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SNAKEMAKE := $(BIN)/snakemake

.PHONY: run test test-fast test-e2e lint format bench sample clean-venv chromium

run: $(STAMP)
	$(SNAKEMAKE) --cores all all

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest -n 2 --dist worksteal

# The unit tier (tests/unit: pure functions, adapters with a fake snakemake, the architecture):
# seconds, no snakemake run.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -n 2

# The end-to-end tier (tests/e2e: the real snakemake in temporary workspaces): minutes.
test-e2e: $(STAMP) chromium
	$(BIN)/python -m pytest tests/e2e -n 2 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check scripts tools tests
	$(BIN)/ruff format --check scripts tools tests
	$(BIN)/snakefmt --check Snakefile rules

format: $(STAMP)
	$(BIN)/ruff format scripts tools tests
	$(BIN)/ruff check --fix scripts tools tests
	$(BIN)/snakefmt Snakefile rules

bench: $(STAMP)
	$(BIN)/python tools/benchmark.py $(BENCH_FLAGS)

# Regenerates the committed sample under raw/ (deterministic: same bytes every time).
sample: $(STAMP)
	$(BIN)/python tools/generate_sample.py --scale 0.5 --seed 42 --out raw

# Installed within constraints.txt (the versions the suite passed with; how to refresh it is
# at its top), and again whenever the dependency ranges or the constraints change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The browser test (tests/e2e/test_report_pages_browser.py, ADR 0011) drives Debian's Chromium,
# installed here with apt-get (as root, or through sudo) only when it is missing: a second
# `make test` just prints its version. Another system: make test CHROMIUM=/path/to/chromium.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
APT_INSTALL := env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

chromium:
	@test -x "$(CHROMIUM)" || { \
	  command -v apt-get >/dev/null || { \
	    echo "make: Chromium ($(CHROMIUM)) is missing and apt-get is not available: install" \
	      "Chromium with your package manager, then make test CHROMIUM=/path/to/chromium" >&2; \
	    exit 1; }; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
	  else echo "make: Chromium ($(CHROMIUM)) is missing; apt-get needs root or sudo" >&2; exit 1; fi; \
	  echo "Installing Chromium (Debian package chromium) for the browser test"; \
	  log=$$(mktemp); \
	  { $$sudo apt-get update -qq && $$sudo $(APT_INSTALL) chromium; } >"$$log" 2>&1 || { \
	    tail -n 20 "$$log" >&2; rm -f "$$log"; \
	    echo "make: apt-get could not install chromium (its last lines are above)" >&2; exit 1; }; \
	  rm -f "$$log"; \
	  test -x "$(CHROMIUM)" || { echo "make: chromium is installed, but not at $(CHROMIUM)" >&2; exit 1; }; \
	}
	@"$(CHROMIUM)" --version 2>/dev/null

clean-venv:
	rm -rf $(VENV)
