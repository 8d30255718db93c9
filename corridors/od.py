"""OD matrices of a network state and their differences between two states."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from corridors._errors import DataError
from corridors.network import Network
from corridors.params import Parameters
from corridors.stategraph import RTOL, Progress, StateGraph

__all__ = ["DIFF_CATEGORIES", "od_diff", "od_diff_summary", "od_matrix"]


def od_matrix(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    graph: StateGraph | None = None,
) -> pd.DataFrame:
    """The matrix of best distances, times, costs or generalized costs between stations.

    Penalties are those of single routes: a change of gauge only at a station with a facility
    (its time and cost), a border's dwell and fee on every segment crossing it. Every finite
    entry equals ``Router(net, params).route(o, d, by=by).value`` whenever that route's best
    walk visits no station twice (see the module notes): the matrix holds shortest walks on the
    state graph, the Router the best loopless route.

    Parameters
    ----------
    net
        A network state (e.g. from :func:`corridors.network_as_of`); not modified.
    origins
        Station ids or names; every station when None.
    destinations
        Station ids or names; the origins when None.
    by
        ``distance`` (km), ``time`` (h), ``cost`` or ``generalized``.
    params
        Routing parameters; the shipped ones by default.
    progress
        Called with (origins done, origins to do) after each batch of searches.
    workers
        Processes to spread the searches over (worth it for thousands of stations only).

    Returns
    -------
    pandas.DataFrame
        Origins as index, destinations as columns; ``inf`` where there is no route, 0 on the
        diagonal. ``attrs`` holds ``by``, ``unit`` and ``network``.

    Raises
    ------
    StationNotFoundError
        For an unknown station name.
    DataError
        For an unknown criterion.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> d = od_matrix(net, ["Mashhad", "Sarakhs"], ["Mashhad", "Sarakhs"])
    >>> bool(d.iloc[0, 1] == d.iloc[1, 0] > 0), d.attrs["unit"]
    (True, 'km')
    """
    g = graph if graph is not None else StateGraph(net, params, by=by)
    return g.od_matrix(origins, destinations, progress=progress, workers=workers)


def od_diff(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Compare two OD matrices (e.g. two scenarios) pair by pair.

    Parameters
    ----------
    before, after
        OD matrices from :func:`od_matrix` over the same origins and destinations.

    Returns
    -------
    pandas.DataFrame
        One row per origin-destination pair (the diagonal left out) with ``before``, ``after``,
        ``change`` (after - before, NaN unless both are finite), ``pct_change`` and ``category``:
        ``improved``, ``worsened``, ``unchanged``, ``newly_connected``, ``disconnected`` or
        ``unreachable`` (no route in either).

    Raises
    ------
    DataError
        If the matrices do not cover the same origins and destinations.

    Examples
    --------
    >>> import pandas as pd
    >>> inf = float("inf")
    >>> a = pd.DataFrame([[0, 5, inf], [5, 0, 2], [inf, 2, 0]], index=list("xyz"), columns=list("xyz"))
    >>> b = pd.DataFrame([[0, 4, 9], [4, 0, inf], [9, inf, 0]], index=list("xyz"), columns=list("xyz"))
    >>> od_diff(a, b)["category"].value_counts().to_dict()
    {'improved': 2, 'newly_connected': 2, 'disconnected': 2}
    """
    if set(before.index) != set(after.index) or set(before.columns) != set(after.columns):
        msg = (
            "the two OD matrices cover different stations "
            f"({len(before.index)} x {len(before.columns)} vs {len(after.index)} x {len(after.columns)}); "
            "compute both over the same origins and destinations"
        )
        raise DataError(msg)
    after = after.loc[before.index, before.columns]
    b = before.to_numpy(dtype=float)
    a = after.to_numpy(dtype=float)
    oi, di = np.meshgrid(np.arange(b.shape[0]), np.arange(b.shape[1]), indexing="ij")
    origin = np.asarray(before.index)[oi.ravel()]
    dest = np.asarray(before.columns)[di.ravel()]
    bv, av = b.ravel(), a.ravel()
    fb, fa = np.isfinite(bv), np.isfinite(av)
    both = fb & fa
    delta = np.where(both, av, 0.0) - np.where(both, bv, 0.0)
    change = np.where(both, delta, np.nan)
    pct = np.where(both & (bv > 0), 100.0 * delta / np.where(both & (bv > 0), bv, 1.0), np.nan)
    tol = RTOL * np.maximum(1.0, np.abs(np.where(fb, bv, 0.0)))
    category = np.select(
        [
            both & (av < bv - tol),
            both & (av > bv + tol),
            both,
            ~fb & fa,
            fb & ~fa,
        ],
        ["improved", "worsened", "unchanged", "newly_connected", "disconnected"],
        default="unreachable",
    )
    df = pd.DataFrame(
        {
            "origin": origin,
            "destination": dest,
            "before": bv,
            "after": av,
            "change": change,
            "pct_change": pct,
            "category": category,
        }
    )
    df = df[df["origin"] != df["destination"]].reset_index(drop=True)
    df.attrs.update({k: v for k, v in before.attrs.items() if k in ("by", "unit")})
    return df


#: The categories of :func:`od_diff`, in the order summaries list them.
DIFF_CATEGORIES = ("improved", "worsened", "unchanged", "newly_connected", "disconnected", "unreachable")


def od_diff_summary(diff: pd.DataFrame) -> dict[str, Any]:
    """Summary statistics of an :func:`od_diff` table.

    Returns
    -------
    dict
        ``pairs``; the count of each category; for pairs connected in both, the ``mean_change``,
        ``median_change``, ``total_change``, ``mean_pct_change``, and the largest gain and loss
        (``best``, ``worst``: origin, destination, change); ``by`` and ``unit`` when known.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame([[0, 5], [5, 0]], index=["x", "y"], columns=["x", "y"])
    >>> b = pd.DataFrame([[0, 4], [5, 0]], index=["x", "y"], columns=["x", "y"])
    >>> s = od_diff_summary(od_diff(a, b))
    >>> s["improved"], s["unchanged"], s["mean_change"]
    (1, 1, -0.5)
    """
    counts = diff["category"].value_counts()
    out: dict[str, Any] = {"pairs": len(diff)}
    out.update({c: int(counts.get(c, 0)) for c in DIFF_CATEGORIES})
    both = diff.dropna(subset=["change"])
    if len(both):
        out.update(
            mean_change=float(both["change"].mean()),
            median_change=float(both["change"].median()),
            total_change=float(both["change"].sum()),
            mean_pct_change=float(both["pct_change"].mean()) if both["pct_change"].notna().any() else None,
        )
        changes = both["change"].to_numpy()
        lo, hi = both.iloc[int(changes.argmin())], both.iloc[int(changes.argmax())]
        out["best"] = {"origin": lo["origin"], "destination": lo["destination"], "change": float(lo["change"])}
        out["worst"] = {"origin": hi["origin"], "destination": hi["destination"], "change": float(hi["change"])}
    else:
        out.update(mean_change=None, median_change=None, total_change=0.0, mean_pct_change=None, best=None, worst=None)
    out.update({k: v for k, v in diff.attrs.items() if k in ("by", "unit")})
    return out
