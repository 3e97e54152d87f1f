"""What a Dask worker holds for qual: an object sent once to each worker process.

De-identification and ``qual check`` on a cluster (``--scheduler``) need the same analyzer (its
word lists, automata and any spaCy NER model) in every task. Sent with each task, or even
scattered, it can be unpickled more than once in a worker; here it is installed by a worker
plugin instead: pickled once by the client, unpickled once by each worker process (and by any
worker that joins during the run), removed when the run ends. Tasks find it by its token::

    with on_every_worker(client, analyzer) as token:
        client.submit(task, token, texts)        # in the task: analyzer = held(token)

This module imports ``distributed``: only ``--scheduler`` runs load it (the ``qual[dask]`` extra).
"""

from __future__ import annotations

import contextlib
import pickle
import uuid
from typing import Any, Iterator

from distributed.diagnostics.plugin import WorkerPlugin

# token -> the object, in each worker process
_HELD: dict[str, Any] = {}


class HeldObject(WorkerPlugin):
    """A worker plugin that unpickles one object when a worker sets it up."""

    def __init__(self, token: str, payload: bytes) -> None:
        self.token = token
        self.payload = payload
        self.name = f"qual-held-{token}"

    def __repr__(self) -> str:  # the payload is identifiable
        return f"HeldObject({self.token}, {len(self.payload)} bytes)"

    def setup(self, worker) -> None:
        _HELD[self.token] = pickle.loads(self.payload)

    def teardown(self, worker) -> None:
        _HELD.pop(self.token, None)


def held(token: str) -> Any:
    """In a task: the object installed under ``token`` on this worker."""
    try:
        return _HELD[token]
    except KeyError:
        raise RuntimeError("this worker has not set up qual's object for the run") from None


@contextlib.contextmanager
def on_every_worker(client, value: Any) -> Iterator[str]:
    """Install ``value`` on every worker of ``client``'s cluster for the block; yields its token."""
    import cloudpickle

    token = uuid.uuid4().hex
    plugin = HeldObject(token, cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    client.register_plugin(plugin, name=plugin.name)
    try:
        yield token
    finally:
        with contextlib.suppress(Exception):  # a cluster already gone keeps nothing to remove
            client.unregister_worker_plugin(plugin.name)
