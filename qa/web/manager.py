"""The article manager: upload files with a per-file report, search and sort the collection, delete an
article (after a confirmation, with an undo)."""

from __future__ import annotations

import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gradio as gr

from ..index.catalog import FileRecord
from ..ingest.load import FORMATS, SUFFIXES
from ..pipeline import Pipeline
from ..records import Article
from . import render

UPLOAD_TYPES = sorted(SUFFIXES)  # every format `qa ingest` reads
ACCEPTED = f"accepted: {FORMATS} ({' '.join(UPLOAD_TYPES)})"
TRASH = ".deleted"  # uploads/.deleted/: a deleted article's uploaded file, kept until the undo is gone


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or hide itself."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "upload"
    return base[:120]


def _records(problems: list[dict[str, Any]], shown: int = 5) -> str:
    """A file's bad records and notes, the first few in full."""
    def where(r: dict[str, Any]) -> str:
        return f"line {r['line']}: " if "line" in r else f"entry {r['entry']}: " if "entry" in r else ""

    out = "".join(f"; {where(r)}{r.get('note') or r['error']}" for r in problems[:shown])
    return out + (f"; and {len(problems) - shown} more" if len(problems) > shown else "")


def _hidden() -> Any:
    return gr.update(visible=False)


class ArticleManager:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.uploads = (pipeline.settings.data_dir / "uploads").resolve()
        self.trash = self.uploads / TRASH
        shutil.rmtree(self.trash, ignore_errors=True)  # undos do not outlive the page that offered them

    # ------------------------------------------------------------------ handlers
    def listing(self, query: str = "", sort: str = render.SORTS[0]) -> tuple[list[list[Any]], list[str], str]:
        """The table's rows, the ids in the same order, and a count line."""
        articles = self.pipeline.store.catalog.articles()
        rows = render.article_rows(articles, query, sort)
        total = render.plural(len(articles), "article")
        shown = f"{len(rows):,} of {total}" if query else total
        hint = " · choose one in the table to delete it" if rows else ""
        return render.table(rows), [a["id"] for a in rows], shown + hint

    def pick(self, ids: list[str], evt: gr.SelectData) -> tuple[str, Any, Any, Any]:
        """A row chosen in the table: the bar offering to delete that article. The row is found by what it
        shows (the table may have been sorted in the browser), else by its place."""
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        chosen = ids[row] if isinstance(row, int) and 0 <= row < len(ids) else None
        if isinstance(evt.row_value, list) and len(evt.row_value) >= 3:
            metas = {a["id"]: a for a in self.pipeline.store.catalog.articles()}
            shows = [i for i in ids if i in metas and render.table([metas[i]])[0][:3] == evt.row_value[:3]]
            chosen = chosen if chosen in shows else (shows[0] if shows else chosen)
        art = self.pipeline.store.article(chosen) if chosen else None
        if art is None:
            return "", _hidden(), _hidden(), _hidden()
        return (art.id, gr.update(value=f"**{render.md(art.title)}** · {render.md(art.source or 'unknown outlet')}"
                                        f" · {render.date(art.published)}", visible=True),
                gr.update(value="Delete…", visible=True), _hidden())

    def confirm(self, article_id: str) -> tuple[Any, Any, Any]:
        """Delete asks first, saying what goes."""
        art = self.pipeline.store.article(article_id) if article_id else None
        if art is None:
            return _hidden(), _hidden(), _hidden()
        n = len(self.pipeline.store.passages_of(article_id))
        return (gr.update(value=f"Delete **{render.md(art.title)}** and its {render.plural(n, 'passage')}? "
                                "Questions will no longer use it.", visible=True),
                _hidden(), gr.update(visible=True))

    def cancel(self, article_id: str) -> tuple[Any, Any, Any]:
        art = self.pipeline.store.article(article_id) if article_id else None
        return (gr.update(value=f"**{render.md(art.title)}**", visible=True) if art else _hidden(),
                gr.update(visible=art is not None), _hidden())

    def delete(self, article_id: str, query: str, sort: str) -> tuple[Any, ...]:
        """Delete the chosen article, keeping what an undo needs."""
        art = self.pipeline.store.article(article_id) if article_id else None
        undo: dict[str, Any] = {}
        if art is None:
            note = "Choose an article in the table first."
        else:
            passages = len(self.pipeline.store.passages_of(article_id))
            held = [f for f in self.pipeline.store.catalog.files() if article_id in f.article_ids]
            self.pipeline.ingestor.delete([article_id])
            moved = self._forget_upload(art.path)
            undo = {"article": asdict(art), "files": [asdict(f) for f in held], "moved": moved}
            note = (f"Deleted “{render.md(art.title)}” ({render.plural(passages, 'passage')}); questions no longer "
                    "use it.")
        rows, ids, count = self.listing(query, sort)
        uploaded = bool(art and art.path and Path(art.path).resolve().is_relative_to(self.uploads))
        return (rows, ids, count, "", _hidden(), _hidden(), _hidden(), note, gr.update(visible=bool(undo)), undo,
                gr.update(choices=self.pipeline.store.sources()),
                "" if uploaded else gr.skip())  # an upload's report, once its article is gone, is stale

    def undo(self, undo: dict[str, Any], query: str, sort: str) -> tuple[Any, ...]:
        """Put the last deleted article back, as it was."""
        note = "Nothing to undo."
        if undo:
            art = Article(**undo["article"])
            for trashed, original in undo.get("moved") or []:
                if Path(trashed).exists() and not Path(original).exists():
                    Path(trashed).replace(original)  # its size and time as they were: the file is unchanged
            self.pipeline.ingestor.restore(art, [FileRecord(**{**f, "article_ids": tuple(f["article_ids"])})
                                                 for f in undo["files"]])
            note = f"Restored “{render.md(art.title)}”."
        rows, ids, count = self.listing(query, sort)
        return rows, ids, count, note, _hidden(), {}, gr.update(choices=self.pipeline.store.sources())

    def _forget_upload(self, path: str | None) -> list[list[str]]:
        """An uploaded file whose articles are all deleted leaves the uploads folder (so uploading it again
        adds it again) for the trash, from where an undo brings it back. Returns the moves."""
        if not path or not Path(path).resolve().is_relative_to(self.uploads):
            return []
        source = Path(path).resolve()
        record = self.pipeline.store.catalog.file(str(source))
        if record is None or record.article_ids:
            return []
        moves = []
        if source.exists():
            self.trash.mkdir(parents=True, exist_ok=True)
            trashed = self.trash / source.name
            source.replace(trashed)
            moves.append([str(trashed), str(source)])
        self.pipeline.ingestor.prune([self.uploads])
        return moves

    def upload(self, files: list[Any] | None, query: str, sort: str, progress: gr.Progress = gr.Progress()
               ) -> tuple[None, str, list[list[Any]], list[str], str, Any]:
        """Ingest the uploaded files and report each one; the upload box is emptied afterwards."""
        results: list[tuple[str, str]] = []
        saved: list[Path] = []
        limit = self.pipeline.settings.max_file_mb * 1024 * 1024
        self.uploads.mkdir(parents=True, exist_ok=True)
        for f in progress.tqdm(files or [], desc="Reading"):
            src = Path(f if isinstance(f, str) else f.name)
            name = safe_upload_name(getattr(f, "orig_name", None) or src.name)
            if Path(name).suffix.lower() not in SUFFIXES:
                results.append((name, f"failed: {Path(name).suffix or 'a file without an extension'} is not an "
                                      f"accepted type ({ACCEPTED})"))
            elif src.stat().st_size > limit:
                results.append((name, f"failed: larger than {self.pipeline.settings.max_file_mb:g} MB"))
            else:
                shutil.copyfile(src, self.uploads / name)
                saved.append(self.uploads / name)
        if saved:
            progress(0.5, desc="Embedding")
            report = self.pipeline.ingestor.ingest(saved)
            failed = {r["path"]: r["error"] for r in report.failed if "line" not in r and "entry" not in r}
            for dest in saved:
                status = report.files.get(str(dest), "unchanged")
                # A file's bad records (and entries taken as summaries), under its line.
                records = _records(report.problems(str(dest)))
                if str(dest) in failed or status.startswith("failed"):
                    results.append((dest.name, f"failed: {failed.get(str(dest)) or status.removeprefix('failed: ')}"
                                               f"{records}"))
                    dest.unlink(missing_ok=True)
                    continue
                record = self.pipeline.store.catalog.file(str(dest.resolve()))
                ids = record.article_ids if record else ()
                n = sum(len(self.pipeline.store.passages_of(a)) for a in ids)
                detail = {"added": "new", "updated": "replaced the earlier version",
                          "unchanged": "already in the collection"}.get(status, status)
                results.append((dest.name, f"{status}: {render.plural(len(ids), 'article')}, "
                                            f"{render.plural(n, 'passage')} ({detail}){records}"))
        rows, ids_shown, count = self.listing(query, sort)
        return (None, render.upload_report(results) if results else "No files.", rows, ids_shown, count,
                gr.update(choices=self.pipeline.store.sources()))

    # ------------------------------------------------------------------ components
    def build(self, demo: gr.Blocks, outlets: gr.Dropdown) -> list[Any]:
        """The manager's components and events, inside the current Blocks; ``outlets`` is the filter
        dropdown, refreshed when the set of outlets changes. Returns the events that change the collection
        (for the page to follow with what depends on it)."""
        rows, ids, count = self.listing()
        types = " ".join(UPLOAD_TYPES)
        # No file_types filter: Gradio's own refusal says only "Invalid file type"; the report names the
        # accepted formats for a file of another type.
        files = gr.File(file_count="multiple", elem_id="qa-upload", height=130,
                        label=f"Add articles: {types} (up to {self.pipeline.settings.max_file_mb:g} MB each)")
        gr.Markdown(f"Accepted: {FORMATS} ({types}).", elem_id="qa-types")
        report = gr.HTML(elem_id="qa-upload-status")
        with gr.Row(equal_height=True):
            search = gr.Textbox(placeholder="Find an article by title or outlet", show_label=False, scale=3,
                                elem_id="qa-art-search", container=False)
            sort = gr.Dropdown(list(render.SORTS), value=render.SORTS[0], show_label=False, scale=1, min_width=150,
                               elem_id="qa-art-sort", container=False)
        count_md = gr.Markdown(count, elem_id="qa-art-count")
        table = gr.Dataframe(rows, headers=["Title", "Outlet", "Date", "Passages"], interactive=False, wrap=True,
                             datatype=["str", "str", "str", "number"], column_widths=["56%", "20%", "14%", "10%"],
                             elem_id="qa-articles", max_height=460)
        shown = gr.State(ids)
        selected = gr.State("")
        undo_state = gr.State({})
        with gr.Row(elem_id="qa-delete-bar", equal_height=True):
            chosen = gr.Markdown(visible=False, elem_id="qa-chosen")
            delete = gr.Button("Delete…", variant="stop", visible=False, size="sm", scale=0, min_width=100,
                               elem_id="qa-delete")
        with gr.Row(visible=False, elem_id="qa-confirm", equal_height=True) as confirm_row:
            really = gr.Button("Delete", variant="stop", size="sm", scale=0, min_width=90, elem_id="qa-really")
            keep = gr.Button("Cancel", size="sm", scale=0, min_width=90, elem_id="qa-keep")
        with gr.Row(elem_id="qa-manager-note", equal_height=True):
            note = gr.Markdown(elem_id="qa-manager-status")
            undo = gr.Button("Undo", size="sm", visible=False, scale=0, min_width=90, elem_id="qa-undo")
        private: dict[str, Any] = {"api_visibility": "private"}
        listing_out = [table, shown, count_md]
        uploaded = files.upload(self.upload, [files, search, sort], [files, report, *listing_out, outlets],
                                api_name="upload")
        search.change(self.listing, [search, sort], listing_out, **private)
        sort.change(self.listing, [search, sort], listing_out, **private)
        table.select(self.pick, [shown], [selected, chosen, delete, confirm_row], **private)
        delete.click(self.confirm, [selected], [chosen, delete, confirm_row], **private)
        keep.click(self.cancel, [selected], [chosen, delete, confirm_row], **private)
        deleted = really.click(self.delete, [selected, search, sort],
                               [*listing_out, selected, chosen, delete, confirm_row, note, undo, undo_state, outlets,
                                report], **private)
        undone = undo.click(self.undo, [undo_state, search, sort], [*listing_out, note, undo, undo_state, outlets],
                            **private)
        # Another reader may have changed the collection since the page was built.
        demo.load(self.listing, [search, sort], listing_out, **private)
        return [uploaded, deleted, undone]
