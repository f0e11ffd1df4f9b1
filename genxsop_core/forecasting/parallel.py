"""Spread chunks of series over local processes, or over a Dask cluster when one is named.

The orchestrator owns parallelism; strategies never see a pool. Progress is reported per
finished chunk so a run can show a live progress bar and a heartbeat.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

Progress = Callable[[int, int], None]  # (series done, series total)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def map_chunks(function: Callable[..., list[Any]], chunks: Sequence[Sequence[Any]], spec: Any,
               workers: int | None = None, scheduler: str | None = None,
               progress: Progress | None = None) -> list[Any]:
    """function(chunk, spec) for every chunk; results flattened in chunk order."""
    total = sum(len(c) for c in chunks)
    done = 0
    results: list[list[Any] | None] = [None] * len(chunks)

    def finished(index: int, value: list[Any]) -> None:
        nonlocal done
        results[index] = value
        done += len(chunks[index])
        if progress:
            progress(done, total)

    if scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            from genxsop_core.domain.exceptions import ConfigurationError

            raise ConfigurationError("GENXSOP_DASK_SCHEDULER is set but dask.distributed is not installed "
                                     "(pip install distributed)") from None

        with Client(scheduler, timeout="30s") as client:
            futures = {client.submit(function, chunk, spec, pure=False): i for i, chunk in enumerate(chunks)}
            for future in dask_completed(futures):
                finished(futures[future], future.result())
    elif (workers or default_workers()) > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers or default_workers()) as pool:
            futures = {pool.submit(function, chunk, spec): i for i, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                finished(futures[future], future.result())
    else:
        for i, chunk in enumerate(chunks):
            finished(i, function(chunk, spec))
    return [item for part in results for item in (part or [])]


def chunk_size(series: int, largest: int, steps: int) -> int:
    """Series per chunk: at most `largest`, and small enough that a run of `series` reports progress
    in about `steps` steps (progress moves per finished chunk), so 11 SKUs go one by one and not
    as 8 then 3."""
    return max(1, min(largest, math.ceil(series / steps)))


def chunked(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
