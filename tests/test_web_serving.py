"""Gradio wraps every event of the page in ``MatplotlibBackendMananger``. Where matplotlib is installed
(the evals extra) and importing pyplot fails once, as an import racing another thread's can, the manager's
``__exit__`` raised ``AttributeError: '_original_backend'`` and the page's answer event failed.
``prepare_serving`` settles matplotlib before the first request, so events import nothing of it."""

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("matplotlib")

EVENT = textwrap.dedent("""
    import sys
    {prepare}
    sys.modules["matplotlib.pyplot"] = None  # importing pyplot now fails, as a racing import can
    from gradio import utils
    try:
        with utils.MatplotlibBackendMananger():
            pass
    except AttributeError as err:
        print("event failed:", err)
    else:
        print("event ran")
""")


def _event(prepare: str) -> str:
    out = subprocess.run([sys.executable, "-c", EVENT.format(prepare=prepare)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_an_event_fails_when_gradio_imports_pyplot_and_that_fails():
    result = _event("")
    assert result.startswith("event failed:") and "_original_backend" in result


def test_once_serving_is_prepared_events_import_nothing_of_matplotlib():
    assert _event("from qa.web import prepare_serving; prepare_serving()") == "event ran"
