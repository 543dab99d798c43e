# Course site: `make site` builds it, `make test` tests it. `make site` bootstraps .venv
# from requirements.lock (the site's dependencies only); `make test`, `make lint` and the
# other tools add requirements-dev.lock (the tests' and the tools') and node_modules from
# package-lock.json (axe-core for the accessibility tests) on first use.

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
SITE_DEPS := $(VENV)/.installed
DEPS    := $(VENV)/.dev-installed node_modules/.installed
# Every test but the browser, fault and from-scratch ones (markers in pyproject.toml).
FAST    := -m "not browser and not faults and not slow"

.PHONY: site test test-fast lint check lock-figures serve bench handout clean lock vendor

site: $(SITE_DEPS)
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
# actionlint: the GitHub workflows (their expressions, permissions and shell steps).
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check $(LINT)
	$(VENV)/bin/ruff format --check $(LINT)
	$(VENV)/bin/actionlint .github/workflows/*.yml build/coursegen/commands/scaffolds/course/github/workflows/*.yml

check: $(SITE_DEPS)
	$(RUN) check$(if $(SHEET), --sheet $(SHEET)) --jobs $(JOBS)

lock-figures: $(SITE_DEPS)
	$(RUN) lock-figures$(if $(SHEET), --sheet $(SHEET)) --jobs $(JOBS)

bench: $(DEPS)
	$(RUN) bench

serve: $(SITE_DEPS)
	$(RUN) serve --edition $(EDITION)$(if $(AS_OF), --as-of "$(AS_OF)") --engine $(ENGINE) --jobs $(JOBS)

# PDF handouts into site/handouts/ (after the site itself; needs Chromium). The student
# edition writes only the student handouts; the solutions edition both.
handout: site $(VENV)/.dev-installed
	$(RUN) handout --edition $(EDITION)$(if $(AS_OF), --as-of "$(AS_OF)") --jobs $(JOBS)

clean:
	rm -rf site .cache .tmp-* .pytest_cache

# Re-resolve the pinned dependencies with the uv that the lock itself installs (the
# `dev` extra): everything into requirements-dev.lock, then the site's part of it, at the
# same versions, into requirements.lock, which `coursegen init` also gives a new course
# (the scaffold's requirements.lock is a link to it: the wheel carries its bytes); commit both.
lock: $(VENV)/.dev-installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra dev --extra site --generate-hashes \
	  --python-version 3.11.7 -o requirements-dev.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra site -c requirements-dev.lock --generate-hashes \
	  --python-version 3.11.7 -o requirements.lock

# KaTeX and the iframe-worker shim ship inside the package (an installed coursegen needs
# no npm): copy them again from the versions package-lock.json pins; commit the result.
VENDOR := build/coursegen/site/vendor
vendor: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/katex/contrib $(VENDOR)/katex/fonts $(VENDOR)/iframe-worker
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css node_modules/katex/LICENSE $(VENDOR)/katex/
	cp node_modules/katex/dist/contrib/auto-render.min.js $(VENDOR)/katex/contrib/
	cp node_modules/katex/dist/fonts/*.woff2 $(VENDOR)/katex/fonts/
	cp node_modules/iframe-worker/shim/index.js $(VENDOR)/iframe-worker/shim.js
	cp node_modules/iframe-worker/LICENSE $(VENDOR)/iframe-worker/

$(VENV)/.installed: requirements.lock pyproject.toml
	py="$$(.ci/find-python $(PYTHON))" && "$$py" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
