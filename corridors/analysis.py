"""Network analysis at scale: OD matrices, scenario differences, segment criticality, transit hubs.

Every analysis runs on the routing engine's state-expanded graph (see :mod:`corridors.routing`):
states are ``(station, train gauge)``; a segment is an arc between states of one gauge (both
gauges for a dual-gauge segment); a change of gauge is an arc between two states of one station,
only where the station has a facility, priced by the cheapest method; a segment between stations
of two countries carries that border's dwell time and fee. :class:`StateGraph` builds that graph
once for a network state and a criterion as a compressed sparse row matrix and runs batches of
Dijkstra searches on it with :func:`scipy.sparse.csgraph.dijkstra`.

Exactness
---------
An OD matrix entry is the length of the shortest *walk* on the state graph. :class:`~corridors.Router`
returns the best *loopless* route (no station twice). The two agree whenever the best walk visits
no station twice, which is every case but contrived ones (a walk that leaves a station without a
gauge-change facility, changes gauge elsewhere and comes back through it). Where they differ the
matrix entry is the smaller.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from scipy.sparse.csgraph import dijkstra

from corridors._errors import DataError
from corridors.network import Network, find_station
from corridors.params import Parameters, load_parameters
from corridors.routing import CRITERIA
from corridors.schema import GAUGE_CHANGE_METHODS, track_gauges

__all__ = [
    "StateGraph",
    "best_routes",
    "country_shares",
    "od_diff",
    "od_diff_summary",
    "od_matrix",
    "plot_criticality",
    "plot_transit_shares",
    "segment_criticality",
    "select_stations",
    "station_shares",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Memory allowed for one batch of distance rows (bytes); batches of sources are sized to fit.
BATCH_BYTES = 64 * 2**20
#: Relative tolerance when comparing path lengths (float sums in different orders).
RTOL = 1e-9


def _ranges(lo: IntArray, hi: IntArray) -> IntArray:
    """``concatenate([arange(a, b) for a, b in zip(lo, hi)])`` without a Python loop."""
    sizes = hi - lo
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.repeat(lo - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    out: IntArray = (np.arange(total, dtype=np.int64) + starts).astype(np.int64)
    return out


def _close_or_less(a: FloatArray, b: FloatArray) -> npt.NDArray[np.bool_]:
    """``a <= b`` up to the rounding of sums (both finite)."""
    return a <= b + RTOL * np.maximum(1.0, np.abs(b))


# --------------------------------------------------------------------------------------------
# Station selection
# --------------------------------------------------------------------------------------------
def select_stations(
    net: Network,
    stations: Iterable[str] | None = None,
    *,
    countries: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
) -> list[str]:
    """Station ids chosen by name or id, by country and by role.

    Parameters
    ----------
    net
        The network.
    stations
        Station ids, names or alternative names (resolved by :func:`corridors.find_station`).
        ``None`` starts from every station.
    countries
        Keep stations in these ISO3 countries.
    roles
        Keep stations with these roles (``port``, ``junction``, ...).

    Returns
    -------
    list of str
        Station ids in the order given (or the network's order), without duplicates.

    Raises
    ------
    StationNotFoundError
        For an unknown station name.
    DataError
        For a country or role no station has, or when nothing is left.

    Examples
    --------
    >>> from corridors import load_network
    >>> net = load_network()
    >>> select_stations(net, ["Mashhad", "Herat"])
    ['irn_mashhad', 'afg_herat']
    >>> len(select_stations(net, countries=["CHN"])) > 0
    True
    """
    st = net.stations
    if stations is None:
        ids = list(st["id"])
    else:
        known = set(st["id"])
        ids = list(dict.fromkeys(s if s in known else find_station(net, s) for s in stations))
    if countries is not None:
        wanted = {c.upper() for c in countries}
        unknown = wanted - set(st["country"])
        if unknown:
            known_countries = ", ".join(sorted(set(st["country"])))
            msg = f"no station in {', '.join(sorted(unknown))}; countries in the network: {known_countries}"
            raise DataError(msg)
        country = dict(zip(st["id"], st["country"], strict=True))
        ids = [s for s in ids if country[s] in wanted]
    if roles is not None:
        wanted_roles = set(roles)
        unknown = wanted_roles - set(st["role"])
        if unknown:
            known_roles = ", ".join(sorted(set(st["role"])))
            msg = f"no station has role {', '.join(sorted(unknown))}; roles in the network: {known_roles}"
            raise DataError(msg)
        role = dict(zip(st["id"], st["role"], strict=True))
        ids = [s for s in ids if role[s] in wanted_roles]
    if not ids:
        msg = "the selection leaves no station"
        raise DataError(msg)
    return ids


# --------------------------------------------------------------------------------------------
# The state graph
# --------------------------------------------------------------------------------------------
def _unit(by: str, params: Parameters) -> str:
    return {"distance": "km", "time": "h", "cost": params.cost_unit, "generalized": params.cost_unit}[by]


class StateGraph:
    """The routing engine's state-expanded graph of one network state, as a CSR matrix.

    Build it once per network state and criterion and ask many questions; the module's functions
    (:func:`od_matrix`, :func:`segment_criticality`, :func:`best_routes`) build one per call.

    Nodes are the ``(station, gauge)`` states, plus a virtual source for each station with more
    than one state (joined to each of them at weight 0); a station with one state starts from it.
    A destination is reached at the best of its states, which is what a virtual sink joined to
    each state at weight 0 would give. Parallel arcs (two segments between the same stations, two
    gauge-change methods) are reduced to the cheapest before the matrix is built, and arcs of
    weight zero are stored as explicit zeros, which :func:`scipy.sparse.csgraph.dijkstra` keeps as
    edges (a test checks it). Only the criterion's own weight is used: ties between equally good
    routes are broken arbitrarily, where the Router breaks them by a second criterion.

    Parameters
    ----------
    net
        A network state (e.g. from :func:`corridors.network_as_of`): every segment is usable.
        Not modified.
    params
        Routing parameters; the shipped ones by default.
    by
        ``distance`` (km), ``time`` (h), ``cost`` or ``generalized``.

    Attributes
    ----------
    csr
        The ``n_nodes x n_nodes`` :class:`scipy.sparse.csr_array` of arc weights.
    n_states, n_nodes
        Nodes ``0 .. n_states - 1`` are states; the rest are virtual sources.
    state_station, state_gauge
        The station (index into ``stations``) and train gauge of each state.
    source_node
        The node a search from each station starts at (-1 for a station no segment reaches).
    entry_segment
        For each stored arc, the index into ``segments`` of the segment it runs (-1 for a
        change of gauge or a virtual source's arc).
    stations, segments
        Station and segment ids, in the network's order.
    unit
        The unit of the criterion (``km``, ``h`` or the parameters' cost unit).

    Raises
    ------
    DataError
        For an unknown criterion.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> g = StateGraph(network_as_of(load_network(), date(2026, 11, 28)), by="time")
    >>> d = g.od_matrix(["Tashkent", "Mashhad"], ["Bandar Abbas"])
    >>> bool(d.loc["irn_mashhad", "irn_bandar_abbas"] < d.loc["uzb_tashkent", "irn_bandar_abbas"])
    True
    """

    def __init__(self, net: Network, params: Parameters | None = None, *, by: str = "distance") -> None:
        if by not in CRITERIA:
            msg = f"unknown criterion {by!r}; use one of {', '.join(CRITERIA)}"
            raise DataError(msg)
        self.net = net
        self.params = params or load_parameters()
        self.by = by
        self.unit = _unit(by, self.params)
        self._build()

    # --- construction --------------------------------------------------------------------
    def _segment_weights(self) -> FloatArray:
        """Each segment's weight in one direction (the same both ways), as the Router prices it.

        The same arithmetic as :meth:`corridors.Router._add_segment`, in the same order (so the
        sums agree to the last bit), done column-wise: kilometres per country scaled to the
        route length basis, divided by the speed and multiplied by the tariff of each country,
        summed per segment; a border's dwell and fee added where the ends' countries differ.
        """
        p = self.params
        seg = self.net.segments
        n = len(seg)
        ids = seg["id"].tolist()
        status = seg["status"].tolist()
        first_gauge = [track_gauges(g)[0] for g in seg["gauge"].tolist()]
        doc = np.array([np.nan if v is None else float(v) for v in seg["length_km"].tolist()], dtype=float)
        geo = seg["length_geodesic_km"].to_numpy(dtype=float)
        documented = np.isfinite(doc) & (doc > 0) if p.length_basis == "documented" else np.zeros(n, dtype=bool)
        km_total = np.where(documented, doc, geo)
        safe_geo = np.where(geo > 0, geo, 1.0)
        self._scale: FloatArray = np.where(geo > 0, km_total / safe_geo, 1.0)
        parts: list[dict[str, float]] = seg["km_by_country"].tolist()
        self._segment_km_by_country = parts
        counts = np.fromiter((len(d) for d in parts), dtype=np.int64, count=n)
        t_seg = np.repeat(np.arange(n, dtype=np.int64), counts)
        t_country = [c for d in parts for c in d]
        t_km = np.fromiter((v for d in parts for v in d.values()), dtype=float, count=int(counts.sum()))
        by_segment = p.raw["speed"].get("by_segment", {})
        t_list = t_seg.tolist()
        keys = list(zip([status[k] for k in t_list], t_country, [first_gauge[k] for k in t_list], strict=True))
        speed_of = {key: p.speed_kmh(segment="", status=key[0], country=key[1], gauge=key[2]) for key in set(keys)}
        speed = np.fromiter((speed_of[key] for key in keys), dtype=float, count=len(keys))
        for i, k in enumerate(t_list):  # per-segment speeds take precedence
            if ids[k] in by_segment:
                speed[i] = p.speed_kmh(segment=ids[k], status=status[k], country=t_country[i], gauge=first_gauge[k])
        tariff_of = {c: p.tariff_per_km(c) for c in set(t_country)}
        tariff = np.fromiter((tariff_of[c] for c in t_country), dtype=float, count=len(t_country))
        km_r = t_km * self._scale[t_seg]
        # bincount adds each segment's terms in order from 0.0, as the Router's loop does
        hours = np.bincount(t_seg, weights=km_r / speed, minlength=n)
        cost = np.bincount(t_seg, weights=km_r * tariff, minlength=n)
        crossings = p.raw["border"].get("crossings", {})
        country = self._country
        cu = [country[x] for x in seg["from"].tolist()]
        cv = [country[x] for x in seg["to"].tolist()]
        border_cache: dict[tuple[str, str, str], tuple[float, float]] = {}
        for k in [k for k, (a, b) in enumerate(zip(cu, cv, strict=True)) if a != b]:
            sid = ids[k]
            bkey = (cu[k], cv[k], sid if sid in crossings else "")
            if bkey not in border_cache:
                dwell, fee, _ = p.border(cu[k], cv[k], segment=sid)
                border_cache[bkey] = (dwell, fee)
            dwell, fee = border_cache[bkey]
            hours[k] += dwell
            cost[k] += fee
        weights: FloatArray = {
            "distance": km_total,
            "time": hours,
            "cost": cost,
            "generalized": cost + p.value_of_time * hours,
        }[self.by]
        return weights

    def _gauge_change_weight(self, methods: Sequence[str]) -> float:
        vot = self.params.value_of_time
        best = math.inf
        for m in methods:
            h, c = self.params.gauge_change(m)
            w = {"distance": 0.0, "time": h, "cost": c, "generalized": c + vot * h}[self.by]
            best = min(best, w)
        return best

    def _build(self) -> None:
        st = self.net.stations
        seg = self.net.segments
        self.stations: list[str] = st["id"].tolist()
        self._index = pd.Index(self.stations)
        self._country: dict[str, str] = dict(zip(self.stations, st["country"].tolist(), strict=True))
        self.segments: list[str] = seg["id"].tolist()
        n_st, n_seg = len(self.stations), len(self.segments)

        weights = self._segment_weights()
        u = self._index.get_indexer(seg["from"]).astype(np.int64)
        v = self._index.get_indexer(seg["to"]).astype(np.int64)
        if n_seg and (u.min() < 0 or v.min() < 0):
            bad = [s for s, a, b in zip(self.segments, u, v, strict=True) if a < 0 or b < 0][:5]
            msg = f"segments {', '.join(bad)} name stations that are not in the network"
            raise DataError(msg)

        # one arc per segment, direction and track gauge
        gauge_names = sorted({g for gauge in seg["gauge"].unique().tolist() for g in track_gauges(gauge)})
        code = {g: i for i, g in enumerate(gauge_names)}
        n_g = max(len(gauge_names), 1)
        tg = [track_gauges(g) for g in seg["gauge"].tolist()]
        reps = np.fromiter((len(t) for t in tg), dtype=np.int64, count=n_seg)
        arc_seg = np.repeat(np.arange(n_seg, dtype=np.int64), reps)
        arc_code = np.fromiter((code[g] for t in tg for g in t), dtype=np.int64, count=int(reps.sum()))
        key_u = u[arc_seg] * n_g + arc_code
        key_v = v[arc_seg] * n_g + arc_code
        keys, inverse = np.unique(np.concatenate([key_u, key_v]), return_inverse=True)
        n_states = len(keys)
        m = len(arc_seg)
        su, sv = inverse[:m], inverse[m:]
        self.state_station: IntArray = keys // n_g
        self.state_gauge: list[str] = [gauge_names[c] for c in (keys % n_g).tolist()]
        # states of each station (contiguous, as keys are station-major)
        counts = np.bincount(self.state_station, minlength=n_st)
        self._st_ptr: IntArray = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

        src_parts = [su, sv]
        dst_parts = [sv, su]
        w_parts = [weights[arc_seg], weights[arc_seg]]
        seg_parts = [arc_seg, arc_seg]
        # changes of gauge at stations with a facility
        gc_src: list[int] = []
        gc_dst: list[int] = []
        gc_w: list[float] = []
        multi = np.flatnonzero(counts > 1)
        methods_col = st["gauge_change"].tolist()
        for s in multi.tolist():
            methods = [mth for mth in GAUGE_CHANGE_METHODS if mth in (methods_col[s] or [])]
            if not methods:
                continue
            w = self._gauge_change_weight(methods)
            states = range(int(self._st_ptr[s]), int(self._st_ptr[s + 1]))
            for a in states:
                for b in states:
                    if a != b:
                        gc_src.append(a)
                        gc_dst.append(b)
                        gc_w.append(w)
        # virtual sources of stations with several states
        self.source_node: IntArray = np.full(n_st, -1, dtype=np.int64)
        single = counts == 1
        self.source_node[single] = self._st_ptr[:-1][single]
        vs_node = n_states + np.arange(len(multi), dtype=np.int64)
        self.source_node[multi] = vs_node
        vs_src = np.repeat(vs_node, counts[multi])
        vs_dst = _ranges(self._st_ptr[multi], self._st_ptr[multi + 1])
        src = np.concatenate([*src_parts, np.asarray(gc_src, dtype=np.int64), vs_src]).astype(np.int64)
        dst = np.concatenate([*dst_parts, np.asarray(gc_dst, dtype=np.int64), vs_dst]).astype(np.int64)
        w_all = np.concatenate([*w_parts, np.asarray(gc_w, dtype=float), np.zeros(len(vs_src))])
        seg_all = np.concatenate(
            [*seg_parts, np.full(len(gc_src), -1, dtype=np.int64), np.full(len(vs_src), -1, dtype=np.int64)]
        )
        self.n_states = n_states
        self.n_nodes = n_states + len(multi)

        # reduce parallel arcs to their minimum, then build the CSR directly (no duplicate summing)
        order = np.lexsort((w_all, dst, src))
        s_o, d_o = src[order], dst[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (s_o[1:] != s_o[:-1]) | (d_o[1:] != d_o[:-1])
        entry_of_sorted = np.cumsum(first) - 1
        keep = order[first]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(src[keep], minlength=self.n_nodes))])
        self.csr = sp.csr_array(
            (w_all[keep].astype(np.float64), dst[keep].astype(np.int32), indptr.astype(np.int32)),
            shape=(self.n_nodes, self.n_nodes),
        )
        self.entry_segment: IntArray = seg_all[keep]
        # every segment arc, for criticality: its CSR entry and weight
        entry_of_arc = np.empty(len(order), dtype=np.int64)
        entry_of_arc[order] = entry_of_sorted
        is_seg = seg_all >= 0
        self._arc_src: IntArray = src[is_seg]
        self._arc_dst: IntArray = dst[is_seg]
        self._arc_w: FloatArray = w_all[is_seg]
        self._arc_seg: IntArray = seg_all[is_seg]
        self._arc_entry: IntArray = entry_of_arc[is_seg]
        if self.csr.nnz != len(keep):  # pragma: no cover - scipy kept every explicit entry so far
            msg = "the sparse matrix dropped arcs of weight zero; routing results would be wrong"
            raise RuntimeError(msg)
        log.info(
            "state graph by %s: %d stations, %d segments -> %d states, %d nodes, %d arcs",
            self.by,
            n_st,
            n_seg,
            n_states,
            self.n_nodes,
            self.csr.nnz,
        )

    # --- queries -------------------------------------------------------------------------
    def _resolve(self, stations: Iterable[str] | None) -> list[str]:
        if stations is None:
            return list(self.stations)
        if isinstance(stations, str):
            msg = f"give a list of stations, not one string ({stations!r})"
            raise DataError(msg)
        known = self._index
        return list(dict.fromkeys(s if s in known else find_station(self.net, s) for s in stations))

    def _od_ids(self, origins: Iterable[str] | None, destinations: Iterable[str] | None) -> tuple[list[str], list[str]]:
        o_ids = self._resolve(origins)
        return o_ids, (list(o_ids) if destinations is None else self._resolve(destinations))

    def _batch(self, extra_bytes_per_node: int = 0) -> int:
        return int(max(1, min(256, BATCH_BYTES // ((8 + extra_bytes_per_node) * max(self.n_nodes, 1)))))

    def _dest_plan(self, dest_idx: IntArray) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
        """Columns to read for each destination station and where each group starts."""
        lo, hi = self._st_ptr[dest_idx], self._st_ptr[dest_idx + 1]
        sizes = hi - lo
        has = sizes > 0
        cols = _ranges(lo[has], hi[has])
        starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]]).astype(np.int64)
        return cols.astype(np.int64), starts, has

    def _od_from_rows(self, rows: FloatArray, plan: tuple[IntArray, IntArray, npt.NDArray[np.bool_]]) -> FloatArray:
        cols, starts, has = plan
        out = np.full((rows.shape[0], len(has)), np.inf)
        if len(cols):
            out[:, has] = np.minimum.reduceat(rows[:, cols], starts, axis=1)
        return out

    def _rows(self, src_nodes: IntArray, *, predecessors: bool = False) -> Any:
        if len(src_nodes) == 0:
            empty = np.empty((0, self.n_nodes))
            return (empty, empty.astype(np.int32)) if predecessors else empty
        return dijkstra(self.csr, directed=True, indices=src_nodes, return_predecessors=predecessors)

    def _od_array(
        self,
        orig_idx: IntArray,
        dest_idx: IntArray,
        *,
        progress: Progress | None = None,
        workers: int = 1,
    ) -> FloatArray:
        plan = self._dest_plan(dest_idx)
        out = np.full((len(orig_idx), len(dest_idx)), np.inf)
        src = self.source_node[orig_idx]
        searchable = np.flatnonzero(src >= 0)
        batch = self._batch()
        if workers > 1:  # smaller batches share the work evenly between processes
            batch = max(1, min(batch, -(-len(searchable) // (4 * workers))))
        chunks = [searchable[i : i + batch] for i in range(0, len(searchable), batch)]
        done = 0
        if workers > 1 and len(chunks) > 1:
            ctx = multiprocessing.get_context("spawn")
            csr = self.csr
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(csr.data, csr.indices, csr.indptr, self.n_nodes),
            ) as pool:
                futures = {pool.submit(_worker_od, src[ch], plan): ch for ch in chunks}
                for fut in as_completed(futures):
                    ch = futures[fut]
                    out[ch] = fut.result()
                    done += len(ch)
                    if progress:
                        progress(done, len(searchable))
        else:
            for ch in chunks:
                out[ch] = self._od_from_rows(self._rows(src[ch]), plan)
                done += len(ch)
                if progress:
                    progress(done, len(searchable))
        # a station is at distance 0 from itself, even one no segment reaches
        same = orig_idx[:, None] == dest_idx[None, :]
        out[same] = 0.0
        return out

    def od_matrix(
        self,
        origins: Iterable[str] | None = None,
        destinations: Iterable[str] | None = None,
        *,
        progress: Progress | None = None,
        workers: int = 1,
    ) -> pd.DataFrame:
        """Best values of the criterion from each origin to each destination.

        See :func:`od_matrix`.
        """
        o_ids, d_ids = self._od_ids(origins, destinations)
        orig_idx = self._index.get_indexer(o_ids).astype(np.int64)
        dest_idx = self._index.get_indexer(d_ids).astype(np.int64)
        arr = self._od_array(orig_idx, dest_idx, progress=progress, workers=workers)
        df = pd.DataFrame(arr, index=pd.Index(o_ids, name="origin"), columns=pd.Index(d_ids, name="destination"))
        df.attrs.update(by=self.by, unit=self.unit, network=self.net.description)
        log.info("OD matrix by %s: %d x %d, %d unreachable", self.by, len(o_ids), len(d_ids), int(np.isinf(arr).sum()))
        return df


_WORKER_GRAPH: Any = None


def _init_worker(data: FloatArray, indices: Any, indptr: Any, n: int) -> None:
    global _WORKER_GRAPH  # one graph per worker process, set once
    _WORKER_GRAPH = sp.csr_array((data, indices, indptr), shape=(n, n))


def _worker_od(src: IntArray, plan: tuple[IntArray, IntArray, npt.NDArray[np.bool_]]) -> FloatArray:
    rows = dijkstra(_WORKER_GRAPH, directed=True, indices=src)
    cols, starts, has = plan
    out = np.full((rows.shape[0], len(has)), np.inf)
    if len(cols):
        out[:, has] = np.minimum.reduceat(rows[:, cols], starts, axis=1)
    return out


# --------------------------------------------------------------------------------------------
# OD matrices and their differences
# --------------------------------------------------------------------------------------------
def od_matrix(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
    workers: int = 1,
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
    return StateGraph(net, params, by=by).od_matrix(origins, destinations, progress=progress, workers=workers)


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


# --------------------------------------------------------------------------------------------
# Segment criticality
# --------------------------------------------------------------------------------------------
def _dfs_intervals(g: nx.Graph) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """Preorder number, subtree size and parent of every node in a DFS forest of ``g``."""
    pre: dict[str, int] = {}
    size: dict[str, int] = {}
    parent: dict[str, str] = {}
    counter = 0
    for root in g.nodes:
        if root in pre:
            continue
        pre[root] = counter
        counter += 1
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(g[root]))]
        while stack:
            node, it = stack[-1]
            child = next((c for c in it if c not in pre), None)
            if child is None:
                stack.pop()
                size[node] = counter - pre[node]
                continue
            parent[child] = node
            pre[child] = counter
            counter += 1
            stack.append((child, iter(g[child])))
    return pre, size, parent


def segment_criticality(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """How much each segment matters: the effect of closing it on a set of OD pairs.

    For every segment of the network state, the OD pairs (origin != destination, in both
    directions) that lose their last route, and the increase of the criterion summed over the
    pairs that keep one. The base matrix is computed once; a segment is "closed" by setting its
    arcs to infinity (or to a parallel segment's weight) in the sparse matrix and restoring them
    after, and only the origins whose shortest paths can use it (an arc ``a -> b`` of the segment
    with ``D[s, a] + w = D[s, b]``) are searched again. A segment that is a bridge of the network
    (single gauge, no parallel segment) needs no search: the pairs it separates are counted from
    the two sides of the network, and no other pair changes.

    Parameters
    ----------
    net
        A network state (e.g. from :func:`corridors.network_as_of`); not modified.
    origins
        Station ids or names; every station when None.
    destinations
        Station ids or names; the origins when None. The OD set is every origin-destination pair
        of two different stations.
    by
        ``distance`` (km), ``time`` (h), ``cost`` or ``generalized``.
    params
        Routing parameters; the shipped ones by default.
    progress
        Called with (segments done, segments) as the work advances.

    Returns
    -------
    pandas.DataFrame
        One row per segment, most critical first: ``rank``, ``segment``, ``name``, ``from``,
        ``to``, ``gauge``, ``bridge`` (its closure splits the network in two),
        ``pairs_disconnected``, ``pairs_longer`` (still connected,
        longer), ``added`` (sum of the increases, in the criterion's unit) and ``added_mean``
        (per pair made longer). Ranked by pairs disconnected, then added. ``attrs`` holds
        ``by``, ``unit``, ``pairs`` (OD pairs considered) and ``pairs_connected``.

    Raises
    ------
    StationNotFoundError
        For an unknown station name.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> t = segment_criticality(net, select_stations(net, countries=["TJK"]))
    >>> t.iloc[0]["pairs_disconnected"] > 0 and t.attrs["pairs"] == 12 * 11
    True
    """
    g = StateGraph(net, params, by=by)
    o_ids, d_ids = g._od_ids(origins, destinations)
    orig_idx = g._index.get_indexer(o_ids).astype(np.int64)
    dest_idx = g._index.get_indexer(d_ids).astype(np.int64)
    plan = g._dest_plan(dest_idx)
    n_seg = len(g.segments)
    valid = orig_idx[:, None] != dest_idx[None, :]

    # bridges of the station multigraph: single-gauge segments with no parallel segment
    seg = net.segments
    simple = nx.Graph()
    simple.add_nodes_from(g.stations)
    for sid, a, b in zip(g.segments, seg["from"].tolist(), seg["to"].tolist(), strict=True):
        if simple.has_edge(a, b):
            simple[a][b]["segments"].append(sid)
        else:
            simple.add_edge(a, b, segments=[sid])
    gauge = dict(zip(g.segments, seg["gauge"].tolist(), strict=True))
    pre, size, parent = _dfs_intervals(simple)
    shortcut: dict[int, tuple[int, int]] = {}  # segment -> (preorder, size) of the far side
    bridges: set[int] = set()
    seg_pos = {s: k for k, s in enumerate(g.segments)}
    for a, b in nx.bridges(simple):
        parallel = simple[a][b]["segments"]
        if len(parallel) > 1:
            continue
        sid = parallel[0]
        bridges.add(seg_pos[sid])
        if len(track_gauges(gauge[sid])) == 1:  # dual gauge: a train may cross and come back changed
            child = b if parent.get(b) == a else a
            shortcut[seg_pos[sid]] = (pre[child], size[child])
    pre_o = np.array([pre.get(s, -1) for s in o_ids])
    pre_d = np.array([pre.get(s, -1) for s in d_ids])

    # a segment's CSR entries and their weight without it (a parallel segment's, or inf)
    by_entry: dict[int, list[tuple[float, int]]] = {}
    for e, w, s in zip(g._arc_entry.tolist(), g._arc_w.tolist(), g._arc_seg.tolist(), strict=True):
        by_entry.setdefault(e, []).append((w, s))
    order = np.argsort(g._arc_seg, kind="stable")
    arc_seg_sorted = g._arc_seg[order]
    seg_start = np.searchsorted(arc_seg_sorted, np.arange(n_seg + 1))
    arcs_of = [order[seg_start[k] : seg_start[k + 1]] for k in range(n_seg)]

    def without(k: int) -> tuple[IntArray, FloatArray]:
        entries = np.unique(g._arc_entry[arcs_of[k]])
        new = np.array([min((w for w, s in by_entry[int(e)] if s != k), default=np.inf) for e in entries.tolist()])
        return entries, new

    disconnected = np.zeros(n_seg, dtype=np.int64)
    longer = np.zeros(n_seg, dtype=np.int64)
    added = np.zeros(n_seg)
    total_pairs = int(valid.sum())
    pairs_connected = 0
    src_all = g.source_node[orig_idx]
    batch = g._batch()
    data = g.csr.data
    done_segments = 0
    n_batches = max(1, -(-len(orig_idx) // batch))
    for start in range(0, len(orig_idx), batch):
        rows_idx = np.arange(start, min(start + batch, len(orig_idx)))
        src = src_all[rows_idx]
        ok = src >= 0
        rows = np.full((len(rows_idx), g.n_nodes), np.inf)
        rows[ok] = g._rows(src[ok])
        base = g._od_from_rows(rows, plan)
        vmask = valid[rows_idx]
        finite = np.isfinite(base) & vmask
        pairs_connected += int(finite.sum())
        # which origins' shortest paths can use which segment
        da, db = rows[:, g._arc_src], rows[:, g._arc_dst]
        with np.errstate(invalid="ignore"):
            tight = np.isfinite(da) & _close_or_less(da + g._arc_w, db)
        seg_tight = np.zeros((len(rows_idx), n_seg), dtype=bool)
        if n_seg:  # every segment has at least two arcs (one each way), so no group is empty
            seg_tight = np.logical_or.reduceat(tight[:, order], seg_start[:-1], axis=1)
        for k in range(n_seg):
            if k in shortcut:
                p0, sz = shortcut[k]
                in_o = (pre_o >= p0) & (pre_o < p0 + sz)
                in_d = (pre_d >= p0) & (pre_d < p0 + sz)
                cross = in_o[rows_idx][:, None] != in_d[None, :]
                disconnected[k] += int((finite & cross).sum())
            else:
                affected = np.flatnonzero(seg_tight[:, k] & ok)
                if len(affected):
                    entries, new = without(k)
                    saved = data[entries].copy()
                    data[entries] = new
                    try:
                        after = g._od_from_rows(g._rows(src[affected]), plan)
                    finally:
                        data[entries] = saved
                    before = base[affected]
                    fin = finite[affected]
                    lost = fin & ~np.isfinite(after)
                    still = fin & np.isfinite(after)
                    inc = np.where(still, after, 0.0) - np.where(still, before, 0.0)
                    inc[inc <= RTOL * np.maximum(1.0, np.abs(np.where(still, before, 0.0)))] = 0.0
                    disconnected[k] += int(lost.sum())
                    longer[k] += int((inc > 0).sum())
                    added[k] += float(inc.sum())
            if progress and n_batches == 1:
                done_segments += 1
                progress(done_segments, n_seg)
        if progress and n_batches > 1:
            progress(min(start + batch, len(orig_idx)) * n_seg // len(orig_idx), n_seg)

    df = pd.DataFrame(
        {
            "segment": g.segments,
            "name": seg["name"].fillna("").tolist() if "name" in seg else [""] * n_seg,
            "from": seg["from"].tolist(),
            "to": seg["to"].tolist(),
            "gauge": seg["gauge"].tolist(),
            "bridge": [k in bridges for k in range(n_seg)],
            "pairs_disconnected": disconnected,
            "pairs_longer": longer,
            "added": added,
            "added_mean": np.where(longer > 0, added / np.maximum(longer, 1), 0.0),
        }
    )
    df = df.sort_values(["pairs_disconnected", "added"], ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.attrs.update(by=by, unit=g.unit, pairs=total_pairs, pairs_connected=pairs_connected, network=net.description)
    log.info(
        "criticality of %d segments over %d OD pairs (%d bridges counted without search)",
        n_seg,
        total_pairs,
        len(shortcut),
    )
    return df


def plot_criticality(
    net: Network,
    table: pd.DataFrame,
    *,
    column: str = "pairs_disconnected",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    top: int = 8,
    cmap: str = "YlOrRd",
    figsize: tuple[float, float] | None = None,
) -> tuple[Figure, Axes]:
    """Map of segments coloured by how critical they are.

    Parameters
    ----------
    net
        The network state the table was computed on (its segments are drawn).
    table
        From :func:`segment_criticality`.
    column
        What colours the segments: ``pairs_disconnected`` (shown as a share of the OD pairs),
        ``added`` or ``pairs_longer``.
    ax
        Axes to draw on; a new figure when None.
    title, subtitle
        Texts above the map; sensible defaults.
    top
        Label this many of the most critical segments by rank.
    cmap
        A Matplotlib colour map name.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes

    Raises
    ------
    DataError
        If ``column`` is not in the table.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> t = segment_criticality(net, select_stations(net, countries=["TJK", "UZB"]))
    >>> fig, ax = plot_criticality(net, t)
    >>> ax.get_title(loc="left").startswith("Segment criticality")
    True
    """
    from corridors.plot import (
        _attribution,
        _draw_countries,
        _frame,
        _get_fig_ax,
        _place_labels,
        _scale_bar,
        _titles,
        map_extent,
    )
    from corridors.style import FONT, MAP_CRS, STYLE

    if column not in table.columns:
        msg = f"column {column!r} is not in the criticality table; use pairs_disconnected, added or pairs_longer"
        raise DataError(msg)
    fig, ax = _get_fig_ax(ax, figsize or (STYLE["figsize"][0], STYLE["figsize"][1] + 0.6))
    segs = net.segments[["id", "geometry"]].merge(table, left_on="id", right_on="segment", how="left")
    segs = gpd.GeoDataFrame(segs, geometry="geometry", crs=net.segments.crs).to_crs(MAP_CRS)
    values = segs[column].fillna(0.0).to_numpy(dtype=float)
    pairs = max(int(table.attrs.get("pairs", 0)), 1)
    unit = str(table.attrs.get("unit", ""))
    if column == "pairs_disconnected":
        values = 100.0 * values / pairs
        label = "OD pairs disconnected if the segment closes (% of pairs)"
    elif column == "added":
        label = f"added {unit} summed over OD pairs if the segment closes"
    else:
        label = f"{column.replace('_', ' ')} if the segment closes"
    bbox, (w, h) = ax.get_position(), fig.get_size_inches()
    extent = map_extent(
        net.segments if len(net.segments) else net.stations, aspect=(bbox.width * w) / (bbox.height * h)
    )
    _draw_countries(ax, extent)
    zero = values <= 0
    if zero.any():
        segs[zero].plot(ax=ax, color="#9a9a9a", linewidth=1.0, zorder=3)
    vmax = float(values.max()) if len(values) and values.max() > 0 else 1.0
    norm = Normalize(vmin=0.0, vmax=vmax)
    colormap = plt.get_cmap(cmap)
    hot = segs[~zero].assign(_v=values[~zero]).sort_values("_v")
    for _, row in hot.iterrows():
        x, y = row.geometry.xy
        ax.plot(
            x,
            y,
            color=colormap(0.25 + 0.75 * norm(row["_v"])),
            linewidth=1.6 + 3.2 * norm(row["_v"]),
            solid_capstyle="round",
            zorder=4 + norm(row["_v"]),
        )
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=_truncated(colormap))
    cbar = fig.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.045, pad=0.07, shrink=0.8)
    cbar.set_label(label, fontsize=FONT["legend"] + 0.5)
    cbar.ax.tick_params(labelsize=FONT["legend"])
    cbar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _frame(ax, extent)
    _scale_bar(ax, extent)
    # the most critical segments: a dot at the middle, their rank placed beside it without overlaps
    # (by the mapped column, so with the default column the numbers are the table's ranks)
    ranked = table[table[column] > 0].sort_values([column, "rank"], ascending=[False, True]).head(top)
    geo = segs.set_index("id")
    points: list[tuple[float, float, str, dict[str, Any]]] = []
    for n, seg_id in enumerate(ranked["segment"], 1):
        if seg_id in geo.index:
            p = geo.loc[seg_id].geometry.interpolate(0.5, normalized=True)
            points.append((p.x, p.y, f"#{n}", {"fontweight": "bold", "fontsize": FONT["label"] + 0.5}))
    if points:
        ax.scatter([q[0] for q in points], [q[1] for q in points], s=14, c="#111111", zorder=8)
        _place_labels(ax, points, [])
    handles = [
        Line2D([], [], color="#9a9a9a", linewidth=1.0),
        Line2D([], [], marker="o", markersize=4, linestyle="none", color="#111111"),
    ]
    labels = [
        {
            "pairs_disconnected": "closing it cuts no OD pair (routes may get longer)",
            "added": "closing it lengthens no route",
        }.get(column, f"{column.replace('_', ' ')}: 0"),
        "#n: the n-th largest value on this map",
    ]
    leg = ax.legend(handles, labels, loc="lower right", fontsize=FONT["legend"], framealpha=0.92, edgecolor="#bbbbbb")
    leg.set_zorder(10)
    by = table.attrs.get("by", "")
    _titles(
        ax,
        title or "Segment criticality",
        subtitle
        if subtitle is not None
        else f"effect of closing each segment on {pairs:,} OD pairs (best routes by {by}); {net.description}",
    )
    _attribution(ax)
    return fig, ax


def _truncated(cmap: Any) -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("trunc", cmap(np.linspace(0.25, 1.0, 128)))


# --------------------------------------------------------------------------------------------
# Best routes and transit hubs
# --------------------------------------------------------------------------------------------
def best_routes(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
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
    g = StateGraph(net, params, by=by)
    o_ids, d_ids = g._od_ids(origins, destinations)
    orig_idx = g._index.get_indexer(o_ids).astype(np.int64)
    dest_idx = g._index.get_indexer(d_ids).astype(np.int64)
    min_km = float(g.params.raw.get("routing", {}).get("country_passage_min_km", {}).get("value", 1.0))
    entered = [[c for c, km in parts.items() if km >= min_km] for parts in g._segment_km_by_country]
    country = g._country
    indptr, indices = g.csr.indptr, g.csr.indices
    rows_out: list[dict[str, Any]] = []
    batch = g._batch(extra_bytes_per_node=4)
    for start in range(0, len(orig_idx), batch):
        chunk = orig_idx[start : start + batch]
        src = g.source_node[chunk]
        ok = np.flatnonzero(src >= 0)
        dist = np.full((len(chunk), g.n_nodes), np.inf)
        pred = np.full((len(chunk), g.n_nodes), -9999, dtype=np.int32)
        if len(ok):
            dist[ok], pred[ok] = g._rows(src[ok], predecessors=True)
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
                lo, hi = int(g._st_ptr[di]), int(g._st_ptr[di + 1])
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
                        changes += 1
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
                    for c, km in g._segment_km_by_country[k].items():
                        km_c[c] = km_c.get(c, 0.0) + km * float(g._scale[k])
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


def plot_transit_shares(
    shares: Mapping[str, pd.DataFrame],
    *,
    column: str = "transit_share",
    countries: Sequence[str] | None = None,
    highlight: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> tuple[Figure, Axes]:
    """Grouped bars of each country's transit share in several network states.

    Parameters
    ----------
    shares
        ``{state label: table from country_shares}``, in the order to draw.
    column
        ``transit_share`` (default), ``transit_demand_share`` or ``km_share``.
    countries
        Countries to show, in order; every country with a non-zero value by default.
    highlight
        Countries (ISO3) whose labels are set in bold.
    names
        Labels of the countries by ISO3 code; Natural Earth's English names by default.
    ax
        Axes to draw on; a new figure when None.
    title, subtitle
        Texts above the chart.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"transit_share": [0.5, 0.2]}, index=["TKM", "UZB"])
    >>> b = pd.DataFrame({"transit_share": [0.4, 0.3]}, index=["TKM", "AFG"])
    >>> fig, ax = plot_transit_shares({"today": a, "scenario": b})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Turkmenistan', 'Afghanistan', 'Uzbekistan']
    """
    from corridors.plot import _get_fig_ax
    from corridors.style import FONT, PALETTE

    if not shares:
        msg = "plot_transit_shares needs at least one table"
        raise DataError(msg)
    labels = list(shares)
    wide = pd.concat({k: v[column] for k, v in shares.items()}, axis=1).fillna(0.0)
    if countries is None:
        wide = wide[(wide > 0).any(axis=1)]
        order = wide.max(axis=1).sort_values(ascending=False).index.tolist()
    else:
        order = list(countries)
        wide = wide.reindex(order).fillna(0.0)
    wide = wide.loc[order]
    n_c, n_s = len(order), len(labels)
    fig, ax = _get_fig_ax(ax, figsize or (7.5, 0.9 + 0.32 * n_c * max(n_s, 2)))
    height = 0.8 / n_s
    y = np.arange(n_c)
    for i, lab in enumerate(labels):
        vals = 100.0 * wide[lab].to_numpy()
        bars = ax.barh(
            y + (i - (n_s - 1) / 2) * height, vals, height=height * 0.92, color=PALETTE[i % len(PALETTE)], label=lab
        )
        for rect, v in zip(bars, vals, strict=True):
            ax.text(
                rect.get_width() + 0.8,
                rect.get_y() + rect.get_height() / 2,
                f"{v:.0f}%",
                va="center",
                fontsize=FONT["legend"],
                color="#333333",
            )
    if names is None:
        from corridors.geo import load_countries

        names = load_countries()["name"].to_dict()
    ax.set_yticks(y, [str(names.get(c, c)) for c in order])
    for t, code in zip(ax.get_yticklabels(), order, strict=True):
        if code in highlight:
            t.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    what = {"transit_share": "best routes", "transit_demand_share": "demand", "km_share": "route km"}.get(
        column, column
    )
    ax.set_xlabel(
        f"share of {what} in transit through the country (%)" if column != "km_share" else "share of route km (%)"
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.6 / (ax.get_position().height * fig.get_size_inches()[1])),  # under the x label
        fontsize=FONT["legend"] + 0.5,
        frameon=False,
        borderaxespad=0.0,
    )
    if title:
        lines = subtitle.count("\n") + 1 if subtitle else 0
        ax.set_title(
            title, loc="left", fontsize=FONT["title"], fontweight="bold", pad=8 + 1.35 * FONT["subtitle"] * lines + 4
        )
    if subtitle:
        ax.annotate(
            subtitle,
            (0, 1),
            xycoords="axes fraction",
            xytext=(0, 8),
            textcoords="offset points",
            fontsize=FONT["subtitle"],
            color="#444444",
            va="bottom",
        )
    return fig, ax
