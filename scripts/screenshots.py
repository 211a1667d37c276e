"""Regenerate screenshots/ from the real app: the demo host's main screens at 80×24.

    python3 scripts/screenshots.py

Writes SVG (Textual's own screenshots) and, where rsvg-convert is installed, PNG.
"""
from __future__ import annotations

import asyncio
import datetime
import os
import shutil
import subprocess
import tempfile

from wizard.core.target import LocalTarget
from wizard.demo import build_demo_host
from wizard.tui.app import WizardApp
from wizard.tui.session import Session

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "screenshots")
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)
SCREENS = [
    ("overview", ()),
    ("findings", ("2",)),
    ("plan", ("3", "c", "down", "enter")),
    ("apply-preview", ("3", "c", "down", "enter", "4")),
    ("help", ("question_mark",)),
]


async def shoot(name: str, keys: tuple, root: str) -> str:
    session = Session(LocalTarget(root), "demo host (CentOS 6, certbot-auto 0.20.0)", preview=True, demo=True, now=NOW)
    app = WizardApp(session, report_dir="/srv/reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        return app.save_screenshot(filename=f"{name}.svg", path=OUT)


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    root = build_demo_host(tempfile.mkdtemp(prefix="acme-wizard-shots-"))
    try:
        for name, keys in SCREENS:
            svg = asyncio.run(shoot(name, keys, root))
            print(svg)
            if shutil.which("rsvg-convert"):
                png = svg[:-4] + ".png"
                subprocess.run(["rsvg-convert", "-w", "960", svg, "-o", png], check=True)
                print(png)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
