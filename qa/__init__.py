"""Question answering over news articles with verified, sentence-level citations."""

__version__ = "0.1.0"
