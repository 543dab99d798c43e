# Course site: `make site` builds it, `make test` tests it. Both bootstrap .venv from
# requirements.lock and node_modules from package-lock.json on first use.

PYTHON  ?= python3
EDITION ?= solutions
JOBS    ?= 2
VENV    := .venv
PY      := PYTHONPATH=build $(VENV)/bin/python
RUN     := $(PY) -m coursegen $(if $(QUIET),-q)
DEPS    := $(VENV)/.installed node_modules/.installed

.PHONY: site test check lock-figures serve bench handout clean lock

site: $(DEPS)
	$(RUN) site --edition $(EDITION) --jobs $(JOBS)

test: $(DEPS)
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(DEPS)
	$(RUN) check --jobs $(JOBS)

lock-figures: $(DEPS)
	$(RUN) lock-figures --jobs $(JOBS)

bench: $(DEPS)
	$(RUN) bench

serve: $(DEPS)
	$(RUN) serve --edition $(EDITION) --jobs $(JOBS)

# PDF handouts into site/handouts/ (after the site itself; needs Chromium). The student
# edition writes only the student handouts; the solutions edition both.
handout: site
	$(RUN) handout --edition $(EDITION) --jobs $(JOBS)

clean:
	rm -rf site .cache .tmp-* .pytest_cache
	git clean -fdXq site_src

# Re-resolve the pinned dependencies (needs `uv`; commit the result).
lock:
	uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11.7 -o requirements.lock

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
