# Everything a newcomer needs, from a fresh clone: `make demo`, `make test`; while changing code,
# `make check` (lint and the unit tests: under a minute once mypy has its cache).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TENANT ?= demo
# The Lambda runtime the functions and layers are built for (infra/ uses the same).
LAMBDA_PYTHON := 3.13
# Lambda's Python 3.13 runs on Amazon Linux 2023 (glibc 2.34): manylinux 2014 and 2_28 wheels.
LAMBDA_PLATFORMS := --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64
# Everything the functions ship carries its bytecode, compiled by a Python of the runtime's
# version: Lambda's file system is read-only, so a module shipped without it is compiled again on
# every cold start (that tripled the pages function's import). pyenv's, or one on the PATH.
RUNTIME_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(LAMBDA_PYTHON).*/bin/python$(LAMBDA_PYTHON)) \
	$(shell command -v python$(LAMBDA_PYTHON)))
LAYERS := $(patsubst layers/%/requirements.in,build/layers/%/.built,$(wildcard layers/*/requirements.in))
# What a deployment uploads: the third-party layers and our code (the domain layer, the functions).
BUILT := $(LAYERS) build/code/.built
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: demo test test-later check lint docs serve synth bench layer lock deploy clean gallery

demo: $(BIN)/tandem
	@echo "make demo: a year of peer coaching for a synthetic company, played on the embedded AWS"
	@echo "through its real pages, emails and schedules (two to five minutes, as busy as the machine is)"
	$(BIN)/tandem demo

test: $(BIN)/tandem /usr/bin/chromium $(BUILT) lint docs
	$(BIN)/pytest

# No test may depend on the day it runs: the unit and integration tests again, four years on
# (CI runs this after `make test`; tests/conftest.py moves the clock).
test-later: $(BIN)/tandem
	TANDEM_WALL_CLOCK_DAYS=1461 $(BIN)/pytest -q -p no:cacheprovider tests/unit tests/integration

# Every page state and email kind in headless Chromium at 360 and 1280 px, each checked for
# accessibility, into build/gallery/index.html (a few minutes; not part of `make test`).
gallery: $(BIN)/tandem /usr/bin/chromium
	$(BIN)/python -m devtools.gallery --out build/gallery

check: lint
	$(BIN)/pytest tests/unit

lint: $(BIN)/tandem
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The documentation site, offline; --strict fails on a broken link or anchor (not with --quiet,
# which hides the warnings that strict counts).
docs: $(BIN)/tandem
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

serve: $(BIN)/tandem
	$(BIN)/tandem serve --tenant $(TENANT)

synth: $(BIN)/tandem $(BUILT)
	CDK_CONTEXT_JSON='{"tenant": "$(TENANT)"}' CDK_OUTDIR=cdk.out $(BIN)/python -m infra.app
	@echo "Wrote cdk.out/Tandem-$(TENANT).template.json"

bench: $(BIN)/tandem $(BUILT)
	$(BIN)/python tests/bench/matching.py --exact-max 2000  # networkx at 2,000: ~5 min; growth: ~5 min
	$(BIN)/python -m tests.bench.fixed_cost  # a tenant's fixed cost, from its template: ~1 min
	$(BIN)/python tests/bench/cost.py  # a whole year for 24 people, scaled to 1,000: ~7-20 min
	$(BIN)/python tests/bench/reminders.py  # 10,000 people with reminders due: ~3 min
	$(BIN)/python -m tests.bench.mailer  # against SES throttled at 5 a second: ~3 min
	$(BIN)/python tests/bench/exports.py  # 100,000 pledge rows written: ~5 min
	$(BIN)/python -m tests.bench.cold_start  # each function's imports, fresh processes: ~2 min
	$(BIN)/python -m tests.bench.pages_load  # 1,000 page submissions at once, 48 people: ~5 min

layer: $(BUILT)

# One lock for every environment: the tests run the versions the Lambda layers ship.
lock: $(BIN)/tandem
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

# Deploying needs the tenant named on the command line: never the demo by accident.
deploy:
	$(if $(filter command line,$(origin TENANT)),,$(error name the tenant: make deploy TENANT=<name>))
	$(MAKE) synth TENANT=$(TENANT)
	npx --yes aws-cdk@2 deploy --app cdk.out Tandem-$(TENANT)

clean:
	rm -rf $(VENV) build cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The virtual environment, with the project and its dev tools at the locked versions (the ones
# the Lambda layers ship); redone when pyproject.toml or the lock changes.
$(BIN)/tandem: pyproject.toml requirements.lock
	@echo "Installing Tandem and its tools into $(VENV) (once, and again when pyproject.toml or the lock changes: about 3 minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -c 'import site, sys; open(site.getsitepackages()[0] + "/tandem-checkout.pth", "w").write(sys.argv[1])' "$(CURDIR)"
	touch $@

# Chromium for the browser test (never a downloaded browser), from Debian.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(notdir $@)

# The third-party layers (layers/<name>/requirements.in at the locked versions), built without
# Docker for the Lambda platform; boto3 and its dependencies come with the Lambda runtime.
build/layers/%/.built: layers/%/requirements.in requirements.lock Makefile $(BIN)/tandem
	rm -rf $(@D)
	$(BIN)/pip install --quiet --no-compile -r $< -c requirements.lock --target $(@D)/python \
		$(LAMBDA_PLATFORMS) --implementation cp --python-version $(LAMBDA_PYTHON) --only-binary=:all:
	cd $(@D)/python && rm -rf bin boto3* botocore* s3transfer* jmespath* dateutil* python_dateutil* six* urllib3* \
		&& find . -depth -type d -name tests -exec rm -rf {} +
	$(call bytecode,$(@D))
	touch $@

# Our own code as Lambda gets it: the domain layer and the functions' folders, the templates
# compiled to modules (tandem/views/render.py), everything with bytecode.
build/code/.built: $(shell find layers/tandem functions -type f -not -path '*/__pycache__/*') Makefile $(BIN)/tandem
	rm -rf $(@D) && mkdir -p $(@D)/domain $(@D)/functions
	cp -r layers/tandem/python $(@D)/domain/ && cp -r functions/*/ $(@D)/functions/
	find $(@D) -depth -type d -name __pycache__ -exec rm -rf {} +
	$(BIN)/python -c 'import sys; from pathlib import Path; from tandem.views import render; \
		render.compile_templates(Path(sys.argv[1]))' $(@D)/domain/python/tandem/views/compiled
	$(call bytecode,$(@D))
	touch $@

# Unchecked: a layer never changes once built, so its bytecode need not be checked against
# the sources' times (which a zip does not keep anyway).
define bytecode
	@test -x "$(RUNTIME_PYTHON)" && "$(RUNTIME_PYTHON)" -c '' 2>/dev/null || { echo "Python \
	$(LAMBDA_PYTHON), the Lambda runtime's, compiles what the functions ship: install it (pyenv \
	install $(LAMBDA_PYTHON), uv python install $(LAMBDA_PYTHON)) or name it: RUNTIME_PYTHON=..."; exit 1; }
	"$(RUNTIME_PYTHON)" -m compileall -q -j 0 --invalidation-mode unchecked-hash $(1)
endef
