"""Where passages live: ``store`` (the facade the rest of the code uses) over the SQLite ``catalog``, the
``chroma`` vectors and the ``bm25`` keyword index; ``embed`` turns text into vectors (ONNX Runtime by default,
exported once by ``onnx_export``, run by ``onnx_embed``)."""
