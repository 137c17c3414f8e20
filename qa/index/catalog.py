"""The catalog: articles, their passages' offsets and the files they came from, in SQLite.

Chroma holds the passage vectors; the catalog is the record of what has been ingested. It is
written after the vectors, in one transaction per batch, so an ingest killed half-way leaves a
catalog that the next run completes (vector ids are deterministic, so re-adding is an upsert).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import Article, Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, published TEXT, url TEXT, path TEXT,
    text TEXT NOT NULL, added_at REAL DEFAULT (unixepoch('subsec')), pages TEXT);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT, article_ids TEXT NOT NULL);
-- articles whose vectors must still be deleted from the vector store
CREATE TABLE IF NOT EXISTS pending_delete (article_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- which articles each generation added (1) or removed (0): the keyword index catches up from it
CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, article_id TEXT NOT NULL, added INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS changes_generation ON changes(generation);
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    article_ids: tuple[str, ...]


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        # Page offsets (PDF articles) came later: a catalog made before them gains the column, empty.
        if "pages" not in {r[1] for r in self._db.execute("PRAGMA table_info(articles)")}:
            self._db.execute("ALTER TABLE articles ADD COLUMN pages TEXT")
        # A catalog made before the change log existed has no history before its current generation.
        self._db.execute("INSERT OR IGNORE INTO meta SELECT 'changes_since', COALESCE("
                         "(SELECT value FROM meta WHERE key='generation'), '0')")
        self._lock = threading.RLock()

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_once(self, key: str, value: str) -> str:
        """Record ``value`` under ``key`` unless one is recorded already (by this process or another:
        the first wins); the value recorded."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
            return self.meta(key) or value

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ reads
    @property
    def generation(self) -> int:
        """Incremented by every change to the set of passages (the BM25 index follows it)."""
        value = self.meta("generation")
        return int(value) if value else 0

    def changes_since(self, generation: int) -> dict[str, bool] | None:
        """Articles added (True) or removed (False) after ``generation``, each by its last change;
        None when the log does not reach back that far."""
        since = self.meta("changes_since")
        if since is None or generation < int(since):
            return None
        rows = self._db.execute("SELECT article_id, added FROM changes WHERE generation>? "
                                "ORDER BY generation, rowid", (generation,))
        return {aid: bool(added) for aid, added in rows}

    def article(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT id, title, text, source, published, url, path, pages FROM articles "
                               "WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return None
        aid, title, text, source, published, url, path, pages = row
        return Article(aid, title, text, source, published, url, path, tuple(json.loads(pages)) if pages else ())

    def has_article(self, article_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def articles(self) -> list[dict[str, Any]]:
        """Metadata of every article with its passage count, newest first."""
        rows = self._db.execute(
            "SELECT a.id, a.title, a.source, a.published, a.url, a.path, COUNT(p.id) "
            "FROM articles a LEFT JOIN passages p ON p.article_id=a.id GROUP BY a.id "
            "ORDER BY a.published DESC, a.title").fetchall()
        keys = ("id", "title", "source", "published", "url", "path", "passages")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def iter_passages(self, batch: int = 500) -> Iterator[Passage]:
        """Every passage with its text, in a stable order (sliced from the article texts)."""
        cur = self._db.execute('SELECT p.id, p.article_id, p.idx, p.start, p.end, a.text FROM passages p '
                               "JOIN articles a ON a.id=p.article_id ORDER BY p.rowid")
        while rows := cur.fetchmany(batch):
            for pid, aid, idx, a, b, text in rows:
                yield Passage(pid, aid, idx, a, b, text[a:b])

    def passages_of(self, article_id: str) -> list[Passage]:
        art = self.article(article_id)
        if art is None:
            return []
        rows = self._db.execute('SELECT id, idx, start, "end" FROM passages WHERE article_id=? ORDER BY idx',
                                (article_id,)).fetchall()
        return [Passage(pid, article_id, idx, a, b, art.text[a:b]) for pid, idx, a, b in rows]

    def article_count(self) -> int:
        count: int = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return count

    def passage_count(self) -> int:
        count: int = self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return count

    def file(self, path: str) -> FileRecord | None:
        row = self._db.execute("SELECT path, size, mtime_ns, sha256, article_ids FROM files WHERE path=?",
                               (path,)).fetchone()
        return FileRecord(row[0], row[1], row[2], row[3], tuple(json.loads(row[4]))) if row else None

    def files(self) -> list[FileRecord]:
        rows = self._db.execute("SELECT path, size, mtime_ns, sha256, article_ids FROM files").fetchall()
        return [FileRecord(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))) for r in rows]

    def pending_deletes(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT article_id FROM pending_delete")]

    # ------------------------------------------------------------------ writes
    def commit(self, *, articles: Iterable[tuple[Article, list[Passage]]] = (),
               files: Iterable[FileRecord] = (), drop_files: Iterable[str] = ()) -> list[str]:
        """Record new articles and file mappings, forget dropped files, and return the ids of
        articles no file refers to any more (queued in ``pending_delete``), all in one transaction."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                changed = False
                log: list[tuple[str, int]] = []
                for art, passages in articles:
                    cur = db.execute("INSERT OR IGNORE INTO articles (id, title, source, published, url, path, text, "
                                     "pages) VALUES (?,?,?,?,?,?,?,?)",
                                     (art.id, art.title, art.source, art.published, art.url, art.path, art.text,
                                      json.dumps(art.pages) if art.pages else None))
                    if cur.rowcount:
                        log.append((art.id, 1))
                    db.executemany('INSERT OR IGNORE INTO passages (id, article_id, idx, start, "end") '
                                   "VALUES (?,?,?,?,?)",
                                   [(p.id, p.article_id, p.index, p.start, p.end) for p in passages])
                    # its vectors were just (re)written: a queued delete from an earlier run is stale
                    db.execute("DELETE FROM pending_delete WHERE article_id=?", (art.id,))
                    changed = True
                touched: set[str] = set()
                for path in drop_files:
                    old = self.file(path)
                    if old:
                        touched.update(old.article_ids)
                        db.execute("DELETE FROM files WHERE path=?", (path,))
                for rec in files:
                    old = self.file(rec.path)
                    if old:
                        touched.update(old.article_ids)
                    db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                               (rec.path, rec.size, rec.mtime_ns, rec.sha256, json.dumps(list(rec.article_ids))))
                referenced = self._referenced_ids()
                orphans = sorted(a for a in touched if a not in referenced)
                for aid in orphans:
                    db.execute("DELETE FROM passages WHERE article_id=?", (aid,))
                    db.execute("DELETE FROM articles WHERE id=?", (aid,))
                    db.execute("INSERT OR IGNORE INTO pending_delete VALUES (?)", (aid,))
                    log.append((aid, 0))
                    changed = True
                if changed:
                    db.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                               "DO UPDATE SET value=CAST(value AS INTEGER)+1")
                    db.executemany("INSERT INTO changes SELECT CAST(value AS INTEGER), ?, ? FROM meta "
                                   "WHERE key='generation'", log)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return orphans

    def _referenced_ids(self) -> set[str]:
        ids: set[str] = set()
        for (raw,) in self._db.execute("SELECT article_ids FROM files"):
            ids.update(json.loads(raw))
        return ids

    def done_deleting(self, article_ids: Iterable[str]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM pending_delete WHERE article_id=?", [(a,) for a in article_ids])
