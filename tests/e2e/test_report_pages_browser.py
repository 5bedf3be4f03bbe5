"""Every report page in a real browser (ADR 0011): headless Chromium, driven by Playwright, opens
the summary, the Bronze, Silver and Gold reports of both runs of a two-run workspace, the diff of
the two runs and the runs index, at 1280 px, and takes a screenshot of each. A page fails when
it does not render (no heading, no content, a broken image), shows a JavaScript error (console
error or uncaught exception), asks for anything but a file: or data: URL (the pages are
self-contained: nothing may come from the network), or is wider than the window.

Chromium is Debian's, at $CHROMIUM or /usr/bin/chromium; `make test` installs it when it is
missing. Without it the test skips on a developer's machine, and fails under CI (CI set), so a
green CI always means the pages were seen in a browser. REPORT_SCREENSHOTS=docs/screenshots
writes the screenshots there (the README's "What a run looks like"); otherwise they go to a
temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from warehouse.core import paths

pytestmark = pytest.mark.e2e

WIDTH = 1280
# What the machine's closed network needs (connections refused otherwise); Playwright adds
# --headless, --no-sandbox and a new empty --user-data-dir itself.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENAMED = b"Renamed"  # the second run's one change: a customer's first name


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path; checked before the (session-scoped) run is built."""
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if os.access(path, os.X_OK):
        return path
    message = f"Chromium is not installed at {path} (`make chromium` installs Debian's)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{message}: under CI the browser test never skips")
    pytest.skip(message)


def report_pages(root: Path, first: str, second: str) -> dict[str, Path]:
    """Every report page of the workspace, by the name its screenshot gets."""
    pages = {}
    for which, run_id in (("first_", first), ("", second)):
        for name, template in (
            ("summary_report", paths.SUMMARY_HTML),
            ("bronze_report", paths.BRONZE_REPORT),
            ("silver_report", paths.SILVER_REPORT),
            ("gold_report", paths.GOLD_REPORT),
        ):
            pages[which + name] = paths.at(template, root, run_id=run_id)
    pages["diff_report"] = paths.at(paths.DIFF_HTML, root, run_a=first, run_b=second)
    pages["runs_index"] = paths.at(paths.RUNS_INDEX_HTML, root)
    return pages


# What the page shows, read in the browser after it loaded.
RENDERED = """() => ({
  heading: (document.querySelector("header h1") || {}).innerText || "",
  sections: document.querySelectorAll("main section").length,
  brokenImages: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
    .map(i => i.src),
  scrollWidth: document.documentElement.scrollWidth,
  viewportWidth: window.innerWidth,
  tooWide: [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")),
})"""


def check_page(browser, page_path: Path, shot: Path, top: Path | None = None) -> list[str]:
    """Open one page at 1280 px, screenshot the whole page to ``shot`` (and what the window
    shows first to ``top``, if given); what is wrong with it."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            problems.append(f"loads from the network: {url}")
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.on("websocket", lambda ws: problems.append(f"opens a WebSocket: {ws.url}"))
    try:
        page.goto(page_path.as_uri(), wait_until="load")
        seen = page.evaluate(RENDERED)
        page.screenshot(path=shot, full_page=True)
        if top:
            page.screenshot(path=top)
    finally:
        context.close()
    if not seen["heading"].strip() or not seen["sections"]:
        problems.append(f"does not render: heading {seen['heading']!r}, {seen['sections']} parts")
    problems += [f"broken image: {src}" for src in seen["brokenImages"]]
    if seen["scrollWidth"] > seen["viewportWidth"]:
        problems.append(
            f"overflows horizontally: {seen['scrollWidth']} px wide in a "
            f"{seen['viewportWidth']} px window (sticking out: {', '.join(seen['tooWide'])})"
        )
    return problems


def test_every_report_page_renders_cleanly_in_chromium(chromium, built_workspace, tmp_path):
    first = built_workspace.run_ids()[0]
    # A second run (one customer renamed) and the diff of the two: every kind of page exists.
    raw = paths.at(
        paths.RAW_FILE, built_workspace.root, raw_dir="raw", source="crm", file="cust_info.csv"
    )
    lines = raw.read_bytes().split(b"\r\n")
    row = lines[1].split(b",")
    row[2] = RENAMED
    lines[1] = b",".join(row)
    raw.write_bytes(b"\r\n".join(lines))
    result = built_workspace.snakemake("all")
    assert result.returncode == 0, result.output
    second = next(r for r in built_workspace.run_ids() if r != first)
    diff = paths.DIFF_HTML.format(run_a=first, run_b=second)
    result = built_workspace.snakemake(diff)
    assert result.returncode == 0, result.output

    pages = report_pages(built_workspace.root, first, second)
    every_page = set((built_workspace.root / paths.ARTIFACTS).rglob("*.html"))
    assert every_page == set(pages.values())  # a new kind of page is added to report_pages
    # For the README: the top of the second run's pages, the diff and the index.
    docs = os.environ.get("REPORT_SCREENSHOTS")
    if docs:
        Path(docs).mkdir(parents=True, exist_ok=True)
    problems = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, page_path in pages.items():
            shot = tmp_path / f"{name}.png"
            top = Path(docs) / shot.name if docs and not name.startswith("first_") else None
            problems[name] = check_page(browser, page_path, shot, top)
            assert shot.stat().st_size > 20_000, name  # a picture of a page, not a blank one
        browser.close()
    assert not {name: p for name, p in problems.items() if p}, problems
