"""Dates as readers say them."""

from __future__ import annotations

from datetime import datetime


def spoken_date(published: str | None) -> str | None:
    """"2025-08-23T17:15:00" -> "23 August 2025"; None when there is no usable date."""
    if not published:
        return None
    try:
        d = datetime.fromisoformat(published[:19])
    except ValueError:
        try:
            d = datetime.fromisoformat(published[:10])
        except ValueError:
            return None
    return f"{d.day} {d:%B %Y}"
