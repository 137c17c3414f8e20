"""The bot as components of other frameworks: ``qa.integrations.llama_index``."""
