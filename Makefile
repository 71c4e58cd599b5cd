# The whole quickstart: `make run` and `make test`. Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_LINK_MODE := copy

.PHONY: run test setup system-fonts system-browser system-broker lint typecheck pytest pytest-postgres clean

run: setup system-fonts
	$(BIN)/fengqiao db upgrade
	$(BIN)/fengqiao demo ensure
	$(BIN)/fengqiao serve

test: setup system-browser system-broker lint typecheck pytest pytest-postgres

setup: $(VENV)/.synced node_modules/.installed

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages: CJK fonts (pages, PDF sheets) for everyone, Chromium for the browser tests, Mosquitto for MQTT.
system-fonts:
	tools/install-system-packages fonts

system-browser:
	tools/install-system-packages fonts chromium

# Mosquitto for the MQTT tests of sensor alerts (each test starts a private broker; `make run` needs none).
system-broker:
	tools/install-system-packages mosquitto

lint: setup
	$(BIN)/ruff check fengqiao tests
	$(BIN)/ruff format --check fengqiao tests

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest -n 2 --dist loadfile

# Runs the same suite against PostgreSQL when a server is configured; CI always configures one.
pytest-postgres: setup
	@if [ -n "$$FENGQIAO_TEST_POSTGRES_URL" ]; then \
		FENGQIAO_TEST_DATABASE_URL="$$FENGQIAO_TEST_POSTGRES_URL" $(BIN)/pytest -n 2 --dist loadfile; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but FENGQIAO_TEST_POSTGRES_URL is not set: the PostgreSQL run may not be skipped" >&2; exit 1; \
	else \
		echo "FENGQIAO_TEST_POSTGRES_URL not set: PostgreSQL run skipped (set it to run the suite on PostgreSQL)"; \
	fi

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var/*.db*
