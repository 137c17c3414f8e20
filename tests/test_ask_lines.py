"""`qa ask --json -` reads plain questions or JSON objects {"question", "as_of"?, "history"?}, one a line."""

from datetime import date

import pytest

from qa.cli_ask import parse_line as _ask_line


def test_plain_and_json_lines():
    assert _ask_line("How much has PURL delivered so far?\n") == ("How much has PURL delivered so far?", [], None)
    q, history, as_of = _ask_line('{"question": "When?", "as_of": "2025-08-31", "history": [["Q1", "A1"]]}')
    assert (q, history, as_of) == ("When?", [("Q1", "A1")], date(2025, 8, 31))


@pytest.mark.parametrize("line,message", [
    ("{not json", "not a JSON object"),
    ('{"q": "x"}', '"question"'),
    ('{"question": "x", "as_of": "last week"}', "ISO date"),
    ('{"question": "x", "history": ["just one"]}', "pairs"),
])
def test_bad_lines_say_what_is_wrong(line, message):
    with pytest.raises(ValueError, match=message):
        _ask_line(line)
