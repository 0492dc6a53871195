"""Time the cache's put and get of 100,000 enrollments (the API's JSON), and the file size.

    .venv/bin/python benchmarks/bench_cache.py [--records N] [--runs R]

Prints the median and best of R runs. Each get opens the cache afresh, as a new launch does.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from test_cache import enrollment

from kb4tui.store.cache import Cache, account_key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    records = [enrollment(i) for i in range(args.records)]
    account = account_key("https://us.api.knowbe4.com")
    puts: list[float] = []
    gets: list[float] = []
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(args.runs):
            with Cache.open(Path(directory), "bench", account) as cache:
                start = time.perf_counter()
                cache.put("enrollments:all", records, datetime.now(UTC))
                puts.append(time.perf_counter() - start)
            gc.collect()
            with Cache.open(Path(directory), "bench", account) as cache:
                start = time.perf_counter()
                got = cache.get("enrollments:all")
                gets.append(time.perf_counter() - start)
                size = cache.path.stat().st_size
            assert got is not None and len(got.records) == args.records
            del got
            gc.collect()
    print(f"{args.records:,} records, {size / 1e6:.1f} MB on disk")
    print(f"put: median {statistics.median(puts):.3f} s, best {min(puts):.3f} s")
    print(f"get: median {statistics.median(gets):.3f} s, best {min(gets):.3f} s")


if __name__ == "__main__":
    main()
