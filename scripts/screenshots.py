"""Regenerate screenshots/ from the real app: the demo walked at 80×24, from the overview through a
rehearsed apply (its failed step), the verification and the report.

    python3 scripts/screenshots.py

Writes SVG (Textual's own screenshots) and, where Chromium is installed, PNG.
"""
from __future__ import annotations

import asyncio
import datetime
import os
import shutil
import subprocess
import tempfile

from textual.pilot import Pilot

from wizard.core.target.local import LocalTarget
from wizard.demo import build_demo_host, stand_ins
from wizard.i18n import _, set_language
from wizard.tui.app import wizard_app
from wizard.tui.session import Session

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "screenshots")
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)
PICK_RH = ("3", "c", "down", "enter")
SCREENS = [          # (name, keys before the shot, walk the rehearsal to its end first)
    ("overview", (), False),
    ("findings", ("2",), False),
    ("chooser", ("3", "c", "down"), False),
    ("plan", (*PICK_RH, "down", "down", "down", "down", "down"), False),
    ("apply-preview", (*PICK_RH, "4"), False),
    ("apply-failed", ("d", "y", *PICK_RH, "4", "a"), False),
    ("verify", ("d", "y", *PICK_RH, "4", "a"), True),
    ("report", ("d", "y", *PICK_RH, "4", "a"), True),
    ("help", ("question_mark",), False),
]
LAST_KEYS = {"verify": ("5",), "report": ("6", "e")}


async def answer_until_settled(pilot: Pilot) -> None:  # type: ignore[type-arg]
    app = pilot.app
    for _attempt in range(400):
        await pilot.pause(0.05)
        if app.pending is not None:
            await pilot.press("y")
        elif not app.applying:
            return


async def shoot(name: str, keys: tuple, to_the_end: bool, base: str) -> str:
    root = build_demo_host(os.path.join(base, name, "host"))
    session = Session(LocalTarget(root, demo=True, stand_ins=stand_ins.install(root)),
                      _("demo host (CentOS 6, certbot-auto 0.20.0)"), preview=True, demo=True, now=NOW)
    reports = os.path.join(base, name, "reports")
    os.makedirs(reports)
    app = wizard_app(session, report_dir=reports)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        if "a" in keys:
            await answer_until_settled(pilot)           # stops at the stand-in yum's failure
        if to_the_end:
            await pilot.press("r")
            await answer_until_settled(pilot)
        for key in LAST_KEYS.get(name, ()):
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


def svg_to_png(svg: str) -> str | None:
    """The SVG as PNG, drawn by headless Chromium (rsvg-convert drops the spaces that start a line
    of Textual's SVG, so indented text would look flush left)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("skipped the PNG: chromium is needed")
        return None
    png = svg[:-4] + ".png"
    with tempfile.TemporaryDirectory(prefix="acme-wizard-png-") as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--no-first-run", f"--user-data-dir={profile}", "--force-device-scale-factor=1",
                        "--window-size=994,636", f"--screenshot={png}", f"file://{svg}"],
                       capture_output=True, check=True, timeout=120)
    return png


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    base = tempfile.mkdtemp(prefix="acme-wizard-shots-")
    try:
        report_page_one(build_demo_host(os.path.join(base, "report", "host")))
        report_page_one(os.path.join(base, "report", "host"), "ja")
        shots = [(name, keys, end, "en") for name, keys, end in SCREENS]
        shots += [(name + "-ja", keys, end, "ja") for name, keys, end in SCREENS
                  if name in ("overview", "findings", "plan", "apply-failed")]
        for name, keys, end, language in shots:
            set_language(language)
            svg = asyncio.run(shoot(name, keys, end, base))
            set_language("en")
            print(svg)
            png = svg_to_png(svg)
            if png:
                print(png)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
