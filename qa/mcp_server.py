"""``qa mcp``: the bot as an MCP server on stdio, for agent hosts (Claude Desktop, Cursor, ...).

Tools (each returns structured content, and the same as JSON text):
- ``search_articles(query, k, sources, after, before)``: ranked passages with offsets and scores;
- ``ask_articles(question, history, sources, after, before)``: the verified answer with its
  citations (the ``qa ask --json`` object);
- ``list_articles()``: the articles in the collection.

The data directory is ``QA_DATA_DIR`` as for every command. Stdout carries the protocol, so nothing
else may print there: logs go to stderr.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import MCPServer

from .pipeline import Pipeline, build
from .retrieve import Filters

log = logging.getLogger(__name__)


def create_server(pipeline: Pipeline) -> MCPServer:
    """An MCP server whose tools answer from ``pipeline``."""
    server = MCPServer("qa", instructions="Answers questions from a collection of news articles; every "
                       "fact in an answer is cited to the exact sentence of an article (quote and offsets). "
                       "A refusal ('The articles don't say') means the articles hold no answer.")

    def filters(sources: list[str] | None, after: str | None, before: str | None) -> Filters:
        return Filters(sources=tuple(sources or ()), after=after or None, before=before or None)

    @server.tool()
    def search_articles(query: str, k: int = 5, sources: list[str] | None = None, after: str | None = None,
                        before: str | None = None) -> dict[str, Any]:
        """Search the articles (dense + BM25 hybrid). Returns passages with article metadata,
        character offsets in the article and scores. `after`/`before`: ISO dates."""
        hits = pipeline.retriever.search(query, k=max(1, min(k, 50)), filters=filters(sources, after, before))
        return {"query": query, "hits": [h.to_json() for h in hits]}

    @server.tool()
    def ask_articles(question: str, history: list[list[str]] | None = None, sources: list[str] | None = None,
                     after: str | None = None, before: str | None = None, as_of: str | None = None
                     ) -> dict[str, Any]:
        """Answer a question from the articles. The answer's facts carry [n] markers; `citations`
        give each one's exact quote, offsets, outlet, date and url. `refused` is true when the
        articles don't say. `history`: earlier [question, answer] pairs, for follow-ups. `as_of`:
        an ISO date taken as today (later articles left out; "so far", "last week" counted from it)."""
        from .dates import parse_date

        pairs = [(h[0], h[1]) for h in history or [] if len(h) == 2]
        day = parse_date(as_of)
        if as_of and day is None:
            raise ValueError(f"as_of must be an ISO date like 2025-08-31, not {as_of!r}")
        answer = pipeline.answerer.ask(question, history=pairs, filters=filters(sources, after, before), as_of=day)
        return answer.to_json()

    @server.tool()
    def list_articles() -> dict[str, Any]:
        """The articles in the collection: id, title, outlet, date, url and passage count, newest first."""
        rows = pipeline.store.catalog.articles()
        return {"count": len(rows), "articles": [{k: v for k, v in r.items() if k != "path"} for r in rows]}

    return server


def main() -> None:
    """Run on stdio until the client closes it."""
    import threading

    pipeline = build()
    # Load the models while the client connects, not during its first question.
    threading.Thread(target=pipeline.answerer.warm_up, daemon=True, name="warm-up").start()
    create_server(pipeline).run("stdio")
