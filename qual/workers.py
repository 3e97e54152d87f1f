"""Where the work runs: how many worker processes, the local pool, and a Dask cluster.

Every stage that spreads work (ingest, de-identification, writing its outputs, ``qual check``)
asks here, so that "all cores by default, ``--workers N`` to say otherwise, 1 = in this
process" means the same everywhere:

* :func:`default_workers`: the cores this process may run on (its CPU affinity, as
  ``os.process_cpu_count`` reports it on Python 3.13+), or ``QUAL_WORKERS`` when set;
* :func:`process_map`: a function over items in forked worker processes, results in the
  items' order, the same as a loop here. Forked workers share what this process has loaded
  (an analyzer's word lists, a spaCy model, the corpus) instead of pickling it; without
  ``fork`` (Windows, macOS by default), with one worker or few items, or when processes
  cannot be started (a sandbox), the loop runs here;
* :func:`dask_client`: a ``dask.distributed`` client for ``--scheduler ADDRESS`` (``local``
  starts a ``LocalCluster`` on this machine), from the optional ``qual[dask]`` extra.

Worker processes never log or raise text of a document: what comes back is results, or an
exception that the caller reports by its type only.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

log = logging.getLogger("qual.workers")

T = TypeVar("T")
R = TypeVar("R")

WORKERS_VARIABLE = "QUAL_WORKERS"
SCHEDULER_VARIABLE = "QUAL_SCHEDULER"  # read by the CLI's --scheduler
LOCAL_SCHEDULER = "local"

# What forked workers read instead of having it pickled: set by process_map just before the
# pool forks, so each worker inherits it (see shared()).
_shared: Any = None


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return max(1, counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """``QUAL_WORKERS`` when set to a positive number, else every available core."""
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if value:
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number >= 1:
            return number
        log.warning("%s=%r is not a positive whole number; using every core", WORKERS_VARIABLE, value)
    return available_cores()


def resolve_workers(workers: int | None) -> int:
    """``workers`` as given (at least 1), or :func:`default_workers` when ``None`` or 0."""
    if workers is None or workers <= 0:
        return default_workers()
    return int(workers)


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def shared() -> Any:
    """In a worker of :func:`process_map`: the ``shared`` object the caller passed."""
    return _shared


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave what is allocated so far out of the cyclic garbage collector for the block.

    A run's long-lived objects (an analyzer's word lists, automata and model, the corpus:
    millions of objects) would otherwise be walked by every full collection in this process
    (a second of a 400-transcript run), and, in workers forked inside the block, walking
    them also copies their pages. Nothing frozen is lost: the block's end returns it to the
    collector (:func:`gc.freeze`, as CPython's docs advise before forking).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _call_chunk(function: Callable, chunk: list) -> list:
    return [function(item) for item in chunk]


def process_map(function: Callable[[T], R], items: Sequence[T], *, workers: int | None = None,
                shared_data: Any = None, min_items: int = 2, chunk_size: int | None = None,
                warm_up: Callable[[], Any] | None = None,
                meanwhile: Callable[[], Any] | None = None) -> list[R]:
    """``[function(item) for item in items]``, spread over forked worker processes (see
    :func:`process_imap`)."""
    return list(process_imap(function, items, workers=workers, shared_data=shared_data, min_items=min_items,
                             chunk_size=chunk_size, warm_up=warm_up, meanwhile=meanwhile))


def _restore_shared(ours: Any, previous: Any) -> None:
    """Put back what :func:`shared` returned before a map began, unless another map has set
    its own since: a map abandoned part-way (its consumer raised) is finished by the garbage
    collector at any later moment, and must not pull the data from under a running one."""
    global _shared

    if _shared is ours:
        _shared = previous


def process_imap(function: Callable[[T], R], items: Sequence[T], *, workers: int | None = None,
                 shared_data: Any = None, min_items: int = 2, chunk_size: int | None = None,
                 warm_up: Callable[[], Any] | None = None,
                 meanwhile: Callable[[], Any] | None = None) -> Iterator[R]:
    """``function(item)`` for each item, spread over forked worker processes, yielded in the
    order of ``items`` as they are done (for progress bars).

    ``function`` must be a module-level function (it is named, not pickled, in the workers);
    each worker reads ``shared_data`` through :func:`shared` (inherited by the fork, never
    pickled); items and results are pickled, so keep them small (indices, paths) where the
    data can be shared instead. ``warm_up`` runs here before the fork, so that what it builds
    is built once and shared. ``meanwhile`` runs here once the workers have started and
    before their first result is taken, so that this process's own preparation overlaps
    their work (without workers: before the loop). The results equal the loop's; an
    exception in a worker is raised here as in the loop. Below ``min_items`` items, with one
    worker or without ``fork``, the loop runs here.
    """
    global _shared

    items = list(items)
    count = min(resolve_workers(workers), len(items))
    if count <= 1 or len(items) < max(2, min_items) or not can_fork():
        if meanwhile is not None:
            meanwhile()
        previous, _shared = _shared, shared_data
        try:
            for item in items:
                yield function(item)
        finally:
            _restore_shared(shared_data, previous)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if warm_up is not None:
        warm_up()
    # a few chunks per worker: even shares when items differ in size, few round trips
    size = chunk_size or max(1, -(-len(items) // (count * 4)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    done = 0
    previous, _shared = _shared, shared_data
    try:
        try:
            with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
                # map() submits every chunk now; with fork, the first submit starts every worker
                # (no fork happens while ``meanwhile`` runs)
                running = pool.map(_call_chunk, [function] * len(chunks), chunks)
                if meanwhile is not None:
                    meanwhile, prepare = None, meanwhile
                    try:
                        prepare()
                    except BaseException as error:  # its own failure, not the workers'
                        raise _MeanwhileFailed() from error
                for results in running:
                    for result in results:
                        done += 1
                        yield result
        except (OSError, BrokenProcessPool) as error:
            # no processes here (a sandbox), or a worker was killed (out of memory): the rest
            # in this process, where a real error shows itself plainly
            log.info("worker processes unavailable (%s); working in one process", type(error).__name__)
            if meanwhile is not None:
                meanwhile()
            for item in items[done:]:
                yield function(item)
    except _MeanwhileFailed as failed:
        raise failed.__cause__ from None
    finally:
        _restore_shared(shared_data, previous)


class _MeanwhileFailed(Exception):
    """``meanwhile`` raised: its exception, carried past the handler for failing workers."""


# --------------------------------------------------------------------------- Dask


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client`` connected to ``scheduler`` (``tcp://host:8786``, a
    scheduler file ``*.json``, or ``local``: a ``LocalCluster`` of ``workers`` single-threaded
    worker processes on this machine, which never spill data to disk), closed afterwards.

    Raises :class:`~qual.errors.QualError` when the ``qual[dask]`` extra is not installed or
    the scheduler cannot be reached.
    """
    from .errors import QualError

    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise QualError("--scheduler needs Dask: pip install 'qual[dask]'") from None
    # identifiable text must not be written to a worker's disk when memory runs short
    settings = {"distributed.worker.memory.spill": False, "distributed.worker.memory.target": False,
                "distributed.admin.system-monitor.gil.enabled": False}
    with dask.config.set(settings):
        cluster = None
        try:
            # Dask's own progress lines (workers joining, clients connecting) stay out of the
            # console, as every other library's below WARNING does
            logging.getLogger("distributed").setLevel(logging.WARNING)
            if scheduler == LOCAL_SCHEDULER:
                cluster = LocalCluster(n_workers=resolve_workers(workers), threads_per_worker=1,
                                       processes=True, dashboard_address=None, silence_logs=logging.WARNING)
                client = Client(cluster)
            elif scheduler.endswith(".json"):
                client = Client(scheduler_file=scheduler, timeout="20s")
            else:
                client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            if cluster is not None:
                cluster.close()
            raise QualError(f"cannot reach the Dask scheduler at {scheduler} ({type(error).__name__}); "
                            "check the address and that 'dask scheduler' is running") from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def cluster_workers(client) -> int:
    """How many worker threads the cluster has now (at least 1)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a scheduler that does not say: one partition per call
        return 1


def split_evenly(sizes: Iterable[int], parts: int) -> list[tuple[int, int]]:
    """``[start, end)`` runs of consecutive items, ``parts`` of them at most, each holding about
    the same total size (an item's size: its characters, its bytes)."""
    sizes = list(sizes)
    if not sizes:
        return []
    parts = max(1, min(parts, len(sizes)))
    total = sum(sizes) or 1
    bounds: list[tuple[int, int]] = []
    start = 0
    running = 0
    for index, size in enumerate(sizes):
        running += size
        if len(bounds) < parts - 1 and running >= total * (len(bounds) + 1) / parts and index + 1 < len(sizes):
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(sizes)))
    return bounds
