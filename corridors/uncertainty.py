"""Monte Carlo over uncertain speeds, border dwells, gauge changes and opening dates.

A deterministic answer is one number; the inputs behind it are not: CPMM border times swing by
days from year to year, speeds are quoted as ranges and lines open years after their announced
dates. This module draws those inputs from the distributions in the parameters' ``[uncertainty.*]``
tables (:class:`Distributions`) and answers each question once per draw:

* **speeds**: one lognormal multiplier per country with mean 1 on the running hours there;
* **border dwell**: one lognormal multiplier with mean 1 per border pair (or crossing);
* **gauge changes**: one lognormal multiplier per draw on every gauge-change time;
* **openings**: every unbuilt segment with an ``expected_opening`` opens that date plus a drawn
  delay (zero with probability ``p_on_time``, else lognormal in years), one delay per project
  (segments with the same expected opening and first corridor tag); segments without an
  expected opening stay closed in every draw. The Monte Carlo thus always *projects* openings
  (like ``--expected``), whatever the option's own ``expected`` flag. A segment unbuilt in the
  data that a scenario declares operational from a date opens that date plus the drawn delay.

How it is computed (see ``PERFORMANCE.md``): the CSR state graph of the **fully built** network
state is built once per network state (:meth:`NetworkState.fully_built`); draws write their
weights into CSR ``data`` arrays (arc order fixed; a segment not open in the draw, or one the
option's constraints exclude, gets weight ``inf``, which :func:`scipy.sparse.csgraph.dijkstra`
treats as no arc — a test checks it), with prices perturbed as arrays, never a Python loop per
arc. Up to 16 draws are searched in one scipy call on a CSR of disjoint copies of the graph, one
copy per draw. Draw ``i`` takes its random numbers from its own stream,
``numpy.random.SeedSequence(seed).spawn(n)[i]``, so the results for a seed are identical
whatever the chunking and the number of Dask workers (:func:`run_monte_carlo`).

Approximations, stated: a via-station is passed like the Router's via, except that the search
may leave it on another gauge without a facility (the legs are joined at the station, not at the
gauge); the route of each draw is the shortest *walk* of the state graph (see
:mod:`corridors.stategraph`); tariffs and fees are not drawn, so cost varies only with the route
taken.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from corridors._errors import ParameterError, UsageError
from corridors.network import Network
from corridors.params import Parameters
from corridors.pricing import check_criterion
from corridors.routing import Constraints
from corridors.schema import parse_date
from corridors.state import NetworkState

__all__ = [
    "Distributions",
    "MonteCarloProblem",
    "MonteCarloResult",
    "Query",
    "build_problem",
    "connection_table",
    "distributions",
    "draw_stream",
    "flip_table",
    "monte_carlo_options",
    "od_draws",
    "od_problem",
    "open_client",
    "option_queries",
    "percentile_table",
    "run_monte_carlo",
    "run_od_draws",
    "yearly_dates",
]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Days per year for delays drawn in years.
YEAR_DAYS = 365.25
#: Draws per Dask task (hundreds, so scheduling overhead stays small).
CHUNK = 250
_UNBUILT = ("under_construction", "planned", "proposed")


# --------------------------------------------------------------------------------------------
# distributions
@dataclass(frozen=True)
class Distributions:
    """Spreads of the uncertain inputs (see the module docstring; zero means no spread).

    Attributes
    ----------
    speed_sigma
        Log-sd of the per-country speed multipliers.
    dwell_sigma, dwell_sigma_by
        Log-sd of the border-dwell multipliers, by default and per pair (``"CHN-KAZ"``) or
        crossing (segment id).
    gauge_sigma
        Log-sd of the gauge-change time multiplier.
    p_on_time, delay_median_years, delay_sigma
        Opening delay: zero with probability ``p_on_time``, else lognormal (years).
    """

    speed_sigma: float = 0.0
    dwell_sigma: float = 0.0
    dwell_sigma_by: dict[str, float] = field(default_factory=dict)
    gauge_sigma: float = 0.0
    p_on_time: float = 1.0
    delay_median_years: float = 0.0
    delay_sigma: float = 0.0

    def describe(self) -> str:
        """The distributions in words, for reports."""
        return (
            f"speeds ×lognormal(σ={self.speed_sigma:g}) per country; border dwell ×lognormal(σ={self.dwell_sigma:g}) "
            f"per border; gauge changes ×lognormal(σ={self.gauge_sigma:g}); opening delay 0 with probability "
            f"{self.p_on_time:g}, else lognormal(median {self.delay_median_years:g} y, σ={self.delay_sigma:g})"
        )


def distributions(params: Parameters) -> Distributions:
    """The distributions of the parameters' ``[uncertainty.*]`` tables (no spread where absent).

    Raises
    ------
    ParameterError
        For a distribution other than the documented ones, or a negative spread.

    Examples
    --------
    >>> from corridors import load_parameters
    >>> d = distributions(load_parameters())
    >>> d.dwell_sigma > 0 and 0 <= d.p_on_time <= 1
    True
    """
    u = params.raw.get("uncertainty", {})
    expect = {
        "border_dwell": "lognormal",
        "speed": "lognormal",
        "gauge_change": "lognormal",
        "opening_delay": "hurdle_lognormal",
    }
    for key, kind in expect.items():
        t = u.get(key, {})
        if t and t.get("distribution", kind) != kind:
            msg = f"{params.source}: [uncertainty.{key}] distribution must be {kind!r}, got {t.get('distribution')!r}"
            raise ParameterError(msg)

    def num(key: str, name: str, default: float) -> float:
        v = u.get(key, {}).get(name, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            msg = f"{params.source}: [uncertainty.{key}] '{name}' must be a non-negative number, got {v!r}"
            raise ParameterError(msg)
        return float(v)

    by = {str(k): float(t["sigma"]) for k, t in u.get("border_dwell", {}).get("by_pair", {}).items()}
    p_on = num("opening_delay", "p_on_time", 1.0)
    if p_on > 1:
        msg = f"{params.source}: [uncertainty.opening_delay] 'p_on_time' must be at most 1, got {p_on}"
        raise ParameterError(msg)
    return Distributions(
        speed_sigma=num("speed", "sigma", 0.0),
        dwell_sigma=num("border_dwell", "sigma", 0.0),
        dwell_sigma_by=by,
        gauge_sigma=num("gauge_change", "sigma", 0.0),
        p_on_time=p_on,
        delay_median_years=num("opening_delay", "median_years", 0.0),
        delay_sigma=num("opening_delay", "sigma", 0.0),
    )


def draw_stream(seed: int, i: int) -> np.random.Generator:
    """The random stream of draw ``i``: the ``i``-th child of ``SeedSequence(seed).spawn(n)``, for any ``n > i``.

    Examples
    --------
    >>> a = draw_stream(7, 3).random()
    >>> b = np.random.default_rng(np.random.SeedSequence(7).spawn(5)[3]).random()
    >>> a == b
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))


def _lognormal_mean1(z: FloatArray, sigma: FloatArray | float) -> FloatArray:
    out: FloatArray = np.exp(np.asarray(sigma) * z - 0.5 * np.asarray(sigma) ** 2)
    return out


# --------------------------------------------------------------------------------------------
# the problem: network states prepared once, and the questions asked of them
@dataclass(frozen=True)
class Query:
    """One question: the best route from ``origin`` to ``destination`` by ``by`` on a network state.

    ``state`` gives the network (scenario applied), the parameters (service applied) and forced
    open/closed segments; its date is ignored (the problem's dates are used).
    """

    name: str
    state: NetworkState
    origin: str
    destination: str
    by: str = "time"
    constraints: Constraints = field(default_factory=Constraints)


@dataclass
class _Model:
    """One fully built network state as arrays: the CSR structure and the base prices."""

    n_nodes: int
    indices: Any
    indptr: Any
    group_start: IntArray  # first sorted arc of each CSR entry
    parallel: bool
    arc_seg: IntArray  # per sorted arc: segment index or -1
    arc_tr: IntArray  # per sorted arc: transfer index or -1
    station_ptr: IntArray
    source_node: IntArray
    km: FloatArray
    run_cost: FloatArray
    fee: FloatArray
    dwell: FloatArray
    dwell_key: IntArray  # index into the universe's border keys, -1 off borders
    hours_by_country: Any  # sparse (n_seg x n_countries) base running hours
    tr_hours: FloatArray
    tr_cost: FloatArray
    vot: float
    fixed_open: BoolArray  # (n_dates, n_seg)
    uncertain: IntArray  # segment indices whose opening is drawn
    uncertain_key: IntArray  # index into the universe's delayed segments
    uncertain_day: FloatArray  # expected opening as a date ordinal
    stations: list[str] = field(default_factory=list)
    entry_key: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # row * n_nodes + col
    group_end: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    seg_arcs: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # sorted arcs running a segment
    seg_of: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # ... and that segment
    tr_arcs: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tr_of: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    source_list: list[int] = field(default_factory=list)
    ptr_list: list[int] = field(default_factory=list)
    path_cache: dict[tuple[int, ...], tuple[IntArray, float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.source_list = self.source_node.tolist()
        self.ptr_list = self.station_ptr.tolist()
        counts = np.diff(np.asarray(self.indptr, dtype=np.int64)).astype(np.int64)
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), counts)
        self.entry_key = rows * self.n_nodes + np.asarray(self.indices, dtype=np.int64)
        self.group_end = np.append(self.group_start[1:], len(self.arc_seg)).astype(np.int64)
        self.seg_arcs = np.flatnonzero(self.arc_seg >= 0).astype(np.int64)
        self.seg_of = self.arc_seg[self.seg_arcs]
        self.tr_arcs = np.flatnonzero(self.arc_tr >= 0).astype(np.int64)
        self.tr_of = self.arc_tr[self.tr_arcs]


@dataclass
class _Ask:
    model: int
    by: str
    blocked: BoolArray  # per segment
    legs: list[Any]  # (station index from, station index to) per leg; for an OD problem (origins, destinations)


@dataclass
class MonteCarloProblem:
    """Everything a worker needs: models, questions, dates and distributions (picklable arrays).

    Build with :func:`build_problem`; run with :func:`run_monte_carlo`.
    """

    names: list[str]
    criteria: list[str]
    dates: list[date]
    dist: Distributions
    countries: list[str]
    border_keys: list[str]
    delayed: list[str]
    models: list[_Model]
    asks: list[_Ask]
    service: str = ""
    cost_unit: str = "USD"


def _border_key(rule: str, a: str, b: str) -> str:
    return rule.split(".", 2)[2] if rule.startswith("border.crossings.") else "-".join(sorted((a, b)))


def _delay_group(segment: str, expected: str, corridors: Any) -> str:
    """Segments of one project share a delay: same expected opening and first corridor tag."""
    tags = list(corridors) if corridors is not None else []
    return f"{expected}|{tags[0]}" if tags else f"{expected}|{segment}"


def build_problem(
    queries: Sequence[Query], dates: Sequence[date], *, dist: Distributions | None = None
) -> MonteCarloProblem:
    """Prepare the state graphs (once per network state, fully built) and the questions.

    Parameters
    ----------
    queries
        The questions; queries sharing a :class:`~corridors.NetworkState` object share its graph.
    dates
        The dates every question is answered on.
    dist
        The distributions; by default those of the first query's parameters.

    Raises
    ------
    UsageError
        Without queries or dates, or for an unknown station.
    """
    if not queries or not dates:
        msg = "a Monte Carlo run needs at least one query and one date"
        raise UsageError(msg)
    dist = dist if dist is not None else distributions(queries[0].state.params)
    states: list[NetworkState] = []
    for q in queries:
        if not any(q.state is s for s in states):
            states.append(q.state)
    built = [s.fully_built() for s in states]
    prices = [b.prices for b in built]
    countries = sorted({c for p in prices for d in p.run_hours_by_country for c in d})
    border_keys = sorted(
        {
            _border_key(r, a, b)
            for p in prices
            for r, a, b in zip(p.border_rule, p.from_country, p.to_country, strict=True)
            if r
        }
    )
    groups: dict[str, str] = {}
    expected: list[dict[str, str]] = []  # per state: the drawn segments and the date their delay counts from
    for s in states:
        base = s.base.segments.set_index("id")
        exp_of: dict[str, str] = {}
        seg = s.full.segments
        for sid, st, opened, exp, tags in zip(
            seg["id"], seg["status"], seg["opened"], seg["expected_opening"], seg["corridors"], strict=True
        ):
            if sid in s.open_segments or sid in s.close_segments:
                continue
            base_exp = base.loc[sid, "expected_opening"] if sid in base.index else None
            if st in _UNBUILT and exp:
                exp_of[sid] = str(exp)
            elif st == "operational" and opened and sid in base.index and base.loc[sid, "status"] in _UNBUILT:
                exp_of[sid] = str(opened)  # a scenario assumes it open from this date: the delay counts from it
            else:
                continue
            groups[sid] = _delay_group(sid, str(base_exp or exp_of[sid]), tags)
        expected.append(exp_of)
    delayed = sorted(set(groups.values()))
    models = [
        _model(s, b, countries, border_keys, delayed, groups, exp_of, list(dates))
        for s, b, exp_of in zip(states, built, expected, strict=True)
    ]
    asks = []
    for q in queries:
        k = next(i for i, s in enumerate(states) if q.state is s)
        g = built[k].state_graph("distance")
        o = g.resolve([q.origin])[0]
        d = g.resolve([q.destination])[0]
        vias = [g.resolve([v])[0] for v in q.constraints.via]
        stops = [g.index.get_loc(x) for x in (o, *vias, d)]
        c = q.constraints
        unconstrained = not (c.avoid_stations or c.avoid_segments or c.avoid_countries or c.closed_borders)
        if unconstrained and c.within is None:
            bad_st, bad_seg = set[str](), set[str]()
        else:
            bad_st, bad_seg = built[k].router._blocked(c)  # the Router's own reading of the constraints
        seg = built[k].network.segments
        blocked = (
            seg["id"].isin(bad_seg).to_numpy() | seg["from"].isin(bad_st).to_numpy() | seg["to"].isin(bad_st).to_numpy()
        )
        asks.append(_Ask(k, check_criterion(q.by), blocked, list(itertools.pairwise(stops))))
    p0 = queries[0].state.params
    log.info(
        "Monte Carlo problem: %d queries on %d network states, %d dates, %d countries, %d borders, %d delayed openings",
        len(queries),
        len(models),
        len(dates),
        len(countries),
        len(border_keys),
        len(delayed),
    )
    return MonteCarloProblem(
        names=[q.name for q in queries],
        criteria=[q.by for q in queries],
        dates=list(dates),
        dist=dist,
        countries=countries,
        border_keys=border_keys,
        delayed=delayed,
        models=models,
        asks=asks,
        service=p0.service,
        cost_unit=p0.cost_unit,
    )


def _model(
    state: NetworkState,
    built: NetworkState,
    countries: list[str],
    border_keys: list[str],
    delayed: list[str],
    groups: dict[str, str],
    expected: dict[str, str],
    dates: list[date],
) -> _Model:
    g = built.state_graph("distance")  # the structure; weights are written per draw
    p = built.prices
    n_seg = len(p.segments)
    c_index = {c: i for i, c in enumerate(countries)}
    rows = [i for i, d in enumerate(p.run_hours_by_country) for _ in d]
    cols = [c_index[c] for d in p.run_hours_by_country for c in d]
    vals = [h for d in p.run_hours_by_country for h in d.values()]
    hbc = sp.csr_array((np.asarray(vals, dtype=float), (rows, cols)), shape=(n_seg, max(len(countries), 1)))
    b_index = {k: i for i, k in enumerate(border_keys)}
    dwell_key = np.array(
        [
            b_index[_border_key(r, a, b)] if r else -1
            for r, a, b in zip(p.border_rule, p.from_country, p.to_country, strict=True)
        ],
        dtype=np.int64,
    )
    # the arcs in CSR order (private layout of StateGraph, read not changed)
    order = g._order
    arc_seg = g._all_seg[order]
    arc_tr = g._all_transfer[order]
    # which segments are open on each date without any drawn delay, and which are drawn
    seg_ids = p.segments
    fixed = np.zeros((len(dates), n_seg), dtype=bool)
    known = replace(state, expected=False, _graphs={})  # drawn openings are added per draw
    known.__dict__["full"] = state.full
    for i, day in enumerate(dates):
        open_ids = set(known.on(day).network.segments["id"])
        fixed[i] = np.fromiter((s in open_ids for s in seg_ids), dtype=bool, count=n_seg)
    d_index = {s: i for i, s in enumerate(delayed)}
    unc = [i for i, s in enumerate(seg_ids) if s in expected]
    unc_day = [float(parse_date(expected[seg_ids[i]]).toordinal()) for i in unc]
    fixed[:, unc] = False  # open only once the drawn opening date has passed
    return _Model(
        n_nodes=g.n_nodes,
        indices=g.csr.indices,
        indptr=g.csr.indptr,
        group_start=g._group_start,
        parallel=g._parallel,
        arc_seg=arc_seg,
        arc_tr=arc_tr,
        station_ptr=g.station_ptr,
        source_node=g.source_node,
        km=p.km.copy(),
        run_cost=p.run_cost.copy(),
        fee=p.border_fee.copy(),
        dwell=p.border_dwell_h.copy(),
        dwell_key=dwell_key,
        hours_by_country=hbc,
        tr_hours=p.transfer_hours.copy(),
        tr_cost=p.transfer_cost.copy(),
        vot=p.value_of_time,
        fixed_open=fixed,
        uncertain=np.asarray(unc, dtype=np.int64),
        uncertain_key=np.asarray([d_index[groups[seg_ids[i]]] for i in unc], dtype=np.int64),
        uncertain_day=np.asarray(unc_day, dtype=float),
        stations=list(g.stations),
    )


# --------------------------------------------------------------------------------------------
# draws
@dataclass
class _Draws:
    speed: FloatArray  # (n, n_countries) multipliers on running hours
    dwell: FloatArray  # (n, n_border_keys)
    gauge: FloatArray  # (n,)
    delay_days: FloatArray  # (n, n_delayed)


def _draw(problem: MonteCarloProblem, lo: int, hi: int, seed: int) -> _Draws:
    d = problem.dist
    nc, nb, nd = len(problem.countries), len(problem.border_keys), len(problem.delayed)
    n = hi - lo
    zs, zb, zg, u, zd = np.empty((n, nc)), np.empty((n, nb)), np.empty(n), np.empty((n, nd)), np.empty((n, nd))
    for j, i in enumerate(range(lo, hi)):  # one stream per draw, consumed in a fixed order
        rng = draw_stream(seed, i)
        zs[j] = rng.standard_normal(nc)
        zb[j] = rng.standard_normal(nb)
        zg[j] = rng.standard_normal()
        u[j] = rng.random(nd)
        zd[j] = rng.standard_normal(nd)
    b_sigma = np.array([d.dwell_sigma_by.get(k, d.dwell_sigma) for k in problem.border_keys])
    late = np.exp(np.log(d.delay_median_years) + d.delay_sigma * zd) if d.delay_median_years > 0 else np.zeros_like(zd)
    delay_years = np.where(u < d.p_on_time, 0.0, late)
    return _Draws(
        speed=_lognormal_mean1(zs, d.speed_sigma),
        dwell=_lognormal_mean1(zb, b_sigma),
        gauge=_lognormal_mean1(zg, d.gauge_sigma),
        delay_days=delay_years * YEAR_DAYS,
    )


def _arc_values(m: _Model, seg_v: FloatArray, tr_v: FloatArray) -> FloatArray:
    """Per sorted arc: the segment's or transfer's value (0 on virtual-source arcs)."""
    out = np.zeros(len(m.arc_seg))
    out[m.seg_arcs] = seg_v[m.seg_of]
    out[m.tr_arcs] = tr_v[m.tr_of]
    return out


def _entry_weights(m: _Model, w_arc: FloatArray) -> FloatArray:
    if m.parallel:
        out: FloatArray = np.minimum.reduceat(w_arc, m.group_start)
        return out
    return w_arc


def _criterion_arcs(m: _Model, by: str, arcs: dict[str, FloatArray]) -> FloatArray:
    if by == "distance":
        return arcs["km"]
    if by == "time":
        return arcs["hours"]
    if by == "cost":
        return arcs["cost"]
    out: FloatArray = arcs["cost"] + m.vot * arcs["hours"]
    return out


def _block_hours(m: _Model, dr: _Draws, j0: int, j1: int) -> FloatArray:
    """Hours of every sorted arc in draws ``j0 .. j1 - 1``, an array ``(draw, arc)``: no loop over draws or arcs."""
    seg_h = np.ascontiguousarray((m.hours_by_country @ dr.speed[j0:j1].T).T)
    on_border = m.dwell_key >= 0
    seg_h[:, on_border] += m.dwell[on_border] * dr.dwell[j0:j1][:, m.dwell_key[on_border]]
    out = np.zeros((j1 - j0, len(m.arc_seg)))
    out[:, m.seg_arcs] = seg_h[:, m.seg_of]
    out[:, m.tr_arcs] = m.tr_hours[m.tr_of][None, :] * dr.gauge[j0:j1, None]
    return out


def _block_size(m: _Model) -> int:
    """Draws whose arc hours are computed together (about 16 MB of them at most)."""
    return int(max(1, min(64, 2_000_000 // max(len(m.arc_seg), 1))))


def _fixed_arcs(m: _Model) -> dict[str, FloatArray]:
    return {
        "cost": _arc_values(m, m.run_cost + m.fee, m.tr_cost),
        "km": _arc_values(m, m.km, np.zeros(len(m.tr_hours))),
    }


def _weights(m: _Model, by: str, arcs: dict[str, FloatArray], shut: npt.NDArray[np.bool_]) -> FloatArray:
    """Arc weights by a criterion with the arcs of shut segments at ``inf`` (shut: per segment arc)."""
    w = _criterion_arcs(m, by, arcs).copy()
    w[m.seg_arcs[shut]] = np.inf
    return w


def _stack_size(m: _Model) -> int:
    """Draws searched together on one graph of that many copies (rows of distances grow as its square)."""
    return int(max(1, min(16, math.isqrt(max(1, 2_000_000 // max(m.n_nodes, 1))))))


def _stacked(m: _Model, copies: int) -> Any:
    """A CSR of ``copies`` disjoint copies of the model's graph (copy ``b``'s nodes offset by ``b * n_nodes``).

    One search call from a source in each copy answers ``copies`` draws at once: scipy's fixed cost
    per call is paid once, and no copy reaches another.
    """
    nnz = len(m.indices)
    offsets = np.arange(copies, dtype=np.int64) * m.n_nodes
    indices = (np.asarray(m.indices, dtype=np.int64)[None, :] + offsets[:, None]).ravel()
    indptr = np.concatenate(
        [[0], (np.asarray(m.indptr[1:], dtype=np.int64)[None, :] + (np.arange(copies) * nnz)[:, None]).ravel()]
    )
    n = copies * m.n_nodes
    return sp.csr_array((np.zeros(copies * nnz), indices.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))


def _chunk(problem: MonteCarloProblem, lo: int, hi: int, seed: int) -> dict[str, FloatArray]:
    """Draws ``lo .. hi - 1``: hours, cost, km and criterion value per query, date and draw."""
    dr = _draw(problem, lo, hi, seed)
    n, nq, nt = hi - lo, len(problem.asks), len(problem.dates)
    out = {k: np.full((nq, nt, n), np.inf) for k in ("hours", "cost", "km", "value")}
    ordinals = np.array([d.toordinal() for d in problem.dates], dtype=float)
    fixed = [_fixed_arcs(m) for m in problem.models]
    # questions asked of the same weights share one batch of searches
    batches: dict[tuple[int, str, bytes], list[int]] = {}
    for a, ask in enumerate(problem.asks):
        batches.setdefault((ask.model, ask.by, np.packbits(ask.blocked).tobytes()), []).append(a)
    blocked_arc = {key: problem.asks[asks[0]].blocked[problem.models[key[0]].seg_of] for key, asks in batches.items()}
    graphs: dict[tuple[int, int], Any] = {}
    for k, m in enumerate(problem.models):
        size = _stack_size(m)
        for j0 in range(0, n, size):
            j1 = min(n, j0 + size)
            copies = j1 - j0
            if (k, copies) not in graphs:
                graphs[k, copies] = _stacked(m, copies)
            big = graphs[k, copies]
            hours = _block_hours(m, dr, j0, j1)  # (draw, arc)
            opens = m.uncertain_day[None, :] + dr.delay_days[j0:j1][:, m.uncertain_key]
            by_value = {
                "time": hours,
                "distance": np.broadcast_to(fixed[k]["km"], hours.shape),
                "cost": np.broadcast_to(fixed[k]["cost"], hours.shape),
                "generalized": fixed[k]["cost"][None, :] + m.vot * hours,
            }
            for t in range(nt):
                open_t = np.repeat(m.fixed_open[t][None, :], copies, axis=0)
                open_t[:, m.uncertain] |= opens <= ordinals[t]
                closed_arc = ~open_t[:, m.seg_of]
                for key, asks in batches.items():
                    if key[0] != k:
                        continue
                    w = np.array(by_value[key[1]], dtype=float)
                    seg_w = w[:, m.seg_arcs]
                    seg_w[closed_arc | blocked_arc[key][None, :]] = np.inf
                    w[:, m.seg_arcs] = seg_w
                    big.data[:] = (np.minimum.reduceat(w, m.group_start, axis=1) if m.parallel else w).ravel()
                    answers = _answer(m, big, copies, [problem.asks[i] for i in asks], hours, fixed[k], w)
                    for b, per_ask in enumerate(answers):
                        for a, res in zip(asks, per_ask, strict=True):
                            for name, v in res.items():
                                out[name][a, t, j0 + b] = v
    return out


def _answer(
    m: _Model,
    big: Any,
    copies: int,
    asks: list[_Ask],
    hours: FloatArray,
    fixed: dict[str, FloatArray],
    w_arc: FloatArray,
) -> list[list[dict[str, float]]]:
    """Each question's totals in each of ``copies`` draws: one search call from every leg start in every copy."""
    source, ptr, nn = m.source_list, m.ptr_list, m.n_nodes
    starts = sorted({source[a] for ask in asks for a, b in ask.legs if a != b and source[a] >= 0})
    if starts:
        idx = [s + c * nn for c in range(copies) for s in starts]
        dist, pred = dijkstra(big, directed=True, indices=idx, return_predecessors=True)
    row = {s: i for i, s in enumerate(starts)}
    inf = {"hours": math.inf, "cost": math.inf, "km": math.inf, "value": math.inf}
    results: list[list[dict[str, float]]] = []
    for c in range(copies):
        off = c * nn
        per_ask = []
        for ask in asks:
            totals = [0.0, 0.0, 0.0]
            value = 0.0
            for a, b in ask.legs:
                if a == b:
                    continue
                src, lo, hi = source[a], ptr[b], ptr[b + 1]
                if src < 0 or lo == hi:
                    break
                r = c * len(starts) + row[src]
                d, p = dist[r, off : off + nn], pred[r]
                t = lo + int(d[lo:hi].argmin()) if hi - lo > 1 else lo
                best = float(d[t])
                if best == math.inf:
                    break
                value += best
                nodes = [t]
                v = t
                while v != src:  # walk the path back: a loop over its arcs, not over the graph's
                    v = int(p[v + off]) - off
                    nodes.append(v)
                hit = m.path_cache.get(key := tuple(nodes))
                if hit is None:
                    path = np.asarray(nodes, dtype=np.int64)
                    entry = np.searchsorted(m.entry_key, path[1:] * nn + path[:-1])
                    chosen = m.group_start[entry]
                    several = np.flatnonzero(m.group_end[entry] - chosen > 1).tolist() if m.parallel else []
                    for i in several:  # parallel arcs: the one this draw's weights made cheapest
                        g0, g1 = int(chosen[i]), int(m.group_end[entry[i]])
                        chosen[i] = g0 + int(np.argmin(w_arc[c, g0:g1]))
                    # cost and km do not change between draws
                    hit = (chosen, float(fixed["cost"][chosen].sum()), float(fixed["km"][chosen].sum()))
                    if not several and len(m.path_cache) < 100_000:
                        m.path_cache[key] = hit
                chosen, cost, km = hit
                totals[0] += best if ask.by == "time" else float(hours[c, chosen].sum())
                totals[1] += cost
                totals[2] += km
            else:
                per_ask.append({"hours": totals[0], "cost": totals[1], "km": totals[2], "value": value})
                continue
            per_ask.append(dict(inf))
        results.append(per_ask)
    return results


# --------------------------------------------------------------------------------------------
# running
@dataclass
class MonteCarloResult:
    """Draws of every query on every date.

    Attributes
    ----------
    names, criteria, dates
        The queries' names and criteria, and the dates.
    hours, cost, km, value
        Arrays ``(query, date, draw)``; ``inf`` where the draw has no route.
    n_draws, seed
        How many draws, from which seed.
    service
        The service profile the parameters were for (``""``: base parameters).
    distributions
        The distributions drawn from, in words.
    cost_unit
        What a unit of cost is.
    """

    names: list[str]
    criteria: list[str]
    dates: list[date]
    hours: FloatArray
    cost: FloatArray
    km: FloatArray
    value: FloatArray
    n_draws: int
    seed: int
    service: str
    distributions: str
    cost_unit: str

    @property
    def connected(self) -> BoolArray:
        """Whether each draw has a route, ``(query, date, draw)``."""
        out: BoolArray = np.isfinite(self.value)
        return out


def _chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, n, size):
        yield lo, min(n, lo + size)


def run_monte_carlo(
    problem: MonteCarloProblem,
    n_draws: int,
    *,
    seed: int = 0,
    client: Any = None,
    chunk_size: int = CHUNK,
) -> MonteCarloResult:
    """Run ``n_draws`` draws of a problem, serially or on a Dask cluster.

    Parameters
    ----------
    problem
        From :func:`build_problem`.
    n_draws
        How many draws.
    seed
        The run's seed; draw ``i`` uses :func:`draw_stream` ``(seed, i)``.
    client
        A :class:`dask.distributed.Client`: the problem is scattered to every worker once
        (``broadcast=True``) and chunks of ``chunk_size`` draws are submitted as tasks. ``None``
        runs the same chunks in this process. The results are identical either way.
    chunk_size
        Draws per task.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    UsageError
        For fewer than one draw.
    """
    if n_draws < 1 or chunk_size < 1:
        msg = f"need at least one draw and a chunk of at least one, got n_draws={n_draws}, chunk_size={chunk_size}"
        raise UsageError(msg)
    spans = list(_chunks(n_draws, chunk_size))
    if client is None:
        parts = [_chunk(problem, lo, hi, seed) for lo, hi in spans]
    else:
        shared = client.scatter(problem, broadcast=True)
        futures = [client.submit(_chunk, shared, lo, hi, seed, pure=False) for lo, hi in spans]
        parts = client.gather(futures)
    arrays = {k: np.concatenate([p[k] for p in parts], axis=2) for k in ("hours", "cost", "km", "value")}
    log.info(
        "Monte Carlo: %d draws in %d chunks, %d queries x %d dates",
        n_draws,
        len(spans),
        len(problem.names),
        len(problem.dates),
    )
    return MonteCarloResult(
        names=list(problem.names),
        criteria=list(problem.criteria),
        dates=list(problem.dates),
        hours=arrays["hours"],
        cost=arrays["cost"],
        km=arrays["km"],
        value=arrays["value"],
        n_draws=n_draws,
        seed=seed,
        service=problem.service,
        distributions=problem.dist.describe(),
        cost_unit=problem.cost_unit,
    )


@contextmanager
def open_client(scheduler: str | None = "local", *, n_workers: int = 2) -> Iterator[Any]:
    """A Dask client for ``scheduler`` (``None`` for ``"serial"``), closed afterwards.

    ``"local"`` starts a :class:`~dask.distributed.LocalCluster` of ``n_workers`` processes of
    one thread each; ``"serial"`` or ``None`` yields ``None`` (run in this process); anything else
    is the address of a running scheduler.
    """
    if scheduler in (None, "serial"):
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        import dask

        quiet = logging.getLogger("distributed")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # the cluster's start/stop chatter is not the user's business
        # Dask sets MALLOC_TRIM_THRESHOLD_ in its workers, which turns off glibc's adaptive mmap threshold:
        # every search's distance rows are then fresh pages, and draws run about twice as slowly.
        untrimmed = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
        try:
            with (
                dask.config.set(untrimmed),
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster) as client,  # type: ignore[no-untyped-call]
            ):
                yield client
        finally:
            quiet.setLevel(level)
        return
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client


# --------------------------------------------------------------------------------------------
# corridor options
def option_queries(
    net: Network, options: Sequence[Any], *, service: str = "", params_path: str | Path | None = None
) -> list[Query]:
    """One :class:`Query` per option (:class:`corridors.options.Option`), on its own network state.

    ``service`` applies to options that name none (an option's own ``service`` key wins).
    """
    from dataclasses import replace as _replace

    from corridors.options import option_state

    out = []
    states: dict[tuple[str, str, bool], NetworkState] = {}  # options on one network state share its graph
    for opt in options:
        o = _replace(opt, service=opt.service or service)
        key = ("|".join(o.scenario.files) if o.scenario is not None else "", o.service, o.expected)
        if key not in states:
            states[key] = option_state(net, o, o.as_of or date.today(), params_path=params_path)
        state = states[key]
        out.append(Query(o.name, state, o.origin, o.destination, o.by, state.constraints(**o.constraint_kwargs())))
    return out


def yearly_dates(first: int, last: int) -> list[date]:
    """1 January of every year from ``first`` to ``last``.

    Examples
    --------
    >>> [d.isoformat() for d in yearly_dates(2030, 2031)]
    ['2030-01-01', '2031-01-01']
    """
    return [date(y, 1, 1) for y in range(first, last + 1)]


def monte_carlo_options(
    net: Network,
    options: Sequence[Any],
    dates: Sequence[date],
    *,
    n_draws: int = 1000,
    seed: int = 0,
    service: str = "",
    params_path: str | Path | None = None,
    client: Any = None,
    chunk_size: int = CHUNK,
) -> MonteCarloResult:
    """Monte Carlo draws of every corridor option on every date.

    Every option shares the draws (one world per draw: the same speeds, dwells and opening
    delays for all of them), so the options can be ranked draw by draw (:func:`flip_table`).

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.options import Option
    >>> net = load_network()
    >>> opts = [Option("via Khaf", "irn_mashhad", "afg_herat")]
    >>> r = monte_carlo_options(net, opts, [date(2026, 1, 1), date(2040, 1, 1)], n_draws=50, seed=1)
    >>> float(r.connected[0, 0].mean())
    0.0
    """
    queries = option_queries(net, options, service=service, params_path=params_path)
    problem = build_problem(queries, dates)
    return run_monte_carlo(problem, n_draws, seed=seed, client=client, chunk_size=chunk_size)


def _pct(v: FloatArray, q: float) -> float:
    f = v[np.isfinite(v)]
    return float(np.percentile(f, q)) if len(f) else math.nan


def _share(k: int, n: int) -> str:
    return f"{k:,} of {n:,} draws ({100 * k / n:.0f} %)"


def percentile_table(result: MonteCarloResult) -> pd.DataFrame:
    """P10/P50/P90 of hours, days and cost per option and date, with the probability of a route.

    Percentiles are over the draws that have a route (``p_route`` says how many do).

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.options import Option
    >>> r = monte_carlo_options(load_network(), [Option("x", "irn_mashhad", "irn_sarakhs")], [date(2026, 1, 1)],
    ...                         n_draws=40, seed=0)
    >>> t = percentile_table(r)
    >>> bool(t.loc[0, "hours_p10"] <= t.loc[0, "hours_p50"] <= t.loc[0, "hours_p90"])
    True
    """
    rows = []
    for i, name in enumerate(result.names):
        for t, day in enumerate(result.dates):
            h, c = result.hours[i, t], result.cost[i, t]
            k = int(np.isfinite(h).sum())
            row: dict[str, Any] = {"option": name, "date": day.isoformat(), "service": result.service or "base"}
            row["p_route"] = k / result.n_draws
            for q in (10, 50, 90):
                row[f"hours_p{q}"] = _pct(h, q)
            for q in (10, 50, 90):
                row[f"days_p{q}"] = row[f"hours_p{q}"] / 24
            for q in (10, 50, 90):
                row[f"cost_p{q}"] = _pct(c, q)
            row["draws"] = result.n_draws
            row["explanation"] = f"{name} has a route on {day.isoformat()} in {_share(k, result.n_draws)}" + (
                f"; among those, 10 % take under {row['days_p10']:.1f} days, half under {row['days_p50']:.1f} "
                f"and 90 % under {row['days_p90']:.1f} (seed {result.seed})."
                if k
                else f" (seed {result.seed})."
            )
            rows.append(row)
    return pd.DataFrame(rows)


def connection_table(result: MonteCarloResult) -> pd.DataFrame:
    """The probability that each option has a route on each date (e.g. by 1 January of each year).

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.options import Option
    >>> r = monte_carlo_options(load_network(), [Option("x", "irn_mashhad", "irn_sarakhs")], [date(2026, 1, 1)],
    ...                         n_draws=10, seed=0)
    >>> connection_table(r)["p_connected"].tolist()
    [1.0]
    """
    rows = []
    for i, name in enumerate(result.names):
        for t, day in enumerate(result.dates):
            k = int(result.connected[i, t].sum())
            rows.append(
                {
                    "option": name,
                    "date": day.isoformat(),
                    "year": day.year,
                    "p_connected": k / result.n_draws,
                    "explanation": f"In {_share(k, result.n_draws)}, {name} had a route on {day.isoformat()} "
                    f"(each unbuilt segment opening at its expected date plus a drawn delay; seed {result.seed}).",
                }
            )
    return pd.DataFrame(rows)


def flip_table(result: MonteCarloResult, *, measure: str = "hours") -> pd.DataFrame:
    """For each pair of options and date: the probability that their ranking flips.

    The option better at the median (P50 of ``measure`` over all draws, no route counting as
    worst) is ``better_at_median``; ``p_flip`` is the share of draws in which the other one is
    strictly better (a draw where neither has a route is no flip).

    Parameters
    ----------
    result
        From :func:`monte_carlo_options` or :func:`run_monte_carlo`.
    measure
        ``hours``, ``cost``, ``km`` or ``value`` (each option's own criterion).

    Raises
    ------
    UsageError
        For an unknown measure.
    """
    if measure not in ("hours", "cost", "km", "value"):
        msg = f"measure must be hours, cost, km or value, got {measure!r}"
        raise UsageError(msg)
    arr: FloatArray = getattr(result, measure)
    rows = []
    n = result.n_draws
    for i in range(len(result.names)):
        for j in range(i + 1, len(result.names)):
            for t, day in enumerate(result.dates):
                a, b = arr[i, t], arr[j, t]
                ma, mb = float(np.median(a)), float(np.median(b))
                first, second, x, y = (i, j, a, b) if ma <= mb else (j, i, b, a)
                flips = int((y < x).sum())
                na, nb = result.names[first], result.names[second]
                rows.append(
                    {
                        "option_a": result.names[i],
                        "option_b": result.names[j],
                        "date": day.isoformat(),
                        "measure": measure,
                        "better_at_median": na,
                        "p_flip": flips / n,
                        "explanation": f"{na} is better at the median {measure}, yet {nb} beats it in "
                        f"{_share(flips, n)} on {day.isoformat()} (seed {result.seed}).",
                    }
                )
    return pd.DataFrame(rows)


def _od_chunk(problem: MonteCarloProblem, lo: int, hi: int, seed: int) -> npt.NDArray[np.float32]:
    m = problem.models[0]
    ask = problem.asks[0]
    dr = _draw(problem, lo, hi, seed)
    csr = sp.csr_array((np.zeros(len(m.indices)), m.indices, m.indptr), shape=(m.n_nodes, m.n_nodes))
    src, d_idx = ask.legs[0][0], ask.legs[0][1]  # see od_draws: the origins' and destinations' station indices
    o_idx = np.asarray(src, dtype=np.int64)
    plan = _dest_plan(m, np.asarray(d_idx, dtype=np.int64))
    cols, starts, has = plan
    nodes = m.source_node[o_idx]
    ok = nodes >= 0
    day = float(problem.dates[0].toordinal())
    fixed = _fixed_arcs(m)
    contiguous = len(cols) > 0 and bool((np.diff(cols) == 1).all())
    whole = bool(ok.all() and has.all())
    out = np.full((hi - lo, len(o_idx), len(has)), np.inf, dtype=np.float32)
    hours = np.empty((0, 0))
    j0 = 0
    for j in range(hi - lo):
        if j - j0 >= len(hours):
            j0, hours = j, _block_hours(m, dr, j, min(hi - lo, j + _block_size(m)))
        arcs = {"hours": hours[j - j0], **fixed}
        usable = m.fixed_open[0].copy()
        usable[m.uncertain] |= m.uncertain_day + dr.delay_days[j][m.uncertain_key] <= day
        csr.data[:] = _entry_weights(m, _weights(m, ask.by, arcs, ~usable[m.seg_of]))
        if ok.any() and len(cols):
            rows = dijkstra(csr, directed=True, indices=nodes[ok])
            picked = rows[:, cols[0] : cols[0] + len(cols)] if contiguous else rows[:, cols]  # a view when it can
            best = np.minimum.reduceat(picked, starts, axis=1)
            if whole:
                out[j] = best
            else:
                out[j][np.ix_(ok, has)] = best
    return out


def _dest_plan(m: _Model, dest_idx: IntArray) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    lo, hi = m.station_ptr[dest_idx], m.station_ptr[dest_idx + 1]
    sizes = hi - lo
    has = sizes > 0
    cols = np.concatenate([np.arange(a, b) for a, b in zip(lo[has], hi[has], strict=True)] or [np.empty(0)])
    starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]]).astype(np.int64)
    return cols.astype(np.int64), starts, has


def od_problem(
    state: NetworkState,
    *,
    by: str = "time",
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
) -> tuple[MonteCarloProblem, list[str], list[str]]:
    """Prepare Monte Carlo draws of a whole OD matrix on the state's date (see :func:`od_draws`)."""
    by = check_criterion(by)
    first = str(state.network.stations["id"].iloc[0])
    problem = build_problem([Query("od", state, first, first, by)], [state.as_of])
    m = problem.models[0]
    index = {s: i for i, s in enumerate(m.stations)}
    from corridors.network import find_station

    def ids(names: Sequence[str] | None) -> list[str]:
        return list(m.stations) if names is None else list(dict.fromkeys(find_station(state.network, x) for x in names))

    o_ids = ids(origins)
    d_ids = ids(destinations) if destinations is not None else list(o_ids)
    problem.asks[0].legs = [([index[x] for x in o_ids], [index[x] for x in d_ids])]
    return problem, o_ids, d_ids


def run_od_draws(
    problem: MonteCarloProblem, n_draws: int, *, seed: int = 0, client: Any = None, chunk_size: int = CHUNK
) -> npt.NDArray[np.float32]:
    """Run the draws of an OD problem from :func:`od_problem` (serially, or on a Dask client)."""
    spans = list(_chunks(n_draws, chunk_size))
    if client is None:
        parts = [_od_chunk(problem, lo, hi, seed) for lo, hi in spans]
    else:
        shared = client.scatter(problem, broadcast=True)
        parts = client.gather([client.submit(_od_chunk, shared, lo, hi, seed, pure=False) for lo, hi in spans])
    out: npt.NDArray[np.float32] = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
    o_idx, d_idx = problem.asks[0].legs[0]
    i, k = np.nonzero(np.asarray(o_idx)[:, None] == np.asarray(d_idx)[None, :])
    out[:, i, k] = 0.0  # a station is at distance 0 from itself, even one no segment reaches
    return out


def od_draws(
    state: NetworkState,
    *,
    by: str = "time",
    n_draws: int = 100,
    seed: int = 0,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    client: Any = None,
    chunk_size: int = CHUNK,
) -> tuple[npt.NDArray[np.float32], list[str], list[str]]:
    """Monte Carlo draws of a whole OD matrix on the state's date: an array ``(draw, origin, destination)``.

    Same draws as :func:`run_monte_carlo` (speeds, dwells, gauge changes, opening delays; one
    stream per draw). Values are float32 to halve the memory (``n_draws x n_o x n_d x 4`` bytes);
    ``inf`` where unreachable. Also returns the origin and destination ids.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.state import network_state
    >>> s = network_state(load_network(), as_of=date(2026, 1, 1))
    >>> arr, o, d = od_draws(s, n_draws=5, origins=["Mashhad"], destinations=["Sarakhs", "Herat"])
    >>> arr.shape, bool(np.isfinite(arr[:, 0, 0]).all()), bool(np.isinf(arr[:, 0, 1]).all())
    ((5, 1, 2), True, True)
    """
    problem, o_ids, d_ids = od_problem(state, by=by, origins=origins, destinations=destinations)
    return run_od_draws(problem, n_draws, seed=seed, client=client, chunk_size=chunk_size), o_ids, d_ids
