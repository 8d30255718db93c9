"""A report run killed mid-write leaves the previous report intact; the next run cleans up after it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from corridors.output import MARKER

#: The command line, run in a fresh interpreter as a user would.
CORRIDORS = [sys.executable, "-c", "from corridors.cli import main; main()"]
#: Files every compare report holds.
REPORT_FILES = {"report.md", "report.html", "report.json", "options.csv", "routes.geojson", MARKER}


def contents(folder: Path) -> dict[str, str]:
    """Every file of a folder with a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def compare(out: Path, *extra: str) -> list[str]:
    return [*CORRIDORS, "compare", "tajikistan_gulf", "--out", str(out), "--dpi", "72", *extra]


def test_killed_run_keeps_the_previous_report_and_the_rerun_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "report"
    first = subprocess.run(compare(out), capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    before = contents(out)
    assert set(before) >= REPORT_FILES

    proc = subprocess.Popen(compare(out, "--force"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not list(tmp_path.glob(f".{out.name}.tmp-corridors-{proc.pid}-*")):
            assert proc.poll() is None, "the run ended before it started writing"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        time.sleep(0.2)  # into writing the new report (maps take seconds)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert contents(out) == before, "the previous report changed"
    assert list(tmp_path.glob(f".{out.name}.tmp-corridors-{proc.pid}-*")), "the killed run left no trace to clean"

    again = subprocess.run(compare(out, "--force"), capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"], "a leftover remains"
    after = contents(out)
    assert set(after) == set(before)
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["command"].endswith("--force --dpi 72")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
