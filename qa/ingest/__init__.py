"""Article -> Passage: files are read (``load``, ``formats``), made into articles (``article``), split into
passages with character offsets (``chunk``) and stored with their vectors (``ingest``)."""
