# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install index lint browser clean
# apt needs root; CI machines run as root, a developer's laptop may not.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# 127.0.0.1 on a workstation; a container sets HOST=0.0.0.0 (see Dockerfile).
HOST ?= 127.0.0.1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps re-run the install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# Builds the index of the bundled documents when none loads: missing, or from an older
# index format or another embedder (the search says why; ingest fixes it).
index: install
	@$(BIN)/qa search "技术合同成交额" -k 1 >/dev/null 2>&1 || $(BIN)/qa ingest

run: index
	$(BIN)/qa serve --host $(HOST) --port 8000

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# The widget's browser tests drive Debian's Chromium (Playwright never downloads one);
# the CJK font makes the screenshots readable instead of boxes.
$(CHROMIUM) $(CJK_FONT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		chromium fonts-noto-cjk

browser: $(CHROMIUM) $(CJK_FONT)

test: lint browser
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data artifacts .pytest_cache .mypy_cache .ruff_cache
