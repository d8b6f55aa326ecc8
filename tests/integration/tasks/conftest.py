"""The task suite runs on whichever backend TASKS_BACKEND selects, so the same tests
prove both the database backend and RQ (`make test` runs it twice)."""

from __future__ import annotations

import pytest

from shared_domain.common.queues import using_rq

db_only = pytest.mark.skipif(using_rq(), reason="a property of the database backend")
