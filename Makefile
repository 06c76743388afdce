# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format messages compile-messages migrations-check venv browser content bench clean restore-test deploy-tools scale-test

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
	$(MANAGE) load_demo_data
	$(MANAGE) create_demo_users
	@# The worker (mails, thumbnails) runs beside the server; leaving make stops it (SIGTERM).
	@$(MANAGE) run_worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

# Debian's Chromium for the browser tests (Playwright's own download does not work offline).
browser:
	@./.ci/ensure-apt chromium test -x $(CHROMIUM)

# Debian's nginx and Redis for the deployment tests in tests/deploy/ (nginx in front of
# two gunicorn instances that share Redis; they run in the PostgreSQL pass).
deploy-tools:
	@./.ci/ensure-apt nginx test -x /usr/sbin/nginx
	@./.ci/ensure-apt redis-server test -x /usr/bin/redis-server

test: venv browser deploy-tools compile-messages
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

# deploy/backup.sh + deploy/restore.sh round-trip on PostgreSQL (scratch databases
# kkk_d_backup_src_*/_dst_* on the server in DATABASE_URL). `make test` runs it too in
# the PostgreSQL pass.
restore-test: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kkk} \
		$(BIN)/pytest tests/deploy/test_backup_restore.py -p no:cacheprovider

# The production stack alone (PostgreSQL): two gunicorn instances and two workers
# behind nginx (deploy/nginx/kkk-portal.conf) sharing PostgreSQL, Redis, S3 (moto) and
# an SMTP sink; the nginx site, the Observatory grade and S3 storage. `make test` runs
# these too, in its PostgreSQL pass (about 2 minutes).
scale-test: venv deploy-tools
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kkk} \
		$(BIN)/pytest tests/deploy/test_scale_out.py tests/deploy/test_nginx.py \
		tests/deploy/test_observatory.py tests/deploy/test_s3_storage.py -p no:cacheprovider

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
