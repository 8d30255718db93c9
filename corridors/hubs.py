"""Transit hubs: which countries and stations the best routes between places pass through."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors._errors import DataError
from corridors.network import Network
from corridors.params import Parameters
from corridors.schema import carrier_mode
from corridors.stategraph import Progress, StateGraph

__all__ = ["best_routes", "country_shares", "station_shares"]

FloatArray = npt.NDArray[np.float64]
log = logging.getLogger(__name__)


def best_routes(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
    graph: StateGraph | None = None,
) -> pd.DataFrame:
    """The best route of every OD pair, reconstructed from the searches' predecessors.

    Parameters
    ----------
    net
        A network state; not modified.
    origins
        Station ids or names; every station when None.
    destinations
        Station ids or names; the origins when None. Pairs of a station with itself are left out.
    by
        ``distance``, ``time``, ``cost`` or ``generalized``.
    params
        Routing parameters; the shipped ones by default.
    progress
        Called with (origins done, origins).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``origin``, ``destination``, ``origin_country``,
        ``destination_country``, ``value`` (inf when unreachable), ``reachable``, ``stations``
        and ``segments`` (lists in order of travel), ``gauge_changes``, ``km_by_country`` (route
        km, as the Router counts them), ``countries`` (entered, in order: the countries of the
        route's stations and those a segment runs through for at least
        ``routing.country_passage_min_km``) and ``transit_countries`` (entered, neither the
        origin's nor the destination's country).

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> r = best_routes(net, ["Tashkent"], ["Mashhad"])
    >>> r.loc[0, "countries"][0], r.loc[0, "countries"][-1]
    ('UZB', 'IRN')
    """
    g = graph if graph is not None else StateGraph(net, params, by=by)
    o_ids, d_ids = g.od_ids(origins, destinations)
    orig_idx = g.index.get_indexer(o_ids).astype(np.int64)
    dest_idx = g.index.get_indexer(d_ids).astype(np.int64)
    min_km = g.params.country_passage_min_km
    entered = [[c for c, km in parts.items() if km >= min_km] for parts in g.net.segments["km_by_country"]]
    country = g.country
    indptr, indices = g.csr.indptr, g.csr.indices
    rows_out: list[dict[str, Any]] = []
    batch = g.batch_size(extra_bytes_per_node=4)
    for start in range(0, len(orig_idx), batch):
        chunk = orig_idx[start : start + batch]
        src = g.source_node[chunk]
        ok = np.flatnonzero(src >= 0)
        dist = np.full((len(chunk), g.n_nodes), np.inf)
        pred = np.full((len(chunk), g.n_nodes), -9999, dtype=np.int32)
        if len(ok):
            dist[ok], pred[ok] = g.rows(src[ok], predecessors=True)
        for r, oi in enumerate(chunk.tolist()):
            o = g.stations[oi]
            for di in dest_idx.tolist():
                if di == oi:
                    continue
                d = g.stations[di]
                row: dict[str, Any] = {
                    "origin": o,
                    "destination": d,
                    "origin_country": country[o],
                    "destination_country": country[d],
                }
                lo, hi = int(g.station_ptr[di]), int(g.station_ptr[di + 1])
                end = lo + int(np.argmin(dist[r, lo:hi])) if hi > lo else -1
                if end < 0 or not np.isfinite(dist[r, end]):
                    row.update(
                        value=np.inf,
                        reachable=False,
                        stations=[],
                        segments=[],
                        gauge_changes=0,
                        km_by_country={},
                        countries=[],
                        transit_countries=[],
                    )
                    rows_out.append(row)
                    continue
                nodes = [end]
                while nodes[-1] != src[r]:
                    nodes.append(int(pred[r, nodes[-1]]))
                nodes = [n for n in reversed(nodes) if n < g.n_states]
                stations: list[str] = []
                segments: list[str] = []
                changes = 0
                km_c: dict[str, float] = {}
                seen: list[str] = []
                for a, b in itertools.pairwise(nodes):
                    if g.state_station[a] == g.state_station[b]:
                        changes += carrier_mode(g.state_gauge[a]) == carrier_mode(g.state_gauge[b]) == "rail"
                        continue
                    lo_e = int(indptr[a])
                    e = lo_e + int(np.searchsorted(indices[lo_e : int(indptr[a + 1])], b))
                    k = int(g.entry_segment[e])
                    segments.append(g.segments[k])
                    sa, sb = g.stations[int(g.state_station[a])], g.stations[int(g.state_station[b])]
                    if not stations:
                        stations.append(sa)
                        seen.append(country[sa])
                    stations.append(sb)
                    for c, km in g.prices.km_by_country(k).items():
                        km_c[c] = km_c.get(c, 0.0) + km
                    for c in (*entered[k], country[sb]):
                        if c not in seen:
                            seen.append(c)
                row.update(
                    value=float(dist[r, end]),
                    reachable=True,
                    stations=stations,
                    segments=segments,
                    gauge_changes=changes,
                    km_by_country=dict(sorted(km_c.items(), key=lambda kv: -kv[1])),
                    countries=seen,
                    transit_countries=[c for c in seen if c not in (country[o], country[d])],
                )
                rows_out.append(row)
        if progress:
            progress(min(start + batch, len(orig_idx)), len(orig_idx))
    cols = [
        "origin",
        "destination",
        "origin_country",
        "destination_country",
        "value",
        "reachable",
        "stations",
        "segments",
        "gauge_changes",
        "km_by_country",
        "countries",
        "transit_countries",
    ]
    df = pd.DataFrame(rows_out, columns=cols)
    df.attrs.update(by=by, unit=g.unit, network=net.description)
    log.info("best routes by %s: %d pairs, %d reachable", by, len(df), int(df["reachable"].sum()))
    return df


def _weights(routes: pd.DataFrame, demand: pd.DataFrame | None) -> FloatArray:
    if demand is None:
        return np.ones(len(routes))
    values = demand.to_numpy(dtype=float)
    lookup = {
        (str(o), str(d)): float(values[i, j])
        for i, o in enumerate(demand.index)
        for j, d in enumerate(demand.columns)
        if values[i, j] == values[i, j]
    }
    w = np.array([lookup.get((o, d), 0.0) for o, d in zip(routes["origin"], routes["destination"], strict=True)])
    if (w < 0).any():
        msg = "demand weights must be non-negative"
        raise DataError(msg)
    return w


def country_shares(routes: pd.DataFrame, demand: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of best routes (and of demand) that each country carries in transit or at an end.

    Parameters
    ----------
    routes
        From :func:`best_routes`.
    demand
        Optional weights: origins as index, destinations as columns (e.g. TEU per year); pairs
        not in it weigh 0. Without it every pair weighs 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by country: ``transit_routes`` (routes entering the country that neither start
        nor end there), ``transit_share`` (of the reachable routes), ``endpoint_routes`` and
        ``endpoint_share`` (routes starting or ending there), ``transit_demand_share`` and
        ``endpoint_demand_share`` (of the reachable demand), and ``km_share`` (of all route km).
        Sorted by transit share. ``attrs`` holds ``routes`` (reachable) and ``pairs``.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> shares = country_shares(best_routes(net, ["Tashkent"], ["Mashhad"]))
    >>> float(shares.loc["TKM", "transit_share"])
    1.0
    """
    reach = routes[routes["reachable"].astype(bool)]
    w_all = _weights(routes, demand)
    w = w_all[routes["reachable"].to_numpy(dtype=bool)]
    n, total_w = len(reach), float(w.sum())
    stats: dict[str, dict[str, float]] = {}

    def add(c: str, key: str, weight: float) -> None:
        d = stats.setdefault(
            c, {"transit_routes": 0.0, "endpoint_routes": 0.0, "transit_w": 0.0, "endpoint_w": 0.0, "km": 0.0}
        )
        d[key + "_routes"] += 1
        d[key + "_w"] += weight

    km_total = 0.0
    for (oc, dc, trans, kbc), wt in zip(
        reach[["origin_country", "destination_country", "transit_countries", "km_by_country"]].itertuples(
            index=False, name=None
        ),
        w.tolist(),
        strict=True,
    ):
        for c in {oc, dc}:
            add(c, "endpoint", wt)
        for c in trans:
            add(c, "transit", wt)
        for c, km in kbc.items():
            stats.setdefault(
                c, {"transit_routes": 0.0, "endpoint_routes": 0.0, "transit_w": 0.0, "endpoint_w": 0.0, "km": 0.0}
            )["km"] += km
            km_total += km
    rows = []
    for c, d in stats.items():
        rows.append(
            {
                "country": c,
                "transit_routes": int(d["transit_routes"]),
                "transit_share": d["transit_routes"] / n if n else 0.0,
                "endpoint_routes": int(d["endpoint_routes"]),
                "endpoint_share": d["endpoint_routes"] / n if n else 0.0,
                "transit_demand_share": d["transit_w"] / total_w if total_w else 0.0,
                "endpoint_demand_share": d["endpoint_w"] / total_w if total_w else 0.0,
                "km_share": d["km"] / km_total if km_total else 0.0,
            }
        )
    cols = [
        "country",
        "transit_routes",
        "transit_share",
        "endpoint_routes",
        "endpoint_share",
        "transit_demand_share",
        "endpoint_demand_share",
        "km_share",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values(["transit_share", "km_share"], ascending=False).set_index("country")
    df.attrs.update(routes=n, pairs=len(routes), demand=total_w)
    return df


def station_shares(net: Network, routes: pd.DataFrame, demand: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of best routes (and of demand) passing through each station.

    A route passes through a station it visits between its origin and its destination.

    Parameters
    ----------
    net
        The network (for station names, countries and roles).
    routes
        From :func:`best_routes`.
    demand
        Optional weights as for :func:`country_shares`.

    Returns
    -------
    pandas.DataFrame
        Indexed by station id, for the stations some route passes through: ``name``,
        ``country``, ``role``, ``routes_through``, ``share`` (of reachable routes) and
        ``demand_share``; sorted by share.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> s = station_shares(net, best_routes(net, ["Tashkent"], ["Mashhad"]))
    >>> float(s.loc["irn_sarakhs", "share"])
    1.0
    """
    reach_mask = routes["reachable"].to_numpy(dtype=bool)
    reach = routes[reach_mask]
    w = _weights(routes, demand)[reach_mask]
    n, total_w = len(reach), float(w.sum())
    count: dict[str, int] = {}
    weight: dict[str, float] = {}
    for stations, wt in zip(reach["stations"], w.tolist(), strict=True):
        for s in set(stations[1:-1]):
            count[s] = count.get(s, 0) + 1
            weight[s] = weight.get(s, 0.0) + wt
    st = net.stations.set_index("id")
    df = pd.DataFrame(
        {
            "station": list(count),
            "name": [st.loc[s, "name"] for s in count],
            "country": [st.loc[s, "country"] for s in count],
            "role": [st.loc[s, "role"] for s in count],
            "routes_through": list(count.values()),
            "share": [c / n for c in count.values()] if n else [],
            "demand_share": [weight[s] / total_w if total_w else 0.0 for s in count],
        },
        columns=["station", "name", "country", "role", "routes_through", "share", "demand_share"],
    )
    df = df.sort_values(["share", "station"], ascending=[False, True]).set_index("station")
    df.attrs.update(routes=n, pairs=len(routes))
    return df
