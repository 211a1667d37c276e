"""Text the TUI wraps once, at the width it has: by cells, words whole, styles kept, kinsoku kept."""
import pytest
from rich.text import Text

from wizard.render.width import cells, wrap
from wizard.tui.widgets.prose import Para, lay_out

JA = "判断が必要です: cキーで、このサーバーに現行クライアントを導入する方法を選んでください。"


@pytest.mark.parametrize("width", range(12, 81))
def test_no_line_is_wider_than_the_widget_and_no_word_is_lost(width):
    command = "$ env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 /opt/certbot/bin/pip install 'certbot<1.24'"
    laid = lay_out([Para(JA, 0, 2), Para(command, 2, 6, fold=True), Para("+30 2 * * 1 root /opt/certbot/bin/certbot", 2, 3,
                                                                      fold=True)], width)
    lines = laid.plain.split("\n")
    assert all(cells(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == (JA + command + "+30 2 * * 1 root /opt/certbot/bin/certbot").replace(" ", "")


def test_a_key_written_against_its_japanese_word_is_never_left_alone_at_a_line_end():
    for width in range(10, 60):
        for line in wrap(JA, width):
            assert not line.endswith("c"), (width, line)
            assert not line.startswith(("、", "。", "ー")), (width, line)


def test_styles_follow_their_words_onto_the_next_line():
    text = Text.assemble(("Verdict: ", "bold"), ("ACMEv1 IN USE: renewals depend on the retired API.", "red"))
    laid = lay_out([Para(text, 0, 4)], 24)
    assert laid.plain.split("\n")[1].startswith("    ")
    red = [laid.plain[s.start:s.end] for s in laid.spans if s.style == "red"]
    assert "".join(red).replace(" ", "") == "ACMEv1INUSE:renewalsdependontheretiredAPI."
    assert all(laid.plain[s.start:s.end].strip() == "Verdict:" for s in laid.spans if s.style == "bold")


def test_a_diff_line_keeps_its_sign_and_colour_when_folded():
    line = "+30 2 * * 1 root env LD_LIBRARY_PATH=/opt/rh/rh-python36/root/usr/lib64 /opt/certbot/bin/certbot renew"
    laid = lay_out([Para(Text(line, style="green"), 2, 3, fold=True)], 40)
    rows = laid.plain.split("\n")
    assert rows[0].startswith("  +30") and all(row.startswith("   ") for row in rows[1:])
    assert {s.style for s in laid.spans} == {"green"}


@pytest.mark.parametrize("width", range(30, 90))
def test_an_option_never_starts_a_line_away_from_its_command(width):
    undo = "undo: remove the venv and the link with rm -f /usr/bin/certbot; rm -rf /opt/certbot (nothing else)"
    for line in wrap(undo, width, "    ", "      "):
        assert not line.rstrip().endswith((" rm", ":rm")), line
        assert not line.lstrip().startswith(("-f", "-rf")), line
