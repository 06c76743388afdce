# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format messages compile-messages migrations-check venv browser content bench clean

$(BIN)/activate:
	@./.ci/ensure-apt python3-venv $(PYTHON) -c "import ensurepip, venv"
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependency list or the pinned versions change.
$(VENV)/.installed: $(BIN)/activate pyproject.toml requirements/constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

# Compiled catalogues are committed too; rebuild them when gettext is there.
compile-messages: venv
	@./.ci/ensure-apt gettext msgfmt --version || true
	@if command -v msgfmt >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv -v 0; \
	else echo "gettext (msgfmt) not installed: using the committed .mo files"; fi

run: venv compile-messages
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content
	$(MANAGE) create_demo_users
	$(MANAGE) runserver 127.0.0.1:8000

# Debian's Chromium for the browser tests (Playwright's own download does not work offline).
browser:
	@./.ci/ensure-apt chromium test -x $(CHROMIUM)

test: venv browser compile-messages
	DJANGO_SETTINGS_MODULE=kkk_portal.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: venv
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=static/vendor --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run

content: venv
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
