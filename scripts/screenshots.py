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

from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host
from wizard.i18n import _, set_language
from wizard.tui.app import wizard_app
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
    session = Session(LocalTarget(root, demo=True), _("demo host (CentOS 6, certbot-auto 0.20.0)"), preview=True, demo=True,
                      now=NOW)
    app = wizard_app(session, report_dir="/srv/reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        return app.save_screenshot(filename=f"{name}.svg", path=OUT)


def report_page_one(root: str, language: str = "en") -> None:
    """Page one of the demo's HTML report, printed by headless Chromium, as PNG (pdftoppm)."""
    set_language(language)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not (chromium and shutil.which("pdftoppm")):
        print("skipped the report page: chromium and poppler-utils are needed")
        return
    from wizard.core.analyse.diagnose import diagnose
    from wizard.core.invocation import Invocation
    from wizard.core.plan.build import build_plan
    from wizard.core.probe.run import run_probe
    from wizard.core.report.model import build_report
    from wizard.render.report import render_html
    target = LocalTarget(root, demo=True)
    diagnosis = diagnose(run_probe(target), now=NOW)
    document = build_report(diagnosis, build_plan(diagnosis), target, "/var/lib/acme-wizard", now=NOW,
                            label=_("demo host (CentOS 6, certbot-auto 0.20.0)"), invocation=Invocation(demo=True))
    work = tempfile.mkdtemp(prefix="acme-wizard-report-")
    try:
        html_path = os.path.join(work, "report.html")
        with open(html_path, "w", encoding="utf-8") as handle:
            handle.write(render_html(document).replace("@page {", "@page { size: A4; ", 1))
        pdf = os.path.join(work, "report.pdf")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={work}/profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        f"file://{html_path}"], capture_output=True, check=True, timeout=120)
        name = "report-page1" + ("" if language == "en" else f"-{language}")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf,
                        os.path.join(OUT, name)], check=True)
        print(os.path.join(OUT, name + ".png"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        set_language("en")


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    root = build_demo_host(tempfile.mkdtemp(prefix="acme-wizard-shots-"))
    try:
        report_page_one(root)
        report_page_one(root, "ja")
        shots = [(name, keys, "en") for name, keys in SCREENS] + [("overview-ja", (), "ja"), ("findings-ja", ("2",), "ja")]
        for name, keys, language in shots:
            set_language(language)
            svg = asyncio.run(shoot(name, keys, root))
            set_language("en")
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
