"""Tidy tables for export: long-format OD matrices, per-segment prices, CSVs without surprises.

A tidy CSV has one value per cell: blank where there is no value (never ``inf`` or ``nan``),
integers written as integers (``3``, not ``3.0``), dates as ISO 8601.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from corridors.network import Network
from corridors.params import Parameters

__all__ = ["od_long", "segment_prices", "tidy", "write_csv"]


def od_long(matrix: pd.DataFrame, *, value: str = "value") -> pd.DataFrame:
    """An OD matrix (origins as index, destinations as columns) as one row per pair.

    Rows follow the matrix: origins in the order of its index (the terminal table's order),
    and for each origin the destinations in the order of its columns. Unreachable pairs
    (``inf``) get a missing value, written blank by :func:`write_csv`. The matrix's ``attrs``
    (``by``, ``unit``, ``network``) are kept.

    Parameters
    ----------
    matrix
        From :func:`corridors.analysis.od_matrix`.
    value
        Name of the value column.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``destination`` and ``value``.

    Examples
    --------
    >>> m = pd.DataFrame([[0.0, 5.0], [float("inf"), 0.0]], index=["b", "a"], columns=["b", "a"])
    >>> od_long(m).to_dict("records")[1:3]
    [{'origin': 'b', 'destination': 'a', 'value': 5.0}, {'origin': 'a', 'destination': 'b', 'value': nan}]
    """
    values = matrix.to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "origin": np.repeat(np.asarray(matrix.index, dtype=object), len(matrix.columns)),
            "destination": np.tile(np.asarray(matrix.columns, dtype=object), len(matrix.index)),
            value: np.where(np.isfinite(values), values, np.nan).ravel(),
        }
    )
    out.attrs.update(matrix.attrs)
    return out


def _is_integral(series: pd.Series) -> bool:
    vals = pd.to_numeric(series.dropna(), errors="coerce")
    if vals.empty or vals.isna().any() or series.dropna().map(lambda v: isinstance(v, bool)).any():
        return False
    return bool(np.all(np.isfinite(vals)) and np.all(np.mod(vals, 1) == 0))


def tidy(df: pd.DataFrame, *, integers: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of a table ready for CSV: no infinities, integer columns as nullable integers.

    Parameters
    ----------
    df
        Any table (not modified).
    integers
        Columns to write as integers; by default every numeric or mixed column whose values are
        all whole numbers and that pandas holds as floats or objects (e.g. counts with gaps).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> t = tidy(pd.DataFrame({"n": [3.0, None], "km": [1.5, float("inf")]}))
    >>> t["n"].tolist(), t["km"].isna().tolist()
    ([3, <NA>], [False, True])
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            out[col] = s.where(np.isfinite(s.to_numpy(dtype=float)), np.nan)
        elif s.dtype == object:
            out[col] = s.map(lambda v: np.nan if isinstance(v, float) and math.isinf(v) else v)
    cols = list(integers) if integers is not None else [c for c in out.columns if _candidate(out[c])]
    for col in cols:
        if col in out.columns and _is_integral(out[col]):
            out[col] = pd.to_numeric(out[col]).round().astype("Int64")
    return out


def _candidate(s: pd.Series) -> bool:
    if pd.api.types.is_float_dtype(s):
        return True
    if s.dtype == object:
        vals = s.dropna()
        return bool(not vals.empty and vals.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).all())
    return False


def write_csv(
    df: pd.DataFrame, path: str | Path, *, integers: Sequence[str] | None = None, index: bool = False
) -> Path:
    """Write a tidy CSV (see :func:`tidy`): blanks for missing values, integers as integers.

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tidy(df, integers=integers).to_csv(path, index=index, na_rep="")
    return path


def segment_prices(net: Network, params: Parameters | None = None) -> pd.DataFrame:
    """Hours and cost of running each segment from its ``from`` to its ``to`` station.

    The prices are the routing engine's, from :func:`corridors.pricing.price_network` (speed by
    country, status and gauge; tariff by country; a border's dwell and fee when the segment
    crosses one); a segment's price is the same in both directions. Pass the result to :func:`corridors.io.to_graphml`.

    Parameters
    ----------
    net
        The network (every segment is priced, whatever its status).
    params
        Routing parameters; the shipped ones by default.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment id, columns ``km``, ``hours``, ``cost`` and ``border`` (whether the
        hours and cost include a border crossing).

    Examples
    --------
    >>> from corridors import load_network
    >>> p = segment_prices(load_network())
    >>> bool((p["hours"] > 0).all()), list(p.columns)
    (True, ['km', 'hours', 'cost', 'border'])
    """
    from corridors.params import load_parameters
    from corridors.pricing import price_network

    p = price_network(net, params or load_parameters())
    return pd.DataFrame(
        {"km": p.km, "hours": p.hours, "cost": p.cost, "border": [r != "" for r in p.border_rule]},
        index=pd.Index(p.segments, name="segment"),
    )
