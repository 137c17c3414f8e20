"""A watched folder: files that land in it, change or leave it are ingested or forgotten as they do
(watchfiles), with the rules of ``qa ingest``: content-keyed dedup, one ``stat`` for an unchanged
file, a removed file's articles pruned unless another file holds them.

``qa ingest --watch DIR`` prints a line per change; the page (``QA_WATCH_DIR``, which ``scripts/chat``
sets to ``corpus/``) runs :func:`start` in a thread of its own.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ingest import Ingestor, IngestReport, file_type
from .load import supported

log = logging.getLogger(__name__)

# Names that are a file still on its way (a browser's or an editor's partial copy), not a file to read.
_PARTIAL = (".part", ".crdownload", ".download", ".tmp", ".partial", "~")


@dataclass
class Change:
    """What one batch of file events did: the ingest of the files that came or changed, and the files
    that left with the number of articles that left with them."""

    report: IngestReport
    gone: list[str] = field(default_factory=list)
    removed: int = 0

    def __bool__(self) -> bool:
        r = self.report
        return bool(r.added or r.updated or r.failed or r.skipped or r.notes or self.gone)

    def lines(self) -> list[str]:
        """One line per file changed (and per bad record), as ``qa ingest --watch`` prints them."""
        r = self.report
        out = []
        for path, status in r.files.items():
            if status in ("added", "updated"):
                out.append(f"{status}: {path}")
            elif status.startswith("failed"):
                out.append(f"failed: {path}: {status.removeprefix('failed: ')}")
        for f in r.failed:
            if "line" in f or "entry" in f:
                where = f"line {f['line']}" if "line" in f else f"entry {f['entry']}"
                out.append(f"failed: {f['path']}, {where}: {f['error']}")
            elif r.files.get(f["path"]) is None:
                out.append(f"failed: {f['path']}: {f['error']}")
        out += [f"note: {n['path']}" + (f", entry {n['entry']}" if "entry" in n else "") + f": {n['note']}"
                for n in r.notes]
        out += [f"skipped: {s['path']} ({s['type']} files are not read)" for s in r.skipped]
        out += [f"removed: {path}" for path in self.gone]
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.report.to_json(), "removed": self.report.removed + self.removed, "gone": self.gone}


def watch(ingestor: Ingestor, folders: Sequence[str | Path], stop: threading.Event | None = None,
          catch_up: bool = True, debounce_ms: int = 1600) -> Iterator[Change]:
    """Yield a :class:`Change` for every batch of events under ``folders`` that changed something,
    until ``stop`` is set (or the caller stops iterating). ``catch_up``: once the watch has begun,
    ingest what changed before it did, so nothing lands unseen between a first ingest and the watch."""
    from watchfiles import watch as fs_watch

    roots = [Path(f).resolve() for f in folders]
    first = True
    # yield_on_timeout: an empty batch when nothing happened, so the catch-up runs as soon as the
    # watch is in place rather than at the first event.
    for events in fs_watch(*roots, watch_filter=_Wanted(roots), stop_event=stop, debounce=debounce_ms,
                           rust_timeout=1000, yield_on_timeout=True, raise_interrupt=False):
        paths = sorted({Path(p) for _, p in events})
        if first and catch_up:
            paths = roots
        first = False
        if not paths:
            continue
        change = apply(ingestor, roots, paths)
        if change:
            yield change


def apply(ingestor: Ingestor, roots: Sequence[Path], paths: Sequence[Path]) -> Change:
    """Bring the collection in line with ``paths`` (files or folders that came, changed or went)."""
    present = [p for p in paths if p.exists()]
    with ingestor.lock:  # the page may upload or delete meanwhile
        report = ingestor.ingest([p for p in present if p.is_dir() or supported(p.name)])
        gone = ingestor.gone(roots)
        removed = ingestor.prune(roots) if gone else 0
    report.skipped += [{"path": str(p), "type": file_type(p)} for p in present if p.is_file() and not supported(p.name)]
    return Change(report, gone, removed)


class _Wanted:
    """watchfiles' filter: no hidden files or folders under the watched ones (``qa ingest`` skips them
    too), no partial copies."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = roots

    def __call__(self, change: Any, path: str) -> bool:
        p = Path(path)
        rel = next((p.relative_to(r) for r in self.roots if p.is_relative_to(r)), p)
        return not any(part.startswith(".") for part in rel.parts) and not path.endswith(_PARTIAL)


class Watcher:
    """A folder watched in a background thread; each change is handed to ``on_change`` (by default,
    printed a line at a time to stderr)."""

    def __init__(self, ingestor: Ingestor, folder: Path, on_change: Callable[[Change], None] | None = None,
                 debounce_ms: int = 1600) -> None:
        self.folder = folder
        self._stop = threading.Event()
        self._on_change = on_change or _print
        self._thread = threading.Thread(target=self._run, args=(ingestor, debounce_ms), name=f"watch {folder}",
                                        daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self, ingestor: Ingestor, debounce_ms: int) -> None:
        while not self._stop.is_set():
            try:
                for change in watch(ingestor, [self.folder], self._stop, debounce_ms=debounce_ms):
                    self._on_change(change)
                return
            except Exception:  # a watcher that dies leaves the page blind to the folder: log, go on
                log.exception("watching %s failed; starting again", self.folder)
                self._stop.wait(5)


def _print(change: Change) -> None:
    for line in change.lines():
        print(f"{line}", file=sys.stderr, flush=True)


def start(ingestor: Ingestor, folder: Path | None) -> Watcher | None:
    """The page's watcher of ``folder`` (``Settings.watch_dir``), started; None when there is none."""
    if folder is None:
        return None
    if not folder.is_dir():
        log.warning("not watching %s: no such folder", folder)
        return None
    print(f"watching {folder}: files that land there are ingested", file=sys.stderr, flush=True)
    return Watcher(ingestor, folder).start()
