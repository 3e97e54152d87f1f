"""The coding workspace: ``qual app PROJECT_DIR`` serves a project folder in the browser.

A project is a ``qual run`` or ``qual code`` output folder. Its store (``workspace.sqlite``
in the folder, ``qual.app.store``) is built from the folder's outputs on first open and is
the source of truth from then on; codings.csv, codings.xlsx, framework.xlsx, report.docx and
project.qdpx are exported from it (``export_project``).

    qual.app.safety    what the workspace refuses to serve (identifiable material)
    qual.app.outputs   the adapter to the rest of qual: reading and writing a project's files
    qual.app.store     the SQLite store: documents, turns, codebook, codings, memos, summaries, audit
    qual.app.project   opening a project (build or sync the store) and exporting it
    qual.app.queries   what each view shows, as plain data
    qual.app.jobs      background export and recomputing suggestions
    qual.app.web       the ASGI application and its guard (token, host, origin, CSRF)
    qual.app.api       its JSON endpoints
    qual.app.server    serving it on 127.0.0.1 with uvicorn

The web parts need the ``app`` extra (Starlette, uvicorn, Jinja2); the store, the project
and the queries do not.
"""

from .project import Project, export_project, open_project, unexported_changes
from .store import STORE_FILE, EditConflict, Store

__all__ = ["Project", "Store", "STORE_FILE", "EditConflict", "open_project", "export_project", "unexported_changes"]
