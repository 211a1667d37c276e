"""check --json writes the logged runs one at a time (issue 15): the text is the same, byte for
byte, as the whole document written at once."""
import copy
import json
import os

from wizard.core import textsafe


def _whole(document, items):
    full = copy.deepcopy(document)
    full["logs"]["runs"] = list(items)
    return textsafe.json_text(full)


def _pieces(document, items):
    return "".join(textsafe.json_pieces(copy.deepcopy(document), ("logs", "runs"), iter(items)))


def test_pieces_make_the_same_text_as_the_whole_document():
    odd = os.fsdecode(b"/var/log/letsencrypt/caf\xe9.log")          # a name that is not UTF-8
    document = {"format_version": 1, "logs": {"files_scanned": 2, "runs": []}, "findings": [{"id": "x"}]}
    items = [{"file": odd, "line": 1, "arguments": ["renew", "--server", "https://x/\n"], "endpoints": []},
             {"file": "/var/log/letsencrypt/letsencrypt.log", "line": 9, "endpoints": [{"api": "v1", "line": 3}]}]
    for chosen in ([], items[:1], items):
        text = _pieces(document, chosen)
        assert text == _whole(document, chosen)
        assert json.loads(text)["logs"]["runs"][-1:] == json.loads(_whole(document, chosen))["logs"]["runs"][-1:]
    assert "caf\\\\xe9.log" in _pieces(document, items)                  # the byte written as \xNN

