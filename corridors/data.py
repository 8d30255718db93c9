"""Paths to the data shipped with corridors (``geodata/``)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from corridors._errors import DataError

__all__ = ["corridor_names", "data_dir", "get_path"]


def data_dir() -> Path:
    """Return the folder of shipped data.

    It is ``geodata/`` beside the package (a source checkout or an editable install), or
    the folder named by the ``CORRIDORS_DATA`` environment variable.

    Raises
    ------
    DataError
        If the folder does not exist.

    Examples
    --------
    >>> (data_dir() / "stations.geojson").exists()
    True
    """
    env = os.environ.get("CORRIDORS_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / "geodata"
    if not path.is_dir():
        msg = (
            f"shipped data folder not found at {path}: install corridors from a source checkout "
            "('pip install -e .') or set CORRIDORS_DATA to the geodata/ folder"
        )
        raise DataError(msg)
    return path


def get_path(name: str) -> Path:
    """Return the path of one shipped data file, e.g. ``"countries.geojson"``.

    Raises
    ------
    DataError
        If there is no such file.

    Examples
    --------
    >>> get_path("countries.geojson").name
    'countries.geojson'
    """
    path = data_dir() / name
    if not path.exists():
        msg = f"shipped data file {name!r} not found in {path.parent}"
        raise DataError(msg)
    return path


def corridor_names() -> dict[str, str]:
    """Return ``{corridor id: display name}`` from the shipped ``corridors.toml``.

    Examples
    --------
    >>> corridor_names()["khaf_herat"]
    'Khaf–Herat railway'
    """
    with get_path("corridors.toml").open("rb") as fh:
        table = tomllib.load(fh)
    return {key: str(value["name"]) for key, value in table.items()}
