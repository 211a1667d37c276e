"""The demo in a real terminal: tmux at 80×24, read back with capture-pane."""
import os
import subprocess
import time

import pytest

from tests.fixtures.tui import capture, pane_flag, wait_for


@pytest.mark.parametrize("term", ["xterm", "screen", "tmux-256color"])
def test_demo_in_tmux_then_the_terminal_is_restored(tmux, term):
    base, exit_file = tmux({"TERM": term, "SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22"})
    screen = wait_for(base, "Verdict")
    assert "PREVIEW" in screen and "ACMEv1 IN USE" in screen
    assert "n Next" in screen and "q Quit" in screen and "? Help" in screen
    assert pane_flag(base, "mouse_any_flag") == "0"          # over SSH the mouse stays off
    subprocess.run(base + ["send-keys", "-t", "w", "2"], check=True)
    wait_for(base, "ACME-001")
    subprocess.run(base + ["send-keys", "-t", "w", "q"], check=True)
    deadline = time.monotonic() + 10
    while not os.path.exists(exit_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open(exit_file).read().strip() == "EXIT=0"
    assert pane_flag(base, "alternate_on") == "0" and pane_flag(base, "mouse_any_flag") == "0"
    assert "Verdict" not in capture(base)


def test_no_color_draws_without_colours(tmux):
    """NO_COLOR: Textual draws in black and white only (no hue, no truecolor)."""
    import re
    base, _exit_file = tmux({"TERM": "xterm-256color", "NO_COLOR": "1"})
    wait_for(base, "Verdict")
    time.sleep(0.3)
    screen = capture(base, escapes=True)
    greys = {0, 7, 8, 15, 16, 231, *range(232, 256)}
    hues = [code for code in re.findall(r"\x1b\[([0-9;]*)m", screen)
            if re.search(r"(^|;)(3[1-6]|4[1-6]|9[1-6]|10[1-6])(;|$)", code) or "38;2;" in code or "48;2;" in code
            or any(int(n) not in greys for n in re.findall(r"[34]8;5;(\d+)", code))]
    assert not hues, hues


def test_the_banners_read_in_sixteen_colours(tmux):
    """Dark on yellow for PREVIEW and bright white on red for the rehearsal: ANSI colours, not theme ones."""
    base, _exit_file = tmux({"TERM": "xterm"})
    wait_for(base, "PREVIEW")
    banner = capture(base, escapes=True).splitlines()[1]
    assert "\x1b[43m" in banner and "\x1b[30m" in banner, banner            # black on yellow
    subprocess.run(base + ["send-keys", "-t", "w", "d"], check=True)
    wait_for(base, "Leave preview?")
    subprocess.run(base + ["send-keys", "-t", "w", "y"], check=True)
    wait_for(base, "DEMO REHEARSAL")
    banner = capture(base, escapes=True).splitlines()[1]
    assert "\x1b[41m" in banner and "\x1b[97m" in banner, banner            # bright white on red
