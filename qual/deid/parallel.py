"""Detection spread over worker processes or a Dask cluster, with the same result as one process.

:class:`ParallelAnalyzer` wraps an :class:`~qual.deid.analyzer.Analyzer` and maps its two
passes onto workers: each worker **detects** in its share of the texts (consecutive runs of
about equal size) and sends back the identifier strings its share teaches; those of every
share are **gathered** here, in text order, and sent to every worker, which **propagates**
them into its share. The worker keeps its detected share between the two passes, so only
texts, learned strings and spans travel.

Two places to run:

* local worker processes (the default: every core; ``workers=1`` runs here). They are
  forked, so the loaded analyzer (word lists, automata, a spaCy NER model) is shared rather
  than pickled or loaded again; without ``fork``, with one worker or few texts, everything
  runs here;
* a ``dask.distributed`` cluster (``client=``, see :func:`qual.workers.dask_client`): the
  analyzer is pickled once per call and unpickled once by each worker process (a worker
  plugin, :mod:`qual.cluster`), so a NER model is loaded once per worker, not per text; each
  share is a task whose detected state stays on its worker for the second pass.

Either way the result equals ``analyzer.analyze_corpus(texts)`` in one process: the strings
learned from all shares are merged in text order, exactly as one process learns them, and each
worker propagates that same merged list (not its own share's strings first), so even two
strings that tie on confidence resolve alike.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Sequence

from ..errors import QualError
from ..workers import cluster_workers, resolve_workers, split_evenly
from .types import Span

log = logging.getLogger("qual.deid.parallel")

# Below this many texts, starting worker processes costs more than it saves.
PARALLEL_MIN_TEXTS = 400


def merge_terms(shares: Sequence[Sequence[Any]]) -> list:
    """The learned strings of consecutive shares, merged as one process would have learned
    them from all their texts in order: the first occurrence's place, the highest confidence,
    and among equals the earliest."""
    from .propagation import remember_term

    learned: dict = {}
    for terms in shares:
        for term in terms:
            remember_term(learned, term)
    return list(learned.values())


def _without_own_terms(detected):
    """``detected`` with its own learned strings left out: the merged list brings them back in
    their corpus-wide place (propagate_corpus puts ``detected.terms`` first)."""
    if dataclasses.is_dataclass(detected) and hasattr(detected, "terms"):
        return dataclasses.replace(detected, terms=[])
    return detected


# ----------------------------------------------------------------- local worker processes


def _detect_in_worker(connection, analyzer, texts: list[str]) -> None:
    """One worker's share: detect in its texts, send what they teach, receive what the whole
    corpus teaches, send the propagated spans. Errors are sent by name only (a message
    could quote a text)."""
    try:
        detected = analyzer.detect_corpus(texts)
        connection.send(("terms", detected.terms))
        terms = connection.recv()
        connection.send(("spans", analyzer.propagate_corpus(_without_own_terms(detected), terms)))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which falls back
        try:
            connection.send(("error", type(error).__name__))
        except (OSError, ValueError):
            pass
    finally:
        connection.close()


class _WorkersFailed(Exception):
    pass


def _split_by_size(texts: list[str], parts: int) -> list[list[str]]:
    """``texts`` in ``parts`` consecutive runs of about the same number of characters."""
    return [texts[start:end] for start, end in split_evenly((len(t) for t in texts), parts)]


# ----------------------------------------------------------------- Dask tasks


def _dask_detect(token: str, texts: list[str]):
    from ..cluster import held

    return held(token).detect_corpus(texts)


def _dask_terms(detected) -> list:
    return list(detected.terms)


def _dask_propagate(token: str, detected, terms: list) -> list[list[Span]]:
    from ..cluster import held

    return held(token).propagate_corpus(_without_own_terms(detected), terms)


class ParallelAnalyzer:
    """Runs an analyzer's ``analyze_corpus`` over a corpus split between workers, with the
    same result as one process.

    ``workers``: local processes (default: every core, see :func:`qual.workers.default_workers`;
    1 = this process). ``client``: a ``dask.distributed.Client`` to run on instead (its
    workers' threads set the number of shares; every corpus goes there). ``min_texts``: below
    this many texts local workers are not started (default :data:`PARALLEL_MIN_TEXTS`). The wrapped analyzer needs the two passes apart
    (``detect_corpus`` / ``propagate_corpus``, as :class:`~qual.deid.analyzer.Analyzer` has);
    without them everything runs here.
    """

    def __init__(self, analyzer, workers: int | None = None, min_texts: int | None = None,
                 client=None) -> None:
        self.analyzer = analyzer
        self.workers = resolve_workers(workers)
        self.min_texts = min_texts
        self.client = client

    def __repr__(self) -> str:
        where = "dask" if self.client is not None else f"workers={self.workers}"
        return f"ParallelAnalyzer({type(self.analyzer).__name__}, {where})"

    def analyze(self, text: str) -> list[Span]:
        return self.analyzer.analyze(text)

    def __getattr__(self, name: str):
        # remember(), fit(), keep_list ... of the wrapped analyzer, when it has them
        if name in ("analyzer", "client", "workers", "min_texts"):
            raise AttributeError(name)
        return getattr(self.analyzer, name)

    @property
    def has_two_passes(self) -> bool:
        return hasattr(self.analyzer, "detect_corpus") and hasattr(self.analyzer, "propagate_corpus")

    @property
    def runs_in_parallel(self) -> bool:
        """Whether a large enough corpus is analysed by more than this process."""
        from ..workers import can_fork

        if not self.has_two_passes:
            return False
        if self.client is not None:
            return True
        return self.workers > 1 and can_fork()

    def analyze_corpus(self, texts: Sequence[str]) -> list[list[Span]]:
        texts = list(texts)
        if self.client is not None and self.has_two_passes and texts:
            return self._on_cluster(texts)  # asked for: whatever the size
        least = PARALLEL_MIN_TEXTS if self.min_texts is None else self.min_texts
        if len(texts) < max(2, least) or not self.runs_in_parallel:
            return self.analyzer.analyze_corpus(texts)
        try:
            return self._in_workers(texts)
        except (_WorkersFailed, OSError, EOFError) as error:
            # no processes here (sandbox), or a worker died: the same work in one process
            log.info("parallel analysis unavailable (%s); analysing in one process", type(error).__name__)
            return self.analyzer.analyze_corpus(texts)

    # ------------------------------------------------------------- local processes

    def _in_workers(self, texts: list[str]) -> list[list[Span]]:
        import multiprocessing

        context = multiprocessing.get_context("fork")  # the loaded analyzer is shared, not pickled
        warm_up = getattr(self.analyzer, "warm_up", None)
        if warm_up is not None:
            warm_up()
        shares = _split_by_size(texts, min(self.workers, len(texts)))
        workers, connections = [], []
        try:
            for share in shares:
                parent, child = context.Pipe()
                process = context.Process(target=_detect_in_worker, args=(child, self.analyzer, share),
                                          daemon=True)
                process.start()
                child.close()
                workers.append(process)
                connections.append(parent)
            log.debug("analysing %d texts in %d worker processes", len(texts), len(workers))
            terms = merge_terms([self._receive(connection, "terms") for connection in connections])
            for connection in connections:
                connection.send(terms)
            results = [spans for connection in connections for spans in self._receive(connection, "spans")]
        finally:
            for connection in connections:
                connection.close()
            for process in workers:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
                    process.join()
        if len(results) != len(texts):
            raise _WorkersFailed("result count")
        return results

    @staticmethod
    def _receive(connection, expected: str):
        kind, payload = connection.recv()
        if kind != expected:
            raise _WorkersFailed(payload if kind == "error" else kind)
        return payload

    # ------------------------------------------------------------- Dask

    def _on_cluster(self, texts: list[str]) -> list[list[Span]]:
        from ..cluster import on_every_worker

        client = self.client
        warm_up = getattr(self.analyzer, "warm_up", None)
        if warm_up is not None:
            warm_up()  # pickled with its matchers built, so no worker builds them again
        parts = split_evenly((len(t) for t in texts), cluster_workers(client))
        futures: list = []
        try:
            # The analyzer as it is now (with the strings it was told to remember), unpickled
            # once in each worker process; each share's texts once, to the worker detecting in it.
            with on_every_worker(client, self.analyzer) as token:
                shares = client.scatter([texts[start:end] for start, end in parts], hash=False)
                detected = [client.submit(_dask_detect, token, share, pure=False) for share in shares]
                futures = [*shares, *detected]
                terms = merge_terms(client.gather([client.submit(_dask_terms, d, pure=False) for d in detected]))
                [merged] = client.scatter([terms], broadcast=True, hash=False)  # one object, not its items
                futures.append(merged)
                spans = client.gather([client.submit(_dask_propagate, token, d, merged, pure=False)
                                       for d in detected])
        except QualError:
            raise
        except Exception as error:  # noqa: BLE001 - a worker's message could quote a text
            raise QualError(f"de-identification on the Dask cluster failed ({type(error).__name__}); "
                            "nothing was written. Check the workers' logs, or run without --scheduler") from None
        finally:
            for future in futures:
                future.release()
        results = [item for share in spans for item in share]
        if len(results) != len(texts):
            raise QualError("the Dask cluster returned results for a different number of texts")
        log.debug("analysed %d texts in %d shares on the cluster", len(texts), len(parts))
        return results
