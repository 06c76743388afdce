# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format messages compile-messages migrations-check venv browser content bench clean restore-test deploy-tools scale-test node-tools css

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

# Node.js build and check tools (package.json, pinned in package-lock.json): PurgeCSS and
# Lightning CSS for `make css`, Lighthouse for the tests and the benchmark. Reinstalled
# when the lock file changes; nothing from node_modules is ever served.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || ./.ci/ensure-apt npm npm --version
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-tools: node_modules/.installed

# static/css/site.min.css, the public pages' one stylesheet (committed): the Bootstrap
# rules our templates, code and the form templates of crispy-forms, django-filter and
# Django use, plus static/css/site.css, minified. Run it after changing site.css or a
# template's classes; tests/core/test_page_weight.py fails while it is out of date.
css: venv node-tools
	node tools/build-css.mjs $$($(PY) tools/css_sources.py)

test: venv browser deploy-tools compile-messages node-tools
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
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run

content: venv
	$(MANAGE) migrate --no-input
	$(MANAGE) load_content

# The benchmark (bench/run.py, results in bench/RESULTS.md; never part of `make test`):
# production settings under gunicorn, wrk per page, Lighthouse, worker memory. Both
# databases and data sets by default; QUICK=1 the real content only, DB=sqlite|postgres
# (PostgreSQL: BENCH_POSTGRES_URL, default …/kkk_bench → kkk_bench_real/_synthetic), DURATION=
# seconds per page and round; Redis at BENCH_REDIS_URL (default database 13).
bench: venv browser node-tools
	@./.ci/ensure-apt wrk test -x /usr/bin/wrk
	$(PY) bench/run.py $(if $(QUICK),--quick) $(if $(DB),--databases $(DB)) \
		$(if $(DURATION),--duration $(DURATION))

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
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
