"""Report CSVs are written as rows come: memory stays flat however many rows."""

from __future__ import annotations

import csv
import tracemalloc
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage

from shared_domain.analytics.reports import SPOOL_BYTES, csv_store


def _rows(n: int) -> Iterator[tuple[object, ...]]:
    for i in range(n):
        yield (i, f"SKU-{i:08d}", "Ankara Maxi Dress, long title " * 2, i % 17, "25000.00")


def test_a_large_csv_is_streamed_in_bounded_memory(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    ticks: list[int] = []
    tracemalloc.start()
    try:
        written = csv_store(
            name="inventory/1.csv",
            header=("id", "sku", "title", "units", "price"),
            rows=_rows(100_000),
            progress=ticks.append,
            every=10_000,
            storage=storage,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = storage.size("inventory/1.csv")
    assert written == 100_000
    assert size > 8_000_000
    # The whole file never sat in memory: the peak is a small multiple of the spool.
    assert peak < 4 * SPOOL_BYTES + 1_000_000, (peak, size)
    assert ticks == list(range(10_000, 100_001, 10_000))
    with storage.open("inventory/1.csv") as f:
        lines = f.read().decode().splitlines()
    assert lines[0] == "id,sku,title,units,price"
    assert next(csv.reader([lines[-1]]))[:2] == ["99999", "SKU-00099999"]


def test_a_second_write_replaces_the_file_and_formulas_are_neutralised(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    csv_store(name="r.csv", header=("t",), rows=[("old",)], storage=storage)
    csv_store(name="r.csv", header=("t",), rows=[("=HYPERLINK(1)",), ("-5 dress",), ("-12.50",)],
              storage=storage)  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]
    with storage.open("r.csv") as f:
        assert f.read().decode().splitlines() == ["t", "'=HYPERLINK(1)", "'-5 dress", "-12.50"]
