"""The comparison report as PDF: ``report.html`` printed by headless Chromium.

Chromium is the rendering engine (the same that shows the page on screen), so the PDF has the
page's print layout (A4 landscape, every table column on the page, real text, links kept). It
runs with networking features off; the page itself makes no request (everything is inlined).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from corridors._errors import ChromiumNotFoundError, CorridorsError

__all__ = ["ChromiumNotFoundError", "find_chromium", "html_to_pdf"]

#: Executable names tried, in order (``CORRIDORS_CHROMIUM`` overrides).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """The Chromium executable: ``$CORRIDORS_CHROMIUM``, else the first of :data:`CHROMIUM_NAMES` on PATH.

    Raises
    ------
    ChromiumNotFoundError
        If none is found; the message says how to install it.
    """
    env = os.environ.get("CORRIDORS_CHROMIUM")
    if env:
        if shutil.which(env) is None:
            msg = f"CORRIDORS_CHROMIUM={env!r}: no such executable"
            raise ChromiumNotFoundError(msg)
        return env
    for name in CHROMIUM_NAMES:
        exe = shutil.which(name)
        if exe:
            return exe
    msg = (
        "report.pdf needs Chromium to print report.html, and none was found on PATH "
        f"(tried {', '.join(CHROMIUM_NAMES)}); install it (Debian/Ubuntu: apt-get install chromium) "
        "or set CORRIDORS_CHROMIUM to its path, or leave out the PDF"
    )
    raise ChromiumNotFoundError(msg)


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120.0) -> Path:
    """Print an HTML file to PDF with headless Chromium.

    Parameters
    ----------
    html_path
        The page (a local file; its own print CSS sets the paper size).
    pdf_path
        Where to write the PDF.
    timeout
        Seconds to wait for Chromium.

    Returns
    -------
    pathlib.Path
        The PDF.

    Raises
    ------
    ChromiumNotFoundError
        If Chromium is not installed.
    CorridorsError
        If Chromium fails or writes no PDF (the message holds its error output).
    """
    exe = find_chromium()
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    with tempfile.TemporaryDirectory(prefix="corridors-chromium-") as profile:
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            msg = f"{pdf_path}: Chromium did not finish printing {html_path.name} within {timeout:g} s"
            raise CorridorsError(msg) from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        msg = f"{pdf_path}: Chromium could not print {html_path.name} (exit code {done.returncode}): {tail}"
        raise CorridorsError(msg)
    return pdf_path
