# Emergent: every set-up step lives here. README's two commands are `make run` (main job) and
# `make test` (whole suite); both install what they need first.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ANVIL := node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: install run lint test test-fast test-slow devnet gas clean browser

install: $(BIN)/emergent $(ANVIL)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip==24.3.1

# The venv is rebuilt when the pins change.
$(BIN)/emergent: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $@

# `npm ci` installs exactly what package-lock.json says and never rewrites it, so a fresh clone stays
# clean. The committed lock is complete (every optional platform package of @foundry-rs/anvil and of
# Hardhat's @nomicfoundation/edr). After changing package.json (anvil, hardhat), regenerate the lock
# with exactly this and commit it:
#   rm -rf node_modules package-lock.json && npm install --package-lock-only --no-audit --no-fund
$(ANVIL): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@test -x $(ANVIL) && touch $@

run: install
	$(BIN)/emergent simulate

# The quality gates: ruff (rule set in pyproject.toml), the formatter's check, mypy (strict on
# agents/cognition and agents/chain). `make test` runs them first.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The contract tests (marker `evm`, set by area in tests/conftest.py) run in-process on titanoboa's
# EVM; everything else (and the `node` tests that need a node's RPC) on anvil. titanoboa's own pytest
# plugin stays off: its per-fixture anchors fight ape's snapshots. Each run prints its time per area.
BOA := --network ethereum:local:boa
ON_BOA := -m "evm and not node"
ON_ANVIL := -m "not evm or node"
# The anvil half mostly waits on blocks and agent processes (about a third of one core busy), so 4
# workers share the 2 cores; each worker has its own anvil (APE_FOUNDRY_HOST=auto, tests/conftest.py).
WORKERS := -n 4 --dist loadfile

test: install browser lint
	$(BIN)/ape test tests -q -p no:boa_test $(ON_BOA) $(BOA)
	$(BIN)/ape test tests -q -p no:boa_test $(ON_ANVIL) $(WORKERS)

# Headless Chromium for the dashboard's browser test (tests/e2e/test_dashboard_browser_e2e.py).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

test-fast: install
	$(BIN)/ape test tests -q -p no:boa_test -m "evm and not node and not slow" $(BOA)
	$(BIN)/ape test tests -q -p no:boa_test -m "(not evm or node) and not slow" $(WORKERS)

test-slow: install browser
	$(BIN)/ape test tests -q -p no:boa_test -m slow $(WORKERS)

devnet: install
	$(BIN)/emergent devnet

gas: install
	$(BIN)/emergent bench gas

clean:
	rm -rf $(VENV) node_modules .build
