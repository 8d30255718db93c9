"""The one pricing model: what every move of the state-expanded graph costs, as arrays.

Every engine reads its prices from here and from nowhere else. :func:`price_network` turns a
network state and its parameters into a :class:`Prices` table whose columns are numpy arrays,
one row per segment and one row per transfer (a change of gauge at a station by one method):

* **modes**: rail prices by gauge, country and status; road, ferry and sea by their own tables
  (``speed.<mode>``, ``tariff.<mode>``, ``border.<mode>``);
* **kilometres**: the segment's documented length where ``routing.length_basis`` says so and the
  source gives one, else its geodesic length; the kilometres per country are scaled to match;
* **hours**: running time (kilometres per country over the speed that applies there) plus, on a
  segment between stations of two countries, that border's dwell time;
* **cost**: tariff per kilometre per country plus the border's fee;
* **transfers**: the time and cost of each gauge-change method a station offers where gauges
  meet, and of each change of mode (``rail-road``, ``rail-ferry``, ...) a terminal offers;
* **water legs** (ferry, sea): the scheduled sailing time where the data gives one, plus the
  average wait for a departure (half the interval between sailings), a segment's own fare where
  the parameters give one; their kilometres count under the pseudo-country ``SEA``.

A criterion (:data:`CRITERIA`) is a column of that table: ``distance`` reads kilometres, ``time``
hours, ``cost`` cost, and ``generalized`` is ``cost + value_of_time * hours``. Re-pricing (other
parameters, a Monte Carlo draw) recomputes these arrays; the topology built from them by the
routing engine (:mod:`corridors.routing`) and the matrix engine (:mod:`corridors.stategraph`)
does not change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors._errors import DataError
from corridors.network import Network
from corridors.params import Parameters
from corridors.schema import GAUGE_CHANGE_METHODS, WATER_MODES, carrier_mode, segment_carriers

__all__ = [
    "CRITERIA",
    "SEA",
    "TIE_BREAKERS",
    "Criterion",
    "Prices",
    "check_criterion",
    "counted_km",
    "criterion_unit",
    "expected_wait_h",
    "price_network",
    "segment_km",
    "transfer_connects",
]

FloatArray = npt.NDArray[np.float64]

#: The pseudo-country of kilometres on water (ferry and sea legs).
SEA = "SEA"
#: What a route can minimise.
Criterion = Literal["distance", "time", "cost", "generalized"]
CRITERIA: tuple[Criterion, ...] = ("distance", "time", "cost", "generalized")
#: The criterion that breaks ties between routes equally good by the first one.
TIE_BREAKERS: dict[str, Criterion] = {
    "distance": "generalized",
    "time": "generalized",
    "cost": "time",
    "generalized": "distance",
}


def check_criterion(by: str) -> Criterion:
    """Return ``by`` if it is a criterion, else raise a :class:`DataError` naming the choices.

    Examples
    --------
    >>> check_criterion("time")
    'time'
    """
    if by not in CRITERIA:
        msg = f"unknown criterion {by!r}; use one of {', '.join(CRITERIA)}"
        raise DataError(msg)
    return by


def criterion_unit(by: str, params: Parameters) -> str:
    """The unit of a criterion's values: ``km``, ``h`` or the parameters' cost unit.

    Examples
    --------
    >>> from corridors import load_parameters
    >>> criterion_unit("time", load_parameters())
    'h'
    """
    return {"distance": "km", "time": "h"}.get(check_criterion(by), params.cost_unit)


def counted_km(documented: FloatArray, geodesic: FloatArray, basis: str) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The kilometres routes count for segments, and which of them are documented lengths.

    With ``basis="documented"`` (``routing.length_basis`` in the parameters) a segment's documented
    length from its source is used where there is one (finite, positive), else its geodesic length;
    with ``"geometry"`` always the geodesic length. The one rule for segment kilometres.

    Examples
    --------
    >>> km, doc = counted_km(np.array([75.0, np.nan]), np.array([55.8, 40.0]), "documented")
    >>> km.tolist(), doc.tolist()
    ([75.0, 40.0], [True, False])
    """
    use = np.isfinite(documented) & (documented > 0) & (basis == "documented")
    km: FloatArray = np.where(use, documented, geodesic).astype(float)
    return km, use


def segment_km(documented: float | None, geodesic: float, basis: str) -> tuple[float, str]:
    """:func:`counted_km` for one segment: its kilometres and ``"documented"`` or ``"geometry"``.

    Examples
    --------
    >>> segment_km(75.0, 55.8, "documented"), segment_km(None, 55.8, "documented")
    ((75.0, 'documented'), (55.8, 'geometry'))
    """
    km, use = counted_km(np.array([math.nan if documented is None else documented]), np.array([geodesic]), basis)
    return float(km[0]), "documented" if use[0] else "geometry"


def _combine(by: str, km: FloatArray, hours: FloatArray, cost: FloatArray, vot: float) -> FloatArray:
    by = check_criterion(by)
    if by == "distance":
        return km
    if by == "time":
        return hours
    if by == "cost":
        return cost
    out: FloatArray = cost + vot * hours
    return out


@dataclass(frozen=True, eq=False)
class Prices:
    """Priced moves of one network state (see the module docstring).

    Segment columns are aligned with ``segments`` (the network's order); a segment's price is the
    same in both directions. Transfer columns are aligned with ``transfer_station``.

    Attributes
    ----------
    segments, modes
        Segment ids and their modes (``rail``, ``road``, ``ferry``, ``sea``).
    km, km_basis
        Kilometres a route counts and where they come from (``documented`` or ``geometry``).
    country_parts, scale
        The geometry's kilometres by country (``SEA`` for water legs) and the factor that scales
        them to the counted kilometres (see :meth:`km_by_country`).
    run_hours, run_cost
        Running time (with the wait for a departure on water legs) and tariff.
    wait_h
        The average wait for a departure on ferry and sea legs (included in ``run_hours``).
    border_dwell_h, border_fee, border_rule
        The border crossing's dwell, fee and the parameter table used (``""`` off borders).
    from_country, to_country
        Countries of the ``from`` and ``to`` stations.
    transfer_station, transfer_method, transfer_hours, transfer_cost
        One row per gauge-change method offered at a station where gauges meet.
    value_of_time
        Cost units per hour in the generalized cost.
    cost_unit
        What a unit of cost is.
    run_hours_by_country
        Running hours split by country (dicts; they sum to ``run_hours``), for re-pricing a draw
        of per-country speeds without a second price rule.
    """

    segments: list[str]
    modes: list[str]
    km: FloatArray
    km_basis: list[str]
    country_parts: list[dict[str, float]]
    scale: FloatArray
    run_hours: FloatArray
    run_cost: FloatArray
    border_dwell_h: FloatArray
    border_fee: FloatArray
    border_rule: list[str]
    wait_h: FloatArray
    from_country: list[str]
    to_country: list[str]
    transfer_station: list[str]
    transfer_method: list[str]
    transfer_hours: FloatArray
    transfer_cost: FloatArray
    value_of_time: float
    cost_unit: str
    run_hours_by_country: list[dict[str, float]] = field(default_factory=list)

    def scaled(self, *, run_hours: float = 1.0, border_dwell: float = 1.0, transfer_hours: float = 1.0) -> Prices:
        """A copy with running hours, border dwells and gauge-change hours multiplied by factors.

        Examples
        --------
        >>> from datetime import date
        >>> from corridors import load_network, load_parameters, network_as_of
        >>> p = price_network(network_as_of(load_network(), date(2026, 1, 1)), load_parameters())
        >>> bool(abs(p.scaled(run_hours=2.0).run_hours.sum() - 2 * p.run_hours.sum()) < 1e-6)
        True
        """
        return replace(
            self,
            run_hours=self.run_hours * run_hours,
            border_dwell_h=self.border_dwell_h * border_dwell,
            transfer_hours=self.transfer_hours * transfer_hours,
            run_hours_by_country=[{c: h * run_hours for c, h in d.items()} for d in self.run_hours_by_country],
        )

    @property
    def hours(self) -> FloatArray:
        """Hours of each segment: running time plus border dwell."""
        out: FloatArray = self.run_hours + self.border_dwell_h
        return out

    @property
    def cost(self) -> FloatArray:
        """Cost of each segment: tariff plus border fee."""
        out: FloatArray = self.run_cost + self.border_fee
        return out

    def km_by_country(self, k: int) -> dict[str, float]:
        """The counted kilometres of segment ``k`` split by country."""
        s = float(self.scale[k])
        return {c: v * s for c, v in self.country_parts[k].items()}

    def segment_weight(self, by: str) -> FloatArray:
        """Each segment's weight by a criterion.

        Examples
        --------
        >>> from datetime import date
        >>> from corridors import load_network, load_parameters, network_as_of
        >>> p = price_network(network_as_of(load_network(), date(2026, 1, 1)), load_parameters())
        >>> bool((p.segment_weight("generalized") >= p.segment_weight("cost")).all())
        True
        """
        return _combine(by, self.km, self.hours, self.cost, self.value_of_time)

    def transfer_weight(self, by: str) -> FloatArray:
        """Each transfer's weight by a criterion (zero kilometres)."""
        return _combine(
            by, np.zeros(len(self.transfer_hours)), self.transfer_hours, self.transfer_cost, self.value_of_time
        )


def price_network(net: Network, params: Parameters) -> Prices:
    """Price every segment and every transfer of a network state.

    Parameters
    ----------
    net
        A network (usually a state from :func:`corridors.network_as_of`); not modified.
    params
        The parameters whose speeds, border values, tariffs and gauge-change prices apply.

    Returns
    -------
    Prices

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, load_parameters, network_as_of
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> p = price_network(net, load_parameters())
    >>> i = p.segments.index("irn_mashhad_sarakhs")
    >>> float(p.km[i]), p.km_basis[i]
    (165.0, 'documented')
    """
    seg = net.segments
    n = len(seg)
    ids: list[str] = seg["id"].tolist()
    status: list[str] = seg["status"].tolist()
    modes: list[str] = seg["mode"].tolist() if "mode" in seg else ["rail"] * n
    mode_arr = np.asarray(modes, dtype=object)
    gauge_arr = seg["gauge"].to_numpy(dtype=object)
    # the carrier whose speed a segment runs at: its first gauge on rail (dual runs 1520), else its mode
    first_carrier = np.where(mode_arr == "rail", np.where(gauge_arr == "dual", "1520", gauge_arr), mode_arr)
    geo = seg["length_geodesic_km"].to_numpy(dtype=float)
    documented = pd.to_numeric(seg["length_km"], errors="coerce").to_numpy(dtype=float)
    km, is_documented = counted_km(documented, geo, params.length_basis)
    scale = np.where(geo > 0, km / np.where(geo > 0, geo, 1.0), 1.0)
    # Water legs run "in" one pseudo-country, SEA; land legs by the countries they cross.
    parts: list[dict[str, float]] = [
        {SEA: float(g)} if m in WATER_MODES else d for d, m, g in zip(seg["km_by_country"], modes, geo, strict=True)
    ]

    # one term per (segment, country): km / speed and km * tariff, summed per segment
    counts = np.fromiter((len(d) for d in parts), dtype=np.int64, count=n)
    t_seg = np.repeat(np.arange(n, dtype=np.int64), counts)
    t_country = [c for d in parts for c in d]
    t_km = np.fromiter((v for d in parts for v in d.values()), dtype=float, count=int(counts.sum())) * scale[t_seg]
    # look each distinct (segment rule, status, country, carrier, mode) up once
    own = np.isin(np.asarray(ids, dtype=object), list(params.segments_with_speed()))
    t_mode = mode_arr[t_seg].tolist()
    skeys = list(
        zip(
            np.where(own, np.asarray(ids, dtype=object), "")[t_seg].tolist(),
            np.asarray(status, dtype=object)[t_seg].tolist(),
            t_country,
            first_carrier[t_seg].tolist(),
            t_mode,
            strict=True,
        )
    )
    speed_of = {k: params.speed_kmh(segment=k[0], status=k[1], country=k[2], gauge=k[3], mode=k[4]) for k in set(skeys)}
    speed = np.fromiter(map(speed_of.__getitem__, skeys), dtype=float, count=len(skeys))
    tkeys = list(zip(t_country, t_mode, strict=True))
    tariff_of = {k: params.tariff_per_km(*k) for k in set(tkeys)}
    tariff = np.fromiter(map(tariff_of.__getitem__, tkeys), dtype=float, count=len(tkeys))
    t_hours = t_km / speed
    run_hours = np.bincount(t_seg, weights=t_hours, minlength=n).astype(float)
    run_cost = np.bincount(t_seg, weights=t_km * tariff, minlength=n).astype(float)
    # Water legs: the scheduled sailing time where given, plus the average wait for a departure
    # (half the interval between sailings); a segment's own fare replaces the per-km tariff.
    special = np.isin(mode_arr, WATER_MODES) | np.isin(np.asarray(ids, dtype=object), list(params.segments_with_fare()))
    sailing_h = seg["sailing_h"].to_numpy(dtype=float) if "sailing_h" in seg else np.full(n, np.nan)
    per_week_a = (
        seg["departures_per_week"].to_numpy(dtype=float) if "departures_per_week" in seg else np.full(n, np.nan)
    )
    wait = np.zeros(n)
    for k in np.flatnonzero(special).tolist():
        fare = params.segment_fare(ids[k])
        if fare is not None:
            run_cost[k] = fare
        if modes[k] in WATER_MODES:
            if np.isfinite(sailing_h[k]):
                run_hours[k] = float(sailing_h[k])
            if np.isfinite(per_week_a[k]) and per_week_a[k] > 0:
                wait[k] = expected_wait_h(float(per_week_a[k]))
                run_hours[k] += wait[k]
    # hours by country (for draws that scale speeds by country); a water leg's hours all count under SEA
    hours_iter = iter(t_hours.tolist())
    run_hours_by_country: list[dict[str, float]] = []
    for k, d in enumerate(parts):
        row = {c: next(hours_iter) for c in d}  # consume this segment's terms either way
        run_hours_by_country.append({SEA: float(run_hours[k])} if modes[k] in WATER_MODES else row)

    country = dict(zip(net.stations["id"].tolist(), net.stations["country"].tolist(), strict=True))
    cu = [country[x] for x in seg["from"].tolist()]
    cv = [country[x] for x in seg["to"].tolist()]
    dwell = np.zeros(n)
    fee = np.zeros(n)
    rule = [""] * n
    border_of: dict[tuple[str, str, str, str], tuple[float, float, str]] = {}
    for k in np.flatnonzero(np.asarray(cu, dtype=object) != np.asarray(cv, dtype=object)).tolist():
        key = (cu[k], cv[k], ids[k] if params.has_crossing(ids[k], modes[k]) else "", modes[k])
        if key not in border_of:
            border_of[key] = params.border(cu[k], cv[k], segment=ids[k], mode=modes[k])
        dwell[k], fee[k], rule[k] = border_of[key]

    # Transfers: a change of gauge by each method a station offers where rail gauges meet, and a
    # change of mode by each pair the station offers where both modes meet.
    t_station: list[str] = []
    t_method: list[str] = []
    carriers_at: dict[str, set[str]] = {}
    carriers = [segment_carriers(m, g) for m, g in zip(modes, gauge_arr.tolist(), strict=True)]
    for a, b, cs in zip(seg["from"].tolist(), seg["to"].tolist(), carriers, strict=True):
        for s in (a, b):
            carriers_at.setdefault(s, set()).update(cs)
    offered = net.stations["transfers"].tolist() if "transfers" in net.stations else [[]] * len(net.stations)
    for sid, methods, pairs in zip(
        net.stations["id"].tolist(), net.stations["gauge_change"].tolist(), offered, strict=True
    ):
        here = carriers_at.get(sid, set())
        gauges_here = {c for c in here if carrier_mode(c) == "rail"}
        if len(gauges_here) > 1:
            for m in GAUGE_CHANGE_METHODS:
                if m in (methods or []):
                    t_station.append(sid)
                    t_method.append(m)
        modes_here = {carrier_mode(c) for c in here}
        for pair in pairs or []:
            if set(pair.split("-")) <= modes_here:
                t_station.append(sid)
                t_method.append(pair)
    tr = [params.gauge_change(m) if m in GAUGE_CHANGE_METHODS else params.transfer(m) for m in t_method]
    return Prices(
        segments=ids,
        modes=modes,
        km=km.astype(float),
        km_basis=np.where(is_documented, "documented", "geometry").tolist(),
        country_parts=parts,
        scale=scale,
        run_hours=run_hours,
        run_cost=run_cost,
        border_dwell_h=dwell,
        border_fee=fee,
        border_rule=rule,
        wait_h=wait,
        from_country=cu,
        to_country=cv,
        transfer_station=t_station,
        transfer_method=t_method,
        transfer_hours=np.array([h for h, _ in tr], dtype=float),
        transfer_cost=np.array([c for _, c in tr], dtype=float),
        value_of_time=params.value_of_time,
        cost_unit=params.cost_unit,
        run_hours_by_country=run_hours_by_country,
    )


def expected_wait_h(departures_per_week: float) -> float:
    """Average hours a load waits for a departure: half the interval between departures.

    Examples
    --------
    >>> expected_wait_h(7.0)  # daily sailings
    12.0
    """
    return 0.5 * 168.0 / departures_per_week


def transfer_connects(method: str, a: str, b: str) -> bool:
    """Whether a transfer ``method`` moves a load between carriers ``a`` and ``b`` at a station.

    A gauge-change method joins two different rail gauges; a change of mode (``"rail-road"``)
    joins a carrier of one of its modes to a carrier of the other.

    Examples
    --------
    >>> transfer_connects("transloading", "1520", "1435"), transfer_connects("rail-road", "1520", "road")
    (True, True)
    >>> transfer_connects("rail-road", "1520", "1435"), transfer_connects("bogie_exchange", "1520", "road")
    (False, False)
    """
    ma, mb = carrier_mode(a), carrier_mode(b)
    if a == b:
        return False
    if method in GAUGE_CHANGE_METHODS:
        return ma == mb == "rail"
    return {ma, mb} == set(method.split("-")) and ma != mb
