"""The chat web page (Gradio): answers stream in with their own sources, a side panel that follows the
answer you click, stop/regenerate/new chat, past chats kept by the browser, light and dark themes, a
phone layout, and an article manager (upload with a per-file report, search, sort, delete with undo).

``WebApp(pipeline).build()`` gives the ``gr.Blocks``; serve it with ``CSS`` and ``JS`` (``launch``
does), or mount it in another app with ``gr.mount_gradio_app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..pipeline import Pipeline
from .assets import CSS, JS
from .manager import UPLOAD_TYPES, safe_upload_name
from .page import WebApp

__all__ = ["CSS", "JS", "UPLOAD_TYPES", "WebApp", "auth_from_env", "launch", "prepare_serving", "safe_upload_name"]


def prepare_serving() -> None:
    """Settle, before the first request, what Gradio would otherwise do inside every request.

    Gradio wraps each event (each step of a streamed answer too) in ``MatplotlibBackendMananger``, which
    imports matplotlib whenever it is installed (the ``evals`` extra installs it) and asks for its backend;
    the first time, that imports pyplot, in the server's thread, while the answer worker runs in another.
    An ImportError there is swallowed before the manager records the backend, and its ``__exit__`` then
    raises ``AttributeError: ... '_original_backend'``: the event fails and the page is left waiting.
    Importing matplotlib here, with its non-interactive backend named, makes those calls plain lookups
    (no import, no backend switch) for the life of the process. Without matplotlib there is nothing to do.
    """
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.use("agg")


def auth_from_env() -> tuple[str, str] | None:
    """``QA_AUTH=user:password``, or ``QA_AUTH_FILE`` naming a file holding that line."""
    raw = os.environ.get("QA_AUTH")
    if not raw and os.environ.get("QA_AUTH_FILE"):
        raw = Path(os.environ["QA_AUTH_FILE"]).read_text().strip()
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise SystemExit("QA_AUTH must look like user:password")
    return user, password


def launch(pipeline: Pipeline, host: str | None = None, port: int | None = None, **kwargs: Any) -> Any:
    """Serve the page on loopback unless ``host`` or ``QA_WEB_HOST`` says otherwise; keep
    ``QA_WATCH_DIR`` (``scripts/chat``: ``corpus/``) ingested while it runs."""
    from ..ingest import watch

    watch.start(pipeline.ingestor, pipeline.settings.watch_dir)
    prepare_serving()
    demo = WebApp(pipeline).build()
    # Answers are serialised by the page itself (so waiting readers see their place); this limit
    # applies to the other events (uploads, deletes).
    demo.queue(default_concurrency_limit=1)
    return demo.launch(server_name=host or pipeline.settings.web_host, server_port=port or pipeline.settings.web_port,
                       auth=auth_from_env(), max_file_size=f"{int(pipeline.settings.max_file_mb)}mb",
                       css=CSS, js=JS, **kwargs)
