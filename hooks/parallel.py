"""Scan many whole files, across worker processes when the input is large.

Each worker configures detect-secrets with the settings of this process, so
its results equal a scan here. Batches are collected in the order they were
cut, so the combined result is also in the same order. Small inputs are
scanned here, because starting a worker costs more than scanning a few
hundred kilobytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from staged_secrets.hooks import detectors

if TYPE_CHECKING:
    from staged_secrets.hooks.changes import ScanResult

# Called with (files done, files in total) as the scan advances.
Progress = Callable[[int, int], None]

Blob = tuple[str, bytes]

# Content below this size is scanned in this process. On one core,
# detect-secrets 1.5.0 scanned about 0.5 MB of source code per second, and
# less for long lines. That was a copy of pip 23.2's source tree (14 MB in
# 991 files) on a 2-core virtual machine that other jobs shared. Starting two
# configured workers took 0.06 s (fork) to 0.25 s (spawn), so from about half
# a megabyte on, the workers save more than they cost.
PARALLEL_MIN_BYTES = 512 * 1024

# A batch is the unit of work sent to a worker: large enough that sending it
# costs little, small enough that one big file does not leave workers idle.
BATCH_MAX_BYTES = 256 * 1024
BATCH_MAX_FILES = 64


def worker_count() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cut_batches(items: Sequence[Blob]) -> list[list[Blob]]:
    """Split ITEMS, in order, into batches of bounded size."""
    batches: list[list[Blob]] = []
    current: list[Blob] = []
    size = 0
    for item in items:
        if current and (size + len(item[1]) > BATCH_MAX_BYTES or len(current) >= BATCH_MAX_FILES):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += len(item[1])
    if current:
        batches.append(current)
    return batches


def scan_batch(batch: Sequence[Blob]) -> ScanResult:
    """Scan every blob of BATCH in order (runs in a worker or in this process)."""
    from staged_secrets.hooks.changes import ScanResult, scan_blob

    result = ScanResult()
    for path, blob in batch:
        result.extend(scan_blob(path, blob))
    return result


def _initialize_worker(settings: dict[str, Any]) -> None:
    detectors.configure(settings)


def _scan_in_workers(batches: list[list[Blob]], workers: int) -> Iterator[ScanResult]:
    settings = detectors.configured_settings()
    with ProcessPoolExecutor(
        max_workers=min(workers, len(batches)),
        initializer=_initialize_worker,
        initargs=(settings,),
    ) as executor:
        # map() yields results in submission order, whatever order they finish in.
        yield from executor.map(scan_batch, batches)


def scan_blobs(
    items: Sequence[Blob],
    progress: Progress | None = None,
    workers: int | None = None,
    min_parallel_bytes: int = PARALLEL_MIN_BYTES,
) -> ScanResult:
    """Scan the whole content of each (path, blob) pair of ITEMS, in order.

    WORKERS defaults to every core this process may use; one worker, or less
    than MIN_PARALLEL_BYTES of content, means a scan in this process.
    """
    from staged_secrets.hooks.changes import ScanResult

    workers = worker_count() if workers is None else workers
    total_bytes = sum(len(blob) for _, blob in items)
    batches = cut_batches(items)
    if workers > 1 and len(batches) > 1 and total_bytes >= min_parallel_bytes:
        results: Iterator[ScanResult] = _scan_in_workers(batches, workers)
    else:
        results = (scan_batch(batch) for batch in batches)

    combined = ScanResult()
    done = 0
    if progress is not None:
        progress(0, len(items))
    for batch, result in zip(batches, results):
        combined.extend(result)
        done += len(batch)
        if progress is not None:
            progress(done, len(items))
    return combined
