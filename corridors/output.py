"""Writing outputs safely: complete or not at all, and never over a user's own files.

The rules every command and script follows:

* a file or folder appears complete or not at all: it is written beside its target under a
  temporary name and renamed into place when complete;
* an existing **file** is replaced only with ``force=True``;
* an existing **folder** is replaced only with ``force=True``, and only if it is empty or corridors
  wrote it (it holds the :data:`MARKER` file every output folder gets, recording version, command
  and time); anything else is refused with a message naming the folder and what it holds;
* the check is made before the work starts and again at the moment of the swap;
* leftovers of interrupted runs (temporary siblings whose process is gone) are removed by the
  next run, and a previous output caught mid-swap is put back.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_folder(root / "report", command="corridors compare x") as tmp:
...     _ = (tmp / "a.txt").write_text("hello")
>>> sorted(p.name for p in (root / "report").iterdir())
['.corridors-output.json', 'a.txt']
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors._errors import CorridorsError, OutputExistsError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FIGURE_FORMATS",
    "MARKER",
    "OutputExistsError",
    "atomic_file",
    "atomic_folder",
    "check_target",
    "clean_leftovers",
    "save_figure",
    "save_growth_gif",
]

log = logging.getLogger(__name__)

#: Name of the file that marks a folder as written by corridors.
MARKER = ".corridors-output.json"
#: Figure formats :func:`save_figure` writes.
FIGURE_FORMATS = (".png", ".svg", ".pdf")
_TAG = "corridors"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-" + _TAG + r"-(?P<pid>\d+)-[^/]*$")


def _describe(folder: Path) -> str:
    names = sorted(p.name for p in folder.iterdir())
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} item(s): {shown}"


def _written_by_us(folder: Path) -> bool:
    marker = folder / MARKER
    try:
        return bool(json.loads(marker.read_text(encoding="utf-8")).get("tool") == _TAG)
    except (OSError, ValueError, AttributeError):
        return False


def check_target(path: str | Path, *, force: bool = False, folder: bool = False) -> None:
    """Refuse an output target that would replace something it must not.

    Parameters
    ----------
    path
        The file or folder about to be written.
    force
        Whether replacing is allowed at all (the ``--force`` flag).
    folder
        Whether the output is a folder (else a single file).

    Raises
    ------
    OutputExistsError
        If the target exists and may not be replaced; the message says why and what it holds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "notes.txt").write_text("mine")
    >>> check_target(d, force=True, folder=True)
    Traceback (most recent call last):
    ...
    corridors._errors.OutputExistsError: ... was not written by corridors ...
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if folder:
        if not path.is_dir():
            msg = f"{path} exists and is not a folder; choose another output folder"
            raise OutputExistsError(msg)
        if any(path.iterdir()) and not _written_by_us(path):
            msg = (
                f"{path} exists and was not written by corridors ({_describe(path)}); "
                "corridors replaces only empty folders or its own outputs: choose another folder"
            )
            raise OutputExistsError(msg)
        if not force:
            what = "an earlier corridors output" if any(path.iterdir()) else "empty"
            msg = f"{path} exists ({what}); pass --force to replace it, or choose another folder"
            raise OutputExistsError(msg)
        return
    if path.is_dir():
        msg = f"{path} is a folder; give a file name"
        raise OutputExistsError(msg)
    if not force:
        msg = f"{path} exists; pass --force to replace it, or choose another file name"
        raise OutputExistsError(msg)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def clean_leftovers(path: str | Path) -> list[Path]:
    """Remove what interrupted runs left beside ``path``; put back an output caught mid-swap.

    Returns
    -------
    list of Path
        The leftovers removed (or restored).
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return []
    done: list[Path] = []
    for p in sorted(parent.iterdir()):
        m = _LEFTOVER.match(p.name)
        if not m or m["name"] != path.name or _alive(int(m["pid"])):
            continue
        if m["kind"] == "old" and not path.exists() and (p / "previous").exists():
            os.replace(p / "previous", path)  # killed between the two renames: the old output goes back
            log.warning("restored %s from an interrupted run", path)
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        log.warning("removed %s, left by an interrupted run", p)
        done.append(p)
    return done


def _marker(command: str) -> dict[str, Any]:
    from corridors import __version__

    return {
        "tool": _TAG,
        "version": __version__,
        "command": command or " ".join(["corridors", *sys.argv[1:]]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _tmp_name(path: Path, kind: str) -> str:
    return f".{path.name}.{kind}-{_TAG}-{os.getpid()}-"


@contextlib.contextmanager
def atomic_folder(path: str | Path, *, force: bool = False, command: str = "") -> Iterator[Path]:
    """Build an output folder in a temporary sibling and move it into place only when complete.

    A failure inside the ``with`` block leaves nothing behind and never touches an existing
    folder. See the module docstring for when an existing folder may be replaced; the check is
    made on entry and again just before the swap. The folder gets a :data:`MARKER` file.

    Parameters
    ----------
    path
        The folder to write.
    force
        Allow replacing an earlier corridors output.
    command
        The command that writes it, recorded in the marker.

    Raises
    ------
    OutputExistsError
        If ``path`` may not be replaced.
    """
    path = Path(path)
    clean_leftovers(path)
    check_target(path, force=force, folder=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=_tmp_name(path, "tmp")))
    try:
        yield tmp
        (tmp / MARKER).write_text(json.dumps(_marker(command), indent=1) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o755)
        check_target(path, force=force, folder=True)  # again: something may have appeared meanwhile
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=_tmp_name(path, "old")))
            os.replace(path, old / "previous")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Write a file through a temporary sibling; it appears complete or not at all.

    The ``with`` block gets a fresh path beside the target (no file there yet) and writes it.

    Without ``force`` an existing file is never replaced, not even one that appears while the
    file is being written (the final step is a link that fails if the name is taken).

    Raises
    ------
    OutputExistsError
        If the file exists (or appears) and ``force`` is False.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_file(p) as tmp:
    ...     _ = tmp.write_text("a,b")
    >>> p.read_text()
    'a,b'
    """
    path = Path(path)
    check_target(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=_tmp_name(path, "tmp"), suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # the name is reserved; writers that refuse an existing file (GeoPackage) create it themselves
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # the usual permissions, whatever the writer made
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                msg = f"{path} appeared while it was being written; nothing was replaced (pass --force to replace it)"
                raise OutputExistsError(msg) from None
    finally:
        tmp.unlink(missing_ok=True)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300, force: bool = True) -> Path:
    """Save a figure as PNG, SVG or PDF (by suffix) through a temporary file, then close it.

    Text in SVG and PDF stays text (TrueType fonts, no Type 3 glyphs), as publishers ask.

    Raises
    ------
    CorridorsError
        If the suffix is not one of .png, .svg, .pdf.
    OutputExistsError
        If the file exists and ``force`` is False.
    """
    import matplotlib.pyplot as plt

    from corridors.cartography import export_style

    path = Path(path)
    if path.suffix.lower() not in FIGURE_FORMATS:
        plt.close(fig)
        msg = f"{path}: maps are written as {', '.join(FIGURE_FORMATS)}; got {path.suffix or 'no suffix'}"
        raise CorridorsError(msg)
    try:
        with atomic_file(path, force=force) as tmp, export_style():
            fig.savefig(
                tmp,
                dpi=dpi,
                bbox_inches="tight",
                format=path.suffix.lower().lstrip("."),
                metadata={"Creator": "corridors"} if path.suffix.lower() != ".png" else None,
            )
    finally:
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
    force: bool = True,
) -> Path:
    """Write an animated GIF of the network year by year (1 January of each year).

    Every frame has the same extent, place names and key; lines opened since the previous frame
    are highlighted. The last frame shows the network on ``as_of`` (today by default; lines
    opened that day included) and is held ``hold`` times as long; when the years reach past
    today and no ``as_of`` is given (a projection), the last year's frame is held instead.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    from corridors.cartography import attribution_text
    from corridors.plot import map_extent
    from corridors.plot_growth import draw_growth_frame
    from corridors.style import KEY_STATIONS

    path = Path(path)
    firsts = [date(y, 1, 1) for y in years]
    end = as_of or date.today()
    projection = as_of is None and bool(firsts) and firsts[-1] >= end  # no as-of frame: hold the last year
    dates = firsts if projection else [d for d in firsts if d < end] + [end]
    order = list(range(len(dates))) + [len(dates) - 1] * max(hold - 1, 0)
    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.05)
    from corridors.network import with_modes

    net = with_modes(net, ["rail"])  # type: ignore[arg-type]
    segs = net.segments
    fig.text(0.02, 0.015, attribution_text(segs, net.stations), fontsize=5.5, color="#666666")
    extent = map_extent(segs, aspect=1.25)
    places = KEY_STATIONS[:14]

    def frame(i: int) -> list[Any]:
        k = order[i]
        ax.clear()
        on = dates[k]
        as_of_frame = k == len(dates) - 1 and on not in firsts
        title = f"Rail network on {on.day} {on:%B %Y}" + (" (as of)" if as_of_frame else "")
        draw_growth_frame(
            net,
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

    try:
        with atomic_file(path, force=force) as tmp:
            anim = FuncAnimation(fig, frame, frames=len(order), blit=False)
            anim.save(tmp, writer=PillowWriter(fps=1 / seconds_per_frame), dpi=dpi)  # type: ignore[arg-type]
    finally:
        plt.close(fig)
    return path
