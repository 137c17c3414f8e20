"""The store against a real Chroma server on loopback (``chroma run``), as with QA_CHROMA_URL."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.config import load_settings
from qa.index.chroma import BackendUnavailable
from qa.index.store import Store
from qa.ingest.ingest import Ingestor
from qa.retrieve import Retriever

from .conftest import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe if exe.exists() else shutil.which("chroma")), "run", "--path", str(path),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import chromadb

    deadline = time.time() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(chroma_server, tmp_path, corpus, embedder):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    settings = load_settings(env | {"QA_DATA_DIR": str(tmp_path / "d"), "QA_CHROMA_URL": chroma_server})
    store = Store(settings, embedder=embedder)
    assert not settings.chroma_dir.exists()  # nothing on local disk: vectors live on the server
    report = Ingestor(store).ingest([corpus])
    assert report.added == 1 and store.vectors.count() == report.passages
    assert Ingestor(store).ingest([corpus]).passages == 0
    hit = Retriever(store).search("PURL delivered", k=1)[0]
    assert "one and a half billion dollars" in hit.passage.text
    (corpus / next(corpus.iterdir()).name).unlink()
    Ingestor(store).ingest([corpus], prune=True)
    assert store.vectors.count() == 0
    store.close()


def test_a_dead_chroma_server_gives_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    port = free_port()
    settings = load_settings(env | {"QA_DATA_DIR": str(tmp_path), "QA_CHROMA_URL": f"http://127.0.0.1:{port}"})
    with pytest.raises(BackendUnavailable, match=f"Chroma server at http://127.0.0.1:{port} is not reachable"):
        Store(settings)
