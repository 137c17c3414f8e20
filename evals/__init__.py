"""The evaluation and benchmark tools: the gold question suite (``qa eval``), the RealTime QA benchmark
(``qa eval --benchmark realtimeqa``) with the LlamaIndex starter pipeline as its baseline, and the
performance benchmark (``qa bench``).

Not part of the product: installed from a checkout with the ``evals`` extra (``pip install -e '.[evals]'``),
they use the product only through ``qa.pipeline.build``, its records and public methods. Their data (the
gold questions and fixtures) lies beside this code, in the checkout's ``evals/`` folder."""
