"""Headless Chromium for tests of HTML reports: the page as a browser renders it, never as a grep sees the file.

``render(page, png)`` loads ``page`` in Debian's ``chromium`` (scripts run), writes a screenshot, and returns the
text of the resulting DOM; ``blank(png)`` tells whether a screenshot shows nothing. Tests that need it are skipped
with a reason where no Chromium is installed (``apt-get install chromium``; ``.ci/machine-setup`` does).
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless Chromium on this machine (apt-get install chromium)")


def _run(page: Path, *flags: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [chromium(), "--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                   f"--user-data-dir={profile}", "--virtual-time-budget=3000", *flags, page.resolve().as_uri()]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium's own sandbox refuses root
        return subprocess.run(command, capture_output=True, text=True, timeout=120)


BLOCKS = {"p", "div", "td", "th", "tr", "li", "ul", "ol", "table", "section", "summary", "details", "pre", "br",
          "h1", "h2", "h3", "h4", "h5", "h6", "button", "img", "figure", "figcaption"}


class _Text(html.parser.HTMLParser):
    """The text a reader sees: inline elements run on, block elements are separated."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip > 0:
            self._skip -= 1
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def render(page: Path, png: Path, width: int = 1280, height: int = 1600) -> str:
    """Screenshot ``page`` into ``png`` and return the visible text of its DOM after scripts ran."""
    shot = _run(page, f"--window-size={width},{height}", f"--screenshot={png.resolve()}")
    if not png.is_file():
        raise AssertionError(f"Chromium wrote no screenshot of {page}: {shot.stderr[-500:]}")
    dom = _run(page, "--dump-dom")
    if dom.returncode != 0 or "<html" not in dom.stdout:
        raise AssertionError(f"Chromium could not render {page}: {dom.stderr[-500:]}")
    return visible_text(dom.stdout)


def visible_text(page_html: str) -> str:
    """The text a reader sees in ``page_html``: tags gone, entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(page_html)
    return " ".join("".join(parser.parts).split())


def github_html(markdown: str) -> str:
    """Markdown as GitHub renders a step summary: CommonMark with tables and inline HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def blank(png: Path) -> bool:
    """A screenshot of one flat colour (or nearly: under 0.1 % of pixels differ from the commonest)."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    total = image.width * image.height
    return not colours or max(count for count, _ in colours) > 0.999 * total
