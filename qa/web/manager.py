"""The article manager: search and sort the collection, delete an article, upload files with a
per-file report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import gradio as gr

from ..ingest.load import FORMATS, SUFFIXES
from ..pipeline import Pipeline
from . import render

UPLOAD_TYPES = sorted(SUFFIXES)  # every format `qa ingest` reads
ACCEPTED = f"accepted: {FORMATS} ({' '.join(UPLOAD_TYPES)})"


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


class ArticleManager:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.uploads = (pipeline.settings.data_dir / "uploads").resolve()

    # ------------------------------------------------------------------ handlers
    def listing(self, query: str = "", sort: str = render.SORTS[0]) -> tuple[list[list[Any]], list[str], str]:
        """The table's rows, the ids in the same order, and a count line."""
        articles = self.pipeline.store.catalog.articles()
        rows = render.article_rows(articles, query, sort)
        shown = f"{len(rows):,} of {len(articles):,} articles" if query else f"{len(articles):,} articles"
        return render.table(rows), [a["id"] for a in rows], shown + " · click a row to select it for deletion"

    def pick(self, ids: list[str], evt: gr.SelectData) -> tuple[str, Any]:
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(ids):
            return "", gr.update(visible=False)
        art = self.pipeline.store.article(ids[row])
        if art is None:
            return "", gr.update(visible=False)
        return art.id, gr.update(value=f"Delete “{art.title[:60]}”", visible=True)

    def delete(self, article_id: str, query: str, sort: str
               ) -> tuple[list[list[Any]], list[str], str, str, Any, str, Any]:
        art = self.pipeline.store.article(article_id) if article_id else None
        if art is None:
            note = "Choose an article in the table first."
        else:
            passages = len(self.pipeline.store.passages_of(article_id))
            self.pipeline.ingestor.delete([article_id])
            self._forget_upload(art.path)
            note = f"Deleted “{render.esc(art.title)}” ({passages} passages); questions no longer use it."
        rows, ids, count = self.listing(query, sort)
        return (rows, ids, count, "", gr.update(visible=False), note,
                gr.update(choices=self.pipeline.store.sources()))

    def _forget_upload(self, path: str | None) -> None:
        """An uploaded file whose articles are all deleted is removed, so uploading it again adds it again."""
        if not path or not Path(path).resolve().is_relative_to(self.uploads):
            return
        record = self.pipeline.store.catalog.file(str(Path(path).resolve()))
        if record is not None and not record.article_ids:
            Path(path).unlink(missing_ok=True)
            self.pipeline.ingestor.prune([self.uploads])

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
                results.append((dest.name, f"{status}: {len(ids)} article{'s' if len(ids) != 1 else ''}, "
                                            f"{n} passages ({detail}){records}"))
        rows, ids_shown, count = self.listing(query, sort)
        return (None, render.upload_report(results) if results else "No files.", rows, ids_shown, count,
                gr.update(choices=self.pipeline.store.sources()))

    # ------------------------------------------------------------------ components
    def build(self, demo: gr.Blocks, outlets: gr.Dropdown) -> None:
        """The manager's components and events, inside the current Blocks; ``outlets`` is the filter
        dropdown, refreshed when the set of outlets changes."""
        rows, ids, count = self.listing()
        types = " ".join(UPLOAD_TYPES)
        # No file_types filter: Gradio's own refusal says only "Invalid file type"; the report names the
        # accepted formats for a file of another type.
        files = gr.File(file_count="multiple", elem_id="qa-upload",
                        label=f"Add articles: {types} (up to {self.pipeline.settings.max_file_mb:g} MB each)")
        gr.Markdown(f"Accepted: {FORMATS} ({types}).", elem_id="qa-types")
        report = gr.HTML(elem_id="qa-upload-status")
        with gr.Row():
            search = gr.Textbox(placeholder="Find an article by title or outlet", show_label=False, scale=3,
                                elem_id="qa-art-search")
            sort = gr.Radio(list(render.SORTS), value=render.SORTS[0], show_label=False, scale=2,
                            elem_id="qa-art-sort")
        count_md = gr.Markdown(count, elem_id="qa-art-count")
        table = gr.Dataframe(rows, headers=["title", "outlet", "date", "passages"], interactive=False, wrap=True,
                             datatype=["str", "str", "str", "number"], column_widths=["58%", "20%", "13%", "9%"],
                             elem_id="qa-articles", max_height=420)
        shown = gr.State(ids)
        selected = gr.State("")
        with gr.Row():
            delete = gr.Button("Delete", variant="stop", visible=False, size="sm", elem_id="qa-delete")
        note = gr.Markdown(elem_id="qa-manager-status")
        private: dict[str, Any] = {"api_visibility": "private"}
        listing_out = [table, shown, count_md]
        files.upload(self.upload, [files, search, sort], [files, report, *listing_out, outlets], api_name="upload")
        search.change(self.listing, [search, sort], listing_out, **private)
        sort.change(self.listing, [search, sort], listing_out, **private)
        table.select(self.pick, [shown], [selected, delete], **private)
        delete.click(self.delete, [selected, search, sort], [*listing_out, selected, delete, note, outlets],
                     **private)
        # Another reader may have changed the collection since the page was built.
        demo.load(self.listing, [search, sort], listing_out, **private)
