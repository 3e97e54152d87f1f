"""Detection spread over worker processes, with the same result as one process.

:class:`ParallelAnalyzer` wraps an :class:`~qual.deid.analyzer.Analyzer`: each worker
detects in its share of the texts and sends back the identifier strings its share teaches;
those of every share are sent to every worker, which propagates them into its share. The
workers are forked, so the loaded analyzer (gazetteers, automata, a NER model) is shared
rather than pickled. Without ``fork``, with one worker or few texts, everything runs here.
"""

from __future__ import annotations

import logging
from typing import Sequence

from .types import Span

log = logging.getLogger("qual.deid.parallel")


def _detect_in_worker(connection, analyzer, texts: list[str]) -> None:
    """One worker's share: detect in its texts, send what they teach, receive what the whole
    corpus teaches, send the propagated spans. Errors are sent by name only (a message
    could quote a text)."""
    try:
        detected = analyzer.detect_corpus(texts)
        connection.send(("terms", detected.terms))
        terms = connection.recv()
        connection.send(("spans", analyzer.propagate_corpus(detected, terms)))
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
    total = sum(len(t) for t in texts) or 1
    runs: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= total * len(runs) / parts and len(runs) < parts:
            runs.append([])
        runs[-1].append(text)
        size += len(text)
    return [run for run in runs if run]


class ParallelAnalyzer:
    """Runs an analyzer's ``analyze_corpus`` over a corpus split between worker processes,
    with the same result as one process.

    Detection (the costly pass) runs in each worker on its share of the texts; every
    worker's learned identifier strings are then gathered and sent to all of them, so a
    name found in one share is found in every other (the analyzer's own propagation, run
    once per share with the terms of the whole corpus). This needs an analyzer with the
    two passes apart (``detect_corpus`` / ``propagate_corpus``, as
    :class:`~qual.deid.analyzer.Analyzer` has) and the ``fork`` start method; otherwise,
    below ``min_texts`` texts, or with one worker, everything runs in this process.
    """

    def __init__(self, analyzer, workers: int | None = None, min_texts: int = 400) -> None:
        import os

        self.analyzer = analyzer
        self.workers = workers or max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                             else (os.cpu_count() or 1), 8))
        self.min_texts = min_texts

    def __repr__(self) -> str:
        return f"ParallelAnalyzer({type(self.analyzer).__name__}, workers={self.workers})"

    def analyze(self, text: str) -> list[Span]:
        return self.analyzer.analyze(text)

    def __getattr__(self, name: str):
        # remember(), fit() ... of the wrapped analyzer, when it has them
        if name == "analyzer":
            raise AttributeError(name)
        return getattr(self.analyzer, name)

    @property
    def runs_in_parallel(self) -> bool:
        import multiprocessing

        return (self.workers > 1 and hasattr(self.analyzer, "detect_corpus")
                and hasattr(self.analyzer, "propagate_corpus")
                and "fork" in multiprocessing.get_all_start_methods())

    def analyze_corpus(self, texts: Sequence[str]) -> list[list[Span]]:
        texts = list(texts)
        if len(texts) < max(2, self.min_texts) or not self.runs_in_parallel:
            return self.analyzer.analyze_corpus(texts)
        try:
            return self._in_workers(texts)
        except (_WorkersFailed, OSError, EOFError) as error:
            # no processes here (sandbox), or a worker died: the same work in one process
            log.info("parallel analysis unavailable (%s); analysing in one process", type(error).__name__)
            return self.analyzer.analyze_corpus(texts)

    def _in_workers(self, texts: list[str]) -> list[list[Span]]:
        import multiprocessing

        from .analyzer import _remember

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
            learned: dict = {}
            for connection in connections:
                for term in self._receive(connection, "terms"):
                    _remember(learned, term)
            terms = list(learned.values())
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
