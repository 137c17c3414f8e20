"""The client side of ``qa serve`` for ``qa ask``: find a running server that answers from the same
data, and ask it.

Only the standard library is imported here: a ``qa ask`` answered by a server must start in a tenth
of a second, not spend 13 s importing torch, chromadb and the models (see README "Performance").
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any, cast

from .config import Settings, api_key, settings_id

log = logging.getLogger(__name__)

# Nothing listening answers "connection refused" at once; a server that is there answers /info in
# milliseconds. A busy or hung one must not make `qa ask` slower than loading in-process.
PROBE_TIMEOUT_S = 1.0
ASK_TIMEOUT_S = 300.0


class ServerError(RuntimeError):
    """The server could not be reached or gave no usable answer."""


def server_url(settings: Settings) -> str:
    """``QA_SERVER_URL``, or the default local ``qa serve`` on ``QA_WEB_PORT``."""
    return (settings.server_url or f"http://127.0.0.1:{settings.web_port}").rstrip("/")


def _request(url: str, body: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    key = api_key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return cast(dict[str, Any], json.loads(resp.read()))
    except (OSError, ValueError) as err:  # URLError, HTTPError, timeouts and bad JSON alike
        raise ServerError(f"{url}: {err}") from None


def find_server(settings: Settings) -> str | None:
    """The URL of a running ``qa serve`` whose answers come from the same data and models as these
    settings would give in-process; None when there is none (or it serves another data directory)."""
    url = server_url(settings)
    try:
        info = _request(f"{url}/v1/qa/info", None, PROBE_TIMEOUT_S)
    except ServerError as err:
        log.info("no qa server used: %s", err)
        return None
    if info.get("settings_id") != settings_id(settings):
        log.info("the qa server at %s answers from other data or settings; answering in-process", url)
        return None
    log.info("answering through the qa server at %s", url)
    return url


def ask(url: str, question: str, filters: dict[str, Any]) -> dict[str, Any]:
    """The answer as ``qa ask --json`` prints it, from the server at ``url``."""
    return _request(f"{url}/v1/qa/ask", {"question": question, "filters": filters}, ASK_TIMEOUT_S)
