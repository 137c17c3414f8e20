"""Ingestion: files -> articles -> passages -> vectors, idempotent and keyed on content.

Unchanged files cost one ``stat``; a changed file replaces its old passages; the same article under
two names is stored once; ``prune`` forgets files that are gone. Work is committed in batches, vectors
first and catalog second, so a run killed half-way is completed by the next without duplicates.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import guard
from ..index.catalog import FileRecord
from ..index.store import Store
from ..records import Article, Passage
from .chunk import chunk
from .load import LoadError, load_file, supported


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    # Files that could not be read, and records of a file that could not (with their "line" or "entry").
    failed: list[dict[str, Any]] = field(default_factory=list)
    passages: int = 0  # passages embedded and written in this run
    files: dict[str, str] = field(default_factory=dict)  # path -> "added" | "updated" | ... (for the UI)
    # Text that instructs an AI instead of informing (qa.guard): kept in the article, never evidence.
    flagged: list[dict[str, Any]] = field(default_factory=list)
    # Files in the named folders of a type that is not read: {"path", "type"}.
    skipped: list[dict[str, str]] = field(default_factory=list)
    # Articles taken with a caveat: {"path", "entry"?, "note"} (a feed entry that is only a summary).
    notes: list[dict[str, Any]] = field(default_factory=list)

    def flag(self, article: Article, path: str | None) -> None:
        """Note the article's sentences (and title) that read as instructions to an AI."""
        if guard.instruction_reason(article.title):
            self.flagged.append({"path": path, "article_id": article.id, "title": article.title, "where": "title",
                                 "start": None, "end": None, "text": article.title,
                                 "reason": guard.instruction_reason(article.title)})
        for f in guard.flags(article.text):
            self.flagged.append({"path": path, "article_id": article.id, "title": article.title, "where": "text",
                                 "start": f.start, "end": f.end, "text": article.text[f.start:f.end],
                                 "reason": f.reason})

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "failed": self.failed, "passages": self.passages,
                "flagged": self.flagged, "skipped": self.skipped, "notes": self.notes}

    def problems(self, path: str) -> list[dict[str, Any]]:
        """The failed records and the notes of one file (for a per-file report)."""
        return ([f for f in self.failed if f["path"] == path and ("line" in f or "entry" in f)]
                + [n for n in self.notes if n["path"] == path])


def file_type(path: Path) -> str:
    """How a skipped file's type is named: its suffix, or what it lacks."""
    return path.suffix.lower() or "no file name extension"


def walk(paths: Iterable[str | Path], skipped: list[Path] | None = None) -> Iterator[Path]:
    """Yield the files to ingest: named files as they are (an unsupported one fails with a reason),
    and the supported, non-hidden files under named directories; the other non-hidden files under them
    are appended to ``skipped``."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if supported(name):
                        yield Path(root) / name
                    elif skipped is not None:
                        skipped.append(Path(root) / name)
        else:
            yield p


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass
class _Pending:
    """A changed file whose new articles are waiting to be embedded."""
    record: FileRecord
    old_ids: tuple[str, ...]
    new: list[tuple[Article, list[Passage]]]


class Ingestor:
    def __init__(self, store: Store, batch_passages: int = 512) -> None:
        self.store = store
        self.batch_passages = batch_passages
        # One change to the collection at a time: the page's uploads and deletes and a folder watcher
        # share this ingestor.
        self.lock = threading.RLock()

    def ingest(self, paths: Sequence[str | Path], prune: bool = False, progress: bool = False) -> IngestReport:
        with self.lock:
            return self._ingest(paths, prune, progress)

    def _ingest(self, paths: Sequence[str | Path], prune: bool, progress: bool) -> IngestReport:
        report = IngestReport()
        catalog = self.store.catalog
        limit = int(self.store.settings.max_file_mb * 1024 * 1024)
        pending: list[_Pending] = []
        seen_ids: set[str] = set()
        skipped: list[Path] = []
        for path in walk(paths, skipped):
            key = str(path.resolve())
            try:
                st = path.stat()
                old = catalog.file(key)
                if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
                    report.unchanged += len(old.article_ids)
                    report.files[str(path)] = "unchanged"
                    continue
                if st.st_size > limit:
                    raise LoadError(f"file too large ({st.st_size / 1e6:.1f} MB; limit "
                                    f"{self.store.settings.max_file_mb:g} MB)")
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                if old and old.sha256 == digest:  # touched, not changed
                    catalog.commit(files=[FileRecord(key, st.st_size, st.st_mtime_ns, digest, old.article_ids)])
                    report.unchanged += len(old.article_ids)
                    report.files[str(path)] = "unchanged"
                    continue
                loaded = load_file(data, path.name, path=str(path))
            except FileNotFoundError:
                report.failed.append({"path": str(path), "error": "no such file or directory"})
                continue
            except (LoadError, OSError) as err:
                reason = str(err) if isinstance(err, LoadError) else (err.strerror or str(err))
                report.failed.append({"path": str(path), "error": reason})
                report.files[str(path)] = "failed: " + reason
                continue
            # A bad record is listed and the file's other records go on.
            report.failed.extend(p.to_json(str(path)) for p in loaded.failed)
            report.notes.extend({**p.to_json(str(path)), "note": p.reason} for p in loaded.notes)
            if not loaded.articles:
                report.files[str(path)] = f"failed: none of its {len(loaded.failed)} records could be read"
                continue
            unique = list({a.id: a for a in loaded.articles}.values())
            new = [(a, chunk(a, self.store.settings.chunk_chars)) for a in unique
                   if a.id not in seen_ids and not catalog.has_article(a.id)]
            seen_ids.update(a.id for a in unique)
            for a, _ in new:
                report.flag(a, str(path))
            new_ids = {a.id for a, _ in new}
            record = FileRecord(key, st.st_size, st.st_mtime_ns, digest, tuple(a.id for a in unique))
            old_ids = old.article_ids if old else ()
            gone = len(set(old_ids) - set(record.article_ids))
            fresh = len(new_ids)
            report.updated += min(gone, fresh)
            report.added += fresh - min(gone, fresh)
            report.unchanged += len(unique) - fresh
            report.files[str(path)] = "updated" if old else ("added" if fresh else "unchanged")
            pending.append(_Pending(record, old_ids, new))
        report.skipped.extend({"path": str(p), "type": file_type(p)} for p in skipped)
        report.removed += self._write(pending, report, progress)
        if prune:
            report.removed += self._prune(paths)
        self.store.bm25()  # bring the keyword index up to date now, not at the first search
        return report

    def ingest_articles(self, articles: Sequence[Article], origin: str, progress: bool = False) -> IngestReport:
        """Ingest records that do not come from files of their own (a data set, an upload API).
        ``origin`` + each article's path (or id) is its key for updates."""
        with self.lock:
            return self._ingest_articles(articles, origin, progress)

    def _ingest_articles(self, articles: Sequence[Article], origin: str, progress: bool) -> IngestReport:
        report = IngestReport()
        pending = []
        seen: set[str] = set()
        for art in articles:
            if art.id in seen:
                continue
            seen.add(art.id)
            key = f"{origin}:{art.path or art.id}"
            old = self.store.catalog.file(key)
            if old and art.id in old.article_ids:
                report.unchanged += 1
                continue
            new = [] if self.store.catalog.has_article(art.id) else [(art, chunk(art, self.store.settings.chunk_chars))]
            if new:
                report.added += 1
                report.flag(art, art.path)
            else:
                report.unchanged += 1
            pending.append(_Pending(FileRecord(key, 0, 0, art.id, (art.id,)), old.article_ids if old else (), new))
        report.removed += self._write(pending, report, progress)
        self.store.bm25()
        return report

    def _write(self, pending: list[_Pending], report: IngestReport, progress: bool) -> int:
        """Embed and store the pending files' new articles in batches; return articles removed."""
        total = sum(len(ps) for p in pending for _, ps in p.new)
        bar = None
        if progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="passage", desc="Embedding", file=sys.stderr)
        removed = 0
        batch: list[_Pending] = []
        size = 0
        for item in pending:
            batch.append(item)
            size += sum(len(ps) for _, ps in item.new)
            if size >= self.batch_passages:
                removed += self._write_batch(batch, report, bar)
                batch, size = [], 0
        if batch:
            removed += self._write_batch(batch, report, bar)
        if bar:
            bar.close()
        return removed

    def _write_batch(self, batch: list[_Pending], report: IngestReport, bar: Any) -> int:  # bar: tqdm or None
        passages = [p for item in batch for _, ps in item.new for p in ps]
        articles = {a.id: a for item in batch for a, _ in item.new}
        if passages:
            vectors = self.store.embedder.embed([p.text for p in passages])
            self.store.vectors.upsert(passages, vectors, articles)
        # Articles new to this batch but also met earlier in it are committed once.
        entries = list({a.id: (a, ps) for item in batch for a, ps in item.new}.values())
        orphans = self.store.catalog.commit(articles=entries, files=[item.record for item in batch])
        self.store.removed(orphans)
        report.passages += len(passages)
        if bar:
            bar.update(len(passages))
        # Orphans that replaced a file's old version were counted as "updated" already.
        replaced = sum(min(len(set(i.old_ids) - set(i.record.article_ids)), len(i.new)) for i in batch)
        return max(len(orphans) - replaced, 0)

    def delete(self, article_ids: Sequence[str]) -> list[str]:
        """Remove articles from the collection: their passages leave the catalog, Chroma and BM25.

        The files they came from stay known without them, so re-ingesting an unchanged file does not
        bring them back (a changed file does). Returns the ids that were removed."""
        with self.lock:
            return self._delete(set(article_ids))

    def _delete(self, drop: set[str]) -> list[str]:
        records = [FileRecord(f.path, f.size, f.mtime_ns, f.sha256, tuple(a for a in f.article_ids if a not in drop))
                   for f in self.store.catalog.files() if drop.intersection(f.article_ids)]
        orphans = self.store.catalog.commit(files=records)
        self.store.removed(orphans)
        self.store.bm25()  # rebuild the keyword index now, not at the next question
        return orphans

    def prune(self, roots: Sequence[str | Path]) -> int:
        """Forget files under ``roots`` that no longer exist; return the number of articles removed."""
        with self.lock:
            return self._prune(roots)

    def gone(self, roots: Sequence[str | Path]) -> list[str]:
        """The files under ``roots`` that were ingested and no longer exist."""
        resolved = [str(Path(r).resolve()) for r in roots]
        return [f.path for f in self.store.catalog.files()
                if f.path.startswith("/") and any(_under(f.path, r) for r in resolved) and not Path(f.path).exists()]

    def _prune(self, roots: Sequence[str | Path]) -> int:
        orphans = self.store.catalog.commit(drop_files=self.gone(roots))
        self.store.removed(orphans)
        return len(orphans)

    def restore(self, article: Article, files: Sequence[FileRecord]) -> IngestReport:
        """Put back an article that ``delete`` removed (the page's undo): its passages are embedded again and
        ``files``, the records that held it before the delete, hold it again. A file changed since keeps
        its new articles as well."""
        report = IngestReport()
        current = {f.path: f for f in self.store.catalog.files()}
        records = []
        for then in files or [FileRecord(f"restored:{article.id}", 0, 0, article.id, (article.id,))]:
            now = current.get(then.path, then)
            ids = tuple(a for a in then.article_ids if a == article.id or a in now.article_ids)
            ids += tuple(a for a in now.article_ids if a not in ids)
            records.append(FileRecord(now.path, now.size, now.mtime_ns, now.sha256, ids))
        new = [] if self.store.catalog.has_article(article.id) else [(article, chunk(article,
                                                                                    self.store.settings.chunk_chars))]
        report.added = len(new)
        pending = [_Pending(rec, rec.article_ids, new if i == 0 else []) for i, rec in enumerate(records)]
        self._write(pending, report, progress=False)
        self.store.bm25()
        return report
