"""Long work the workspace does in the background while people go on coding: exporting the
files, and recomputing the suggestions after the codebook or the decisions changed.

One job runs at a time. Recomputing calls ``qual code``'s library function in a worker
process (its models take a GB and seconds of CPU that must not stall the pages); its result
replaces qual's suggestions in one transaction, people's decisions untouched. Progress is the
time elapsed against how long the last run took, said to be an estimate.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from ..errors import QualError
from . import outputs
from .project import Project, export_project
from .store import MACHINE

log = logging.getLogger("qual.app.jobs")

JOB_KINDS = {"export": "exporting the files", "recompute": "recomputing the suggestions"}


class JobBusy(QualError):
    """Another job is running."""


class Jobs:
    """The background jobs of one project: at most one at a time, state readable by any request."""

    def __init__(self, project: Project, suggest_options: dict[str, Any] | None = None) -> None:
        self.project = project
        self.suggest_options = dict(suggest_options or {})
        self.lock = threading.Lock()
        self.state: dict[str, Any] = {"kind": None, "state": "idle"}
        self.thread: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        with self.lock:
            state = dict(self.state)
        if state["state"] == "running":
            elapsed = time.monotonic() - state["started"]
            state["elapsed"] = round(elapsed, 1)
            expected = state.get("expected")
            state["progress"] = min(0.95, elapsed / expected) if expected else None
        state.pop("started", None)
        return state

    def start(self, kind: str, coder: str) -> dict[str, Any]:
        work: dict[str, Callable[[], str]] = {"export": self._export, "recompute": self._recompute}
        if kind not in work:
            raise QualError(f"no job called {kind!r}")
        with self.lock:
            if self.state["state"] == "running":
                raise JobBusy(f"{JOB_KINDS[self.state['kind']]} is under way; wait for it to finish")
            expected = self.project.store.meta(f"{kind}_seconds")
            self.state = {"kind": kind, "state": "running", "label": JOB_KINDS[kind], "started": time.monotonic(),
                          "expected": float(expected) if expected else None, "by": coder}
            self.thread = threading.Thread(target=self._run, args=(kind, work[kind]), name=f"qual-{kind}",
                                           daemon=True)
            self.thread.start()
        return self.status()

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        """Block until the running job ends (tests, the CLI)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _run(self, kind: str, work: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            message, state = work(), "done"
        except QualError as error:
            message, state = str(error), "failed"
        except Exception as error:  # noqa: BLE001 - shown as its type: a message may quote text
            message, state = f"internal error ({type(error).__name__}); please report it", "failed"
            log.warning("%s job failed: %s", kind, type(error).__name__)
        seconds = time.monotonic() - started
        if state == "done":
            with self.project.store.write("qual") as tx:
                self.project.store.set_meta(tx, f"{kind}_seconds", f"{seconds:.1f}")
        with self.lock:
            self.state = {"kind": kind, "state": state, "label": JOB_KINDS[kind], "message": message,
                          "seconds": round(seconds, 1)}

    def _export(self) -> str:
        result = export_project(self.project)
        names = ", ".join(path.name for path in result["files"])
        return f"wrote {names}" + "".join(f"; {note}" for note in result["notes"])

    def _recompute(self) -> str:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import pandas as pd

        store = self.project.store
        decided = store.query("SELECT document, segment, code, status FROM codings WHERE coder<>?", (MACHINE,))
        # One decision per segment and code for the learner: applied when any coder applied it.
        human = pd.DataFrame([dict(r) for r in decided], columns=["document", "segment", "code", "status"])
        if len(human):
            human = (human.assign(rank=(human["status"] == "accepted").astype(int))
                     .sort_values("rank").drop_duplicates(["document", "segment", "code"], keep="last")
                     .drop(columns="rank").reset_index(drop=True))
        transcripts = list(self.project.transcripts().values())
        book = self.project.codebook()
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            suggestions = pool.submit(outputs.suggest, transcripts, book, human, self.suggest_options).result()
        by_segment = {(r["document"], r["segment"]): r["turn"] for r in store.query("SELECT * FROM segments")}
        for suggestion in suggestions:
            suggestion.setdefault("turn", by_segment.get((suggestion["document"], suggestion["segment"])))
        count = store.replace_suggestions(suggestions)
        return f"{count} suggestions"
