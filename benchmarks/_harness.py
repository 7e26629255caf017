"""Plumbing shared by the benchmark scripts: their command line and best-of-N timing.

Each script compares healthecon with a plain-numpy baseline in the same run and checks that
the two agree; timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any


def parse_args(argv: list[str] | None, description: str, quick_samples: int, default_samples: int = 10_000) -> argparse.Namespace:
    """``[n_samples] [--quick]``; ``--quick`` caps the samples at ``quick_samples`` for a smoke test."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("n_samples", type=int, nargs="?", default=default_samples, help=f"PSA samples (default {default_samples:,})")
    parser.add_argument("--quick", action="store_true", help=f"{quick_samples} samples, one repeat: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples = min(args.n_samples, quick_samples)
    return args


def best_of(func: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall-clock and best CPU (process) seconds of ``repeat`` calls, and the last result.

    CPU time is reported too because a shared machine's wall time includes waiting for a
    core, and CPU time does not.
    """
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def best_ms(func: Callable[[], Any], repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls, in milliseconds."""
    return best_of(func, repeat)[0] * 1000
