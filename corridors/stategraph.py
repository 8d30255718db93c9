"""The state-expanded graph of one network state as a CSR matrix, for batch shortest paths.

States are ``(station, train gauge)``; a segment is an arc between states of one gauge (both
gauges for a dual-gauge segment); a change of gauge is an arc between two states of one station,
only where the station has a facility, at the cheapest method's price; every price comes from
:mod:`corridors.pricing`, the same table the routing engine reads. :class:`StateGraph` builds the
graph once per network state and criterion and runs batches of Dijkstra searches on it with
:func:`scipy.sparse.csgraph.dijkstra`; :meth:`StateGraph.repriced` writes new prices into the same
structure without rebuilding it.

Exactness
---------
An OD matrix entry is the length of the shortest *walk* on the state graph. :class:`~corridors.Router`
returns the best *loopless* route (no station twice). The two agree whenever the best walk visits
no station twice, which is every case but contrived ones (a walk that leaves a station without a
gauge-change facility, changes gauge elsewhere and comes back through it). Where they differ the
matrix entry is the smaller.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from corridors._errors import DataError
from corridors.network import Network, find_station
from corridors.params import Parameters, load_parameters
from corridors.pricing import Prices, check_criterion, criterion_unit, price_network, transfer_connects
from corridors.schema import segment_carriers

__all__ = ["BATCH_BYTES", "RTOL", "Progress", "StateGraph", "close_or_less"]

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


def close_or_less(a: FloatArray, b: FloatArray) -> npt.NDArray[np.bool_]:
    """``a <= b`` up to the rounding of sums (both finite)."""
    return a <= b + RTOL * np.maximum(1.0, np.abs(b))


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

    def __init__(
        self,
        net: Network,
        params: Parameters | None = None,
        *,
        by: str = "distance",
        prices: Prices | None = None,
    ) -> None:
        self.net = net
        self.params = params or load_parameters()
        self.by = check_criterion(by)
        self.unit = criterion_unit(by, self.params)
        self.prices = prices if prices is not None else price_network(net, self.params)
        self._build()

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        st = self.net.stations
        seg = self.net.segments
        self.stations: list[str] = st["id"].tolist()
        self.index = pd.Index(self.stations)
        self.country: dict[str, str] = dict(zip(self.stations, st["country"].tolist(), strict=True))
        self.segments: list[str] = seg["id"].tolist()
        if self.prices.segments != self.segments:
            msg = "the prices were computed for another network state (segments differ)"
            raise DataError(msg)
        n_st, n_seg = len(self.stations), len(self.segments)

        u = self.index.get_indexer(seg["from"]).astype(np.int64)
        v = self.index.get_indexer(seg["to"]).astype(np.int64)
        if n_seg and (u.min() < 0 or v.min() < 0):
            bad = [s for s, a, b in zip(self.segments, u, v, strict=True) if a < 0 or b < 0][:5]
            msg = f"segments {', '.join(bad)} name stations that are not in the network"
            raise DataError(msg)

        # one arc per segment, direction and track gauge
        # a state's carrier: a train gauge on rail, else the mode (road, ferry, sea)
        tg = [segment_carriers(m, g) for m, g in zip(self.prices.modes, seg["gauge"].tolist(), strict=True)]
        gauge_names = sorted({g for t in tg for g in t})
        code = {g: i for i, g in enumerate(gauge_names)}
        n_g = max(len(gauge_names), 1)
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
        self.station_ptr: IntArray = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

        # changes of gauge: one arc per ordered pair of a station's states and method offered
        gc_src: list[int] = []
        gc_dst: list[int] = []
        gc_tr: list[int] = []
        pos = self.index.get_indexer(self.prices.transfer_station)
        for t, s in enumerate(pos.tolist()):
            method = self.prices.transfer_method[t]
            states = range(int(self.station_ptr[s]), int(self.station_ptr[s + 1]))
            for a in states:
                for b in states:
                    if transfer_connects(method, self.state_gauge[a], self.state_gauge[b]):
                        gc_src.append(a)
                        gc_dst.append(b)
                        gc_tr.append(t)
        # virtual sources of stations with several states
        multi = np.flatnonzero(counts > 1)
        self.source_node: IntArray = np.full(n_st, -1, dtype=np.int64)
        single = counts == 1
        self.source_node[single] = self.station_ptr[:-1][single]
        vs_node = n_states + np.arange(len(multi), dtype=np.int64)
        self.source_node[multi] = vs_node
        vs_src = np.repeat(vs_node, counts[multi])
        vs_dst = _ranges(self.station_ptr[multi], self.station_ptr[multi + 1])
        n_gc, n_vs = len(gc_src), len(vs_src)
        src = np.concatenate([su, sv, np.asarray(gc_src, dtype=np.int64), vs_src]).astype(np.int64)
        dst = np.concatenate([sv, su, np.asarray(gc_dst, dtype=np.int64), vs_dst]).astype(np.int64)
        none = np.full(n_gc + n_vs, -1, dtype=np.int64)
        self._all_seg: IntArray = np.concatenate([arc_seg, arc_seg, none])
        self._all_transfer: IntArray = np.concatenate(
            [np.full(2 * m, -1, dtype=np.int64), np.asarray(gc_tr, dtype=np.int64), np.full(n_vs, -1, dtype=np.int64)]
        )
        self.n_states = n_states
        self.n_nodes = n_states + len(multi)

        # the structure: arcs grouped by (src, dst); parallel arcs share one CSR entry (their minimum)
        self._order: IntArray = np.lexsort((dst, src)).astype(np.int64)
        s_o, d_o = src[self._order], dst[self._order]
        first = np.ones(len(self._order), dtype=bool)
        first[1:] = (s_o[1:] != s_o[:-1]) | (d_o[1:] != d_o[:-1])
        self._group_start: IntArray = np.flatnonzero(first).astype(np.int64)
        self._group_of_sorted: IntArray = (np.cumsum(first) - 1).astype(np.int64)
        self._parallel = len(self._group_start) < len(self._order)
        entry_of_arc = np.empty(len(self._order), dtype=np.int64)
        entry_of_arc[self._order] = self._group_of_sorted
        keep = self._order[first]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(src[keep], minlength=self.n_nodes))])
        self.csr = sp.csr_array(
            (np.zeros(len(keep)), dst[keep].astype(np.int32), indptr.astype(np.int32)),
            shape=(self.n_nodes, self.n_nodes),
        )
        # every segment arc, for criticality: its endpoints and CSR entry
        is_seg = self._all_seg >= 0
        self._is_seg = is_seg
        self.arc_src: IntArray = src[is_seg]
        self.arc_dst: IntArray = dst[is_seg]
        self.arc_segment: IntArray = self._all_seg[is_seg]
        self.arc_entry: IntArray = entry_of_arc[is_seg]
        self._set_weights(self.prices)
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

    def _set_weights(self, prices: Prices) -> None:
        """Write the arc weights of ``prices`` into the CSR entries (the structure stays)."""
        seg_w = prices.segment_weight(self.by)
        tr_w = prices.transfer_weight(self.by)
        w_all = np.zeros(len(self._all_seg))
        w_all[self._is_seg] = seg_w[self._all_seg[self._is_seg]]
        is_tr = self._all_transfer >= 0
        w_all[is_tr] = tr_w[self._all_transfer[is_tr]]
        w_sorted = w_all[self._order]
        seg_sorted = self._all_seg[self._order]
        if self._parallel:
            # the cheapest arc of each group: sort by (group, weight) and take each group's first
            best = np.lexsort((w_sorted, self._group_of_sorted))
            firsts = best[self._group_start]
            self.csr.data[:] = w_sorted[firsts]
            self.entry_segment: IntArray = seg_sorted[firsts]
        else:
            self.csr.data[:] = w_sorted
            self.entry_segment = seg_sorted
        self.arc_weight: FloatArray = w_all[self._is_seg]

    def repriced(self, prices: Prices) -> StateGraph:
        """A copy of this graph with other prices for the same network state, without rebuilding it.

        Only the CSR's weights (and which parallel arc is cheapest) change; the topology, the
        state numbering and the arc order are shared with this graph.

        Examples
        --------
        >>> from datetime import date
        >>> from corridors import load_network, load_parameters, network_as_of
        >>> from corridors.pricing import price_network
        >>> net = network_as_of(load_network(), date(2026, 11, 28))
        >>> g = StateGraph(net, by="time")
        >>> slow = load_parameters(overrides={"border": {"default": {"dwell_h": 500}}})
        >>> g2 = g.repriced(price_network(net, slow))
        >>> bool(g2.csr.data.sum() >= g.csr.data.sum()), bool((g2.csr.indices == g.csr.indices).all())
        (True, True)
        """
        if prices.segments != self.segments:
            msg = "the prices were computed for another network state (segments differ)"
            raise DataError(msg)
        other = copy.copy(self)
        other.prices = prices
        other.csr = sp.csr_array((self.csr.data.copy(), self.csr.indices, self.csr.indptr), shape=self.csr.shape)
        other._set_weights(prices)
        return other

    # --- queries -------------------------------------------------------------------------
    def resolve(self, stations: Iterable[str] | None) -> list[str]:
        """Station ids of ids or names (every station for None), without duplicates."""
        if stations is None:
            return list(self.stations)
        if isinstance(stations, str):
            msg = f"give a list of stations, not one string ({stations!r})"
            raise DataError(msg)
        known = self.index
        return list(dict.fromkeys(s if s in known else find_station(self.net, s) for s in stations))

    def od_ids(self, origins: Iterable[str] | None, destinations: Iterable[str] | None) -> tuple[list[str], list[str]]:
        """Origin and destination ids (the destinations default to the origins)."""
        o_ids = self.resolve(origins)
        return o_ids, (list(o_ids) if destinations is None else self.resolve(destinations))

    def batch_size(self, extra_bytes_per_node: int = 0) -> int:
        """How many sources one batch of searches takes so its rows fit in :data:`BATCH_BYTES`."""
        return int(max(1, min(256, BATCH_BYTES // ((8 + extra_bytes_per_node) * max(self.n_nodes, 1)))))

    def dest_plan(self, dest_idx: IntArray) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
        """Columns to read for each destination station and where each group starts."""
        lo, hi = self.station_ptr[dest_idx], self.station_ptr[dest_idx + 1]
        sizes = hi - lo
        has = sizes > 0
        cols = _ranges(lo[has], hi[has])
        starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]]).astype(np.int64)
        return cols.astype(np.int64), starts, has

    def od_from_rows(self, rows: FloatArray, plan: tuple[IntArray, IntArray, npt.NDArray[np.bool_]]) -> FloatArray:
        """The best value per destination station from full rows of state distances."""
        cols, starts, has = plan
        out = np.full((rows.shape[0], len(has)), np.inf)
        if len(cols):
            out[:, has] = np.minimum.reduceat(rows[:, cols], starts, axis=1)
        return out

    def rows(self, src_nodes: IntArray, *, predecessors: bool = False) -> Any:
        """Distances (and predecessors) from the given nodes to every node."""
        if len(src_nodes) == 0:
            empty = np.empty((0, self.n_nodes))
            return (empty, empty.astype(np.int32)) if predecessors else empty
        return dijkstra(self.csr, directed=True, indices=src_nodes, return_predecessors=predecessors)

    def od_array(
        self,
        orig_idx: IntArray,
        dest_idx: IntArray,
        *,
        progress: Progress | None = None,
        workers: int = 1,
    ) -> FloatArray:
        """Best values between station indices (``inf`` where unreachable)."""
        plan = self.dest_plan(dest_idx)
        out = np.full((len(orig_idx), len(dest_idx)), np.inf)
        src = self.source_node[orig_idx]
        searchable = np.flatnonzero(src >= 0)
        batch = self.batch_size()
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
                out[ch] = self.od_from_rows(self.rows(src[ch]), plan)
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
        o_ids, d_ids = self.od_ids(origins, destinations)
        orig_idx = self.index.get_indexer(o_ids).astype(np.int64)
        dest_idx = self.index.get_indexer(d_ids).astype(np.int64)
        arr = self.od_array(orig_idx, dest_idx, progress=progress, workers=workers)
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
