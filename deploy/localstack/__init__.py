"""Run the whole system on one machine: embedded PostgreSQL/Redis (unless
DATABASE_URL/REDIS_URL are given), gunicorn, uvicorn, the worker and the ingress.

    python -m deploy.localstack run            # what `make run` does
    python -m deploy.localstack exec -- CMD    # run CMD with DATABASE_URL/REDIS_URL set
    python -m deploy.localstack stop           # what `make stop` does
"""
