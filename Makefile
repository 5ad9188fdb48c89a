# Two commands do all the set-up: `make up` runs the stack, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUN_REQUIREMENTS := shared/requirements.txt $(wildcard functions/*/requirements.txt) infra/requirements.txt requirements.lock shared/pyproject.toml

.PHONY: backup up test bench bench-scale soak eval calibrate lint fmt lock clean help validate-template onnx

help:
	@echo "make up    - install what is needed and run the whole stack locally"
	@echo "make test  - install what the tests need and run the whole suite"
	@echo "make bench - run the benchmarks, results in docs/benchmarks.md"
	@echo "make bench-scale - retrieval at 1,000 tenants and 1,000,000 chunks, before and after migration 0009 (~1 h)"
	@echo "make soak  - 32 visitors for 60 s through Caddy, every message counted in the database (docs/benchmarks.md)"
	@echo "make eval  - answer quality on ../shared/eval (SQuAD 2.0 slice, XQuAD en), results in docs/benchmarks.md"
	@echo "make calibrate - fit the confidence model and default thresholds on ../shared/eval (leave one article out)"
	@echo "make onnx  - export the chat's query model (all-MiniLM-L6-v2, float32 ONNX) from the packaged weights"
	@echo "make lint  - ruff"
	@echo "make validate-template - cfn-lint on the AWS SAM template (template.yaml)"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

# torch first, from the pinned CPU build, so nothing after it pulls a CUDA build.
$(VENV)/.installed-run: $(RUN_REQUIREMENTS) | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r infra/requirements.txt -c requirements.lock
	$(PIP) install --quiet --no-deps -e shared
	@touch $@

# The chat's query model: all-MiniLM-L6-v2 exported to ONNX (float32; --int8 for the smaller, lossier one) from
# the packaged weights, with its tokenizer beside it (infra/onnx_export.py; not in git, nothing downloaded). The
# chat image makes its own.
# With it (order-only: made when missing), the language detector uncompressed to be mapped at start-up
# (infra/language_model.py).
ONNX_MODEL := $(VENV)/share/tinyeclipse/all-MiniLM-L6-v2.onnx
LANGUAGE_MODEL := $(VENV)/share/tinyeclipse/py3langid/nextmove.npy
$(ONNX_MODEL): infra/onnx_export.py $(VENV)/.installed-run | $(LANGUAGE_MODEL)
	$(PY) -m infra.onnx_export --output $@

$(LANGUAGE_MODEL): infra/language_model.py $(VENV)/.installed-run
	$(PY) -m infra.language_model --output $(dir $@)

onnx: $(ONNX_MODEL)

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt -c requirements.lock
	@touch $@

# cfn-lint lives in its own venv: aws-sam-translator pins an older pydantic than the application's.
# infra/requirements-cfn.txt pins every transitive dependency; reinstalled only when it changes.
CFN_VENV := .venv-cfn
CFN_LINT := $(CFN_VENV)/bin/cfn-lint

$(CFN_VENV)/bin/python:
	$(PYTHON) -m venv $(CFN_VENV)

$(CFN_VENV)/.installed: infra/requirements-cfn.txt | $(CFN_VENV)/bin/python
	$(CFN_VENV)/bin/python -m pip --disable-pip-version-check install --quiet -r infra/requirements-cfn.txt
	@touch $@

validate-template: $(CFN_VENV)/.installed
	$(CFN_LINT) template.yaml

# The admin panel (Next.js static export) is rebuilt only when its sources change; npm ci from the lockfile.
ADMIN_SOURCES := $(shell find admin -type f -not -path 'admin/node_modules/*' -not -path 'admin/.next/*' \
	-not -path 'admin/out/*' -not -name '*.tsbuildinfo' 2>/dev/null)
admin/node_modules/.package-lock.json: admin/package-lock.json
	cd admin && npm ci --no-audit --no-fund --loglevel=error

admin/out/index.html: admin/node_modules/.package-lock.json $(ADMIN_SOURCES)
	cd admin && NEXT_TELEMETRY_DISABLED=1 npm run build
	@touch $@

# The runner creates .env from .env.example (with fresh secrets) when it is missing.
up: $(VENV)/.installed-run $(ONNX_MODEL) admin/out/index.html
	$(PY) -m infra.local

# Browser tests use Debian's Chromium; Playwright's own browser download is never used (no network for it).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

test: $(VENV)/.installed-dev $(ONNX_MODEL) $(CFN_VENV)/.installed $(CHROMIUM) admin/out/index.html
	$(PY) -m ruff check .
	$(CFN_LINT) template.yaml
	cd admin && npm run lint && npm run typecheck
	node --test widget/test/
	$(PY) -m pytest

# Benchmarks append their results to docs/benchmarks.md.
bench: $(VENV)/.installed-dev $(ONNX_MODEL)
	$(PY) -m bench.ingest
	$(PY) -m bench.chat
	$(PY) -m bench.widget
	$(PY) -m bench.coldstart

# Retrieval at a million chunks (issue 16 point 4), not part of `make test`: a private Postgres under /tmp (about
# 10 GB while it runs, deleted after), ~1 h on 2 cores, nice'd; appended to docs/benchmarks.md.
bench-scale: $(VENV)/.installed-dev $(ONNX_MODEL)
	nice -n 10 $(PY) -m bench.scale --before 0008

# 32 visitors chatting for 60 s through Caddy on the real local stack; then every message is counted in the
# database (lost messages, goal 0), results appended to docs/benchmarks.md.
soak: $(VENV)/.installed-dev $(ONNX_MODEL)
	$(PY) -m bench.soak

# Answer quality on ../shared/eval per embedding model (SQuAD 2.0 slice, XQuAD en and the pairs en>en, de>de,
# es>es, de>en, es>en), with each model's query-encode latency and ingestion throughput; appended to
# docs/benchmarks.md (~1 h on 2 cores, most of it the multilingual model).
eval: $(VENV)/.installed-dev $(ONNX_MODEL)
	$(PY) -m bench.eval_squad

# Fits the confidence model of each embedding model (shared/tinyeclipse/chat/confidence_model*.json; the default
# model's file holds the default thresholds) to ../shared/eval, validated leave-one-article-out; the reports are
# appended to docs/benchmarks.md. `$(PY) -m bench.calibrate --model NAME --reuse` refits one from kept answers.
calibrate: $(VENV)/.installed-dev $(ONNX_MODEL)
	$(PY) -m bench.calibrate

# A pg_dump (custom format) of the database in DATABASE_URL, or make up's embedded one, into backups/
# (docs/deploy-server.md: restore with `python -m infra.database restore FILE`).
backup: $(VENV)/.installed-run
	$(PY) -m infra.database backup

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Re-pin every transitive dependency after changing a requirements file.
lock: $(VENV)/.installed-dev
	$(PIP) freeze --exclude-editable | grep -v '^tinyeclipse' > requirements.lock

clean:
	rm -rf $(VENV) $(CFN_VENV) .pytest_cache .ruff_cache
