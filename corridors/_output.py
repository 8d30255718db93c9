"""Saving figures and animations without ever leaving a half-written file."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from corridors._errors import CorridorsError

__all__ = ["FIGURE_FORMATS", "OutputExistsError", "atomic_folder", "save_figure", "save_growth_gif"]

FIGURE_FORMATS = (".png", ".svg", ".pdf")


def _tmp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
    return Path(tmp)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Save a figure as PNG, SVG or PDF (by suffix) through a temporary file, then close it.

    Raises
    ------
    CorridorsError
        If the suffix is not one of .png, .svg, .pdf.
    """
    path = Path(path)
    if path.suffix.lower() not in FIGURE_FORMATS:
        msg = f"{path}: maps are written as {', '.join(FIGURE_FORMATS)}; got {path.suffix or 'no suffix'}"
        raise CorridorsError(msg)
    from corridors.cartography import export_style

    tmp = _tmp_beside(path)
    try:
        with export_style():  # real text in PDF (Type 42 fonts) and SVG
            fig.savefig(
                tmp,
                dpi=dpi,
                bbox_inches="tight",
                format=path.suffix.lower().lstrip("."),
                metadata={"Creator": "corridors"} if path.suffix.lower() != ".png" else None,
            )
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        plt.close(fig)
    return path


def save_growth_gif(
    net: object,
    years: Sequence[int],
    path: str | Path,
    *,
    dpi: int = 110,
    seconds_per_frame: float = 0.9,
    expected: bool = False,
    as_of: date | None = None,
    hold: int = 4,
) -> Path:
    """Write an animated GIF of the network year by year (1 January of each year).

    Every frame has the same extent, place names and key; lines opened since the previous frame
    are highlighted. The last frame shows the network on ``as_of`` (today by default; lines
    opened that day included) and is held ``hold`` times as long; when the years reach past
    today and no ``as_of`` is given (a projection), the last year's frame is held instead.
    """
    from matplotlib.animation import FuncAnimation, PillowWriter

    from corridors.cartography import attribution_text
    from corridors.plot import draw_growth_frame, map_extent
    from corridors.style import KEY_STATIONS

    path = Path(path)
    firsts = [date(y, 1, 1) for y in years]
    end = as_of or date.today()
    projection = as_of is None and bool(firsts) and firsts[-1] >= end  # no as-of frame: hold the last year
    dates = firsts if projection else [d for d in firsts if d < end] + [end]
    order = list(range(len(dates))) + [len(dates) - 1] * max(hold - 1, 0)
    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.05)
    segs = net.segments  # type: ignore[attr-defined]
    fig.text(0.02, 0.015, attribution_text(segs, net.stations), fontsize=5.5, color="#666666")  # type: ignore[attr-defined]
    extent = map_extent(segs, aspect=1.25)
    places = KEY_STATIONS[:14]

    def frame(i: int) -> list[Any]:
        k = order[i]
        ax.clear()
        on = dates[k]
        as_of_frame = k == len(dates) - 1 and on not in firsts
        title = f"Rail network on {on.day} {on:%B %Y}" + (" (as of)" if as_of_frame else "")
        draw_growth_frame(
            net,  # type: ignore[arg-type]
            on.year,
            ax=ax,
            extent=extent,
            expected=expected,
            legend=True,
            on=on,
            previous=dates[k - 1] if k else None,
            places=places,
            title=title,
        )
        return []

    tmp = _tmp_beside(path)
    try:
        anim = FuncAnimation(fig, frame, frames=len(order), blit=False)
        anim.save(tmp, writer=PillowWriter(fps=1 / seconds_per_frame), dpi=dpi)  # type: ignore[arg-type]
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        plt.close(fig)
    return path


class OutputExistsError(CorridorsError, FileExistsError):
    """The output folder exists and overwriting was not asked for."""


@contextlib.contextmanager
def atomic_folder(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Build an output folder in a temporary sibling and move it into place only when complete.

    A failure inside the ``with`` block leaves nothing behind and never touches an existing
    folder; an existing folder is replaced only with ``force=True``, and only after the new one
    is complete.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``force`` is False.
    """
    path = Path(path)
    if path.exists() and not force:
        msg = f"{path} exists; choose another folder or pass --force to replace it"
        raise OutputExistsError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.tmp-"))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old-"))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
