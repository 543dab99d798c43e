# Course site: `make site` builds it, `make test` tests it. Both bootstrap .venv from
# requirements.lock and node_modules from package-lock.json on first use.

# The Python the environment is made with: PYTHON if set, else python3 if it is 3.11 or
# newer, else python3.13/3.12/3.11 (.ci/find-python says what to do when none is).
PYTHON  ?=
EDITION ?= scheduled
ENGINE  ?= mkdocs
JOBS    ?= 2
# pytest-xdist workers: three keep both cores busy while a worker waits on Chromium
TEST_JOBS ?= 3
VENV    := .venv
PY      := $(VENV)/bin/python
RUN     := $(VENV)/bin/coursegen $(if $(QUIET),-q)
DEPS    := $(VENV)/.installed node_modules/.installed
# Every test but the browser, fault and from-scratch ones (markers in pyproject.toml).
FAST    := -m "not browser and not faults and not slow"

.PHONY: site test test-fast lint check lock-figures serve bench handout clean lock

site: $(DEPS)
	$(RUN) site --edition $(EDITION)$(if $(AS_OF), --as-of "$(AS_OF)")$(if $(SHEET), --sheet $(SHEET)) --engine $(ENGINE) --jobs $(JOBS)

test: $(DEPS)
	$(PY) -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

test-fast: $(DEPS)
	$(PY) -m pytest -n $(TEST_JOBS) $(FAST) $(PYTEST_ARGS)

# ruff (pyproject.toml [tool.ruff]): the lint rules, then the layout. LINT=files narrows it.
# (make has a built-in LINT = lint, for C: replace it unless LINT was given)
ifeq ($(origin LINT),default)
LINT    := .
endif
LINT    ?= .
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check $(LINT)
	$(VENV)/bin/ruff format --check $(LINT)

check: $(DEPS)
	$(RUN) check$(if $(SHEET), --sheet $(SHEET)) --jobs $(JOBS)

lock-figures: $(DEPS)
	$(RUN) lock-figures$(if $(SHEET), --sheet $(SHEET)) --jobs $(JOBS)

bench: $(DEPS)
	$(RUN) bench

serve: $(DEPS)
	$(RUN) serve --edition $(EDITION)$(if $(AS_OF), --as-of "$(AS_OF)") --engine $(ENGINE) --jobs $(JOBS)

# PDF handouts into site/handouts/ (after the site itself; needs Chromium). The student
# edition writes only the student handouts; the solutions edition both.
handout: site
	$(RUN) handout --edition $(EDITION)$(if $(AS_OF), --as-of "$(AS_OF)") --jobs $(JOBS)

clean:
	rm -rf site .cache .tmp-* .pytest_cache
	git clean -fdXq site_src

# Re-resolve the pinned dependencies with the uv that the lock itself installs (the
# `dev` extra); commit the result.
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra dev --generate-hashes \
	  --python-version 3.11.7 -o requirements.lock

$(VENV)/.installed: requirements.lock pyproject.toml
	py="$$(.ci/find-python $(PYTHON))" && "$$py" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
