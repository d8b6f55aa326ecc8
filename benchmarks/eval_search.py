"""Recall of hybrid search against full-text search on labelled paraphrase queries.

    python -m deploy.localstack exec -- python -m benchmarks.eval_search   # make eval-search

Loads the demo catalogue (`seed_demo` with its defaults) into a fresh database,
computes its embeddings (`backfill_embeddings`), then runs every query of
benchmarks/eval_search_queries.json through the same selectors v2 search uses: the
full-text ranking (`mode=text`) and the fused ranking (`mode=hybrid`, its query
embedding computed without a time budget). A product is relevant when its category
path starts with the query's label. recall@10 = relevant products in the first 10 /
min(relevant products, 10), so a query with 30 relevant products scores 1.0 when its
first page is all relevant. Writes benchmarks/results/eval_search.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "benchmarks" / "eval_search_queries.json"
RESULTS = REPO / "benchmarks" / "results" / "eval_search.md"
K = 10


def main() -> int:
    sys.path.insert(0, str(REPO))
    from deploy.localstack.backing import database_url_for, drop_database, ensure_database
    from deploy.localstack.stack import manage

    base_url = os.environ["DATABASE_URL"]
    name = f"fashionistar_eval_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base_url, "postgres")
    ensure_database(admin, name)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url_for(base_url, name),
        "LOG_LEVEL": "WARNING",
        "MAIL_BACKEND": "locmem",
        "APP_ENV": "development",
    }
    try:
        manage(["migrate", "--noinput", "-v", "0"], env=env)
        manage(["seed_demo", "-v", "0"], env=env)
        manage(["backfill_embeddings"], env=env)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.eval_search", "--measure"],
            env={**env, "DJANGO_SETTINGS_MODULE": "sync_service.settings"},
            cwd=REPO,
            check=True,
        )
    finally:
        drop_database(admin, name)
    return 0


def _recall(found: list[int], relevant: set[int]) -> float:
    return len(set(found[:K]) & relevant) / min(len(relevant), K) if relevant else 0.0


def measure() -> None:
    import django

    django.setup()
    from shared_domain.catalog.models import Category, Product
    from shared_domain.catalog.params import SearchParams
    from shared_domain.catalog.selectors import product_search, search_resolve
    from shared_domain.discovery.embedding import embed_texts, normalise_query
    from shared_domain.discovery.selectors import product_search_hybrid

    labelled = json.loads(QUERIES.read_text())["queries"]
    paths = {
        " > ".join(names): path
        for path, names in _category_names(Category.objects.values_list("pk", "name", "path"))
    }
    on_sale = Product.objects.filter(status=Product.Status.ACTIVE)
    rows: list[dict[str, Any]] = []
    timings: list[float] = []
    embed_texts(["warm up"])
    for item in labelled:
        relevant = set(
            on_sale.filter(category__path__startswith=paths[item["category"]]).values_list(
                "pk", flat=True
            )
        )
        search = search_resolve(SearchParams(q=item["q"]))
        text = [card.id for card in product_search(search, limit=K, offset=0).items]
        started = time.perf_counter()
        vector = [float(x) for x in embed_texts([normalise_query(item["q"])])[0]]
        hybrid_page = product_search_hybrid(search, vector=vector, limit=K, offset=0)
        timings.append((time.perf_counter() - started) * 1000)
        hybrid = [card.id for card in hybrid_page.items]
        rows.append(
            {
                "q": item["q"],
                "category": item["category"],
                "relevant": len(relevant),
                "text": _recall(text, relevant),
                "text_found": len(text),
                "hybrid": _recall(hybrid, relevant),
            }
        )
    _report(rows, timings, on_sale.count())


def _category_names(rows: Any) -> list[tuple[str, list[str]]]:
    rows = list(rows)
    names = {pk: name for pk, name, _ in rows}
    return [
        (path, [names[int(part)] for part in path.strip("/").split("/")]) for _, _, path in rows
    ]


def _report(rows: list[dict[str, Any]], timings: list[float], products: int) -> None:
    text_mean = statistics.mean(r["text"] for r in rows)
    hybrid_mean = statistics.mean(r["hybrid"] for r in rows)
    lines = [
        f"Search evaluation: {len(rows)} labelled queries over the demo catalogue "
        f"({products} products on sale), recall@{K} = relevant in the first {K} / "
        f"min(relevant, {K}) ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"| query | relevant to | relevant products | text: results | text recall@{K} "
        f"| hybrid recall@{K} |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['q']} | {r['category']} | {r['relevant']} | {r['text_found']} | "
        f"{r['text']:.2f} | {r['hybrid']:.2f} |"
        for r in rows
    ]
    lines += [
        f"| **mean** | | | | **{text_mean:.3f}** | **{hybrid_mean:.3f}** |",
        "",
        f"- queries full text answers with nothing: "
        f"{sum(1 for r in rows if r['text_found'] == 0)} of {len(rows)}",
        f"- hybrid better / equal / worse than text: "
        f"{sum(r['hybrid'] > r['text'] for r in rows)} / "
        f"{sum(r['hybrid'] == r['text'] for r in rows)} / "
        f"{sum(r['hybrid'] < r['text'] for r in rows)}",
        f"- hybrid page in process (query embedding + both rankings + cards): "
        f"p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms",
    ]
    table = "\n".join(lines)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    print(f"\nwritten: {RESULTS}")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        measure()
        sys.exit(0)
    sys.exit(main())
