"""The one pricing model: what every move of the state-expanded graph costs, as arrays.

Every engine reads its prices from here and from nowhere else. :func:`price_network` turns a
network state and its parameters into a :class:`Prices` table whose columns are numpy arrays,
one row per segment and one row per transfer (a change of gauge at a station by one method):

* **kilometres**: the segment's documented length where ``routing.length_basis`` says so and the
  source gives one, else its geodesic length; the kilometres per country are scaled to match;
* **hours**: running time (kilometres per country over the speed that applies there) plus, on a
  segment between stations of two countries, that border's dwell time;
* **cost**: tariff per kilometre per country plus the border's fee;
* **transfers**: the time and cost of each gauge-change method a station offers.

A criterion (:data:`CRITERIA`) is a column of that table: ``distance`` reads kilometres, ``time``
hours, ``cost`` cost, and ``generalized`` is ``cost + value_of_time * hours``. Re-pricing (other
parameters, a Monte Carlo draw) recomputes these arrays; the topology built from them by the
routing engine (:mod:`corridors.routing`) and the matrix engine (:mod:`corridors.stategraph`)
does not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from corridors._errors import DataError
from corridors.network import Network
from corridors.params import Parameters
from corridors.schema import GAUGE_CHANGE_METHODS, track_gauges

__all__ = [
    "CRITERIA",
    "TIE_BREAKERS",
    "Criterion",
    "Prices",
    "check_criterion",
    "criterion_unit",
    "price_network",
]

FloatArray = npt.NDArray[np.float64]

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
    segments
        Segment ids.
    km, km_basis
        Kilometres a route counts and where they come from (``documented`` or ``geometry``).
    km_by_country
        Those kilometres split by country (dicts, scaled from the geometry's split).
    run_hours, run_cost
        Running time and tariff.
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
    km: FloatArray
    km_basis: list[str]
    km_by_country: list[dict[str, float]]
    run_hours: FloatArray
    run_cost: FloatArray
    border_dwell_h: FloatArray
    border_fee: FloatArray
    border_rule: list[str]
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
    first_gauge = [track_gauges(g)[0] for g in seg["gauge"].tolist()]
    doc = np.array([np.nan if v is None else float(v) for v in seg["length_km"].tolist()], dtype=float)
    geo = seg["length_geodesic_km"].to_numpy(dtype=float)
    documented = np.isfinite(doc) & (doc > 0) & (params.length_basis == "documented")
    km: FloatArray = np.where(documented, doc, geo)
    scale = np.where(geo > 0, km / np.where(geo > 0, geo, 1.0), 1.0)
    parts: list[dict[str, float]] = seg["km_by_country"].tolist()
    km_by_country = [{c: v * float(s) for c, v in d.items()} for d, s in zip(parts, scale.tolist(), strict=True)]

    # one term per (segment, country): km / speed and km * tariff, summed per segment
    counts = np.fromiter((len(d) for d in parts), dtype=np.int64, count=n)
    t_seg = np.repeat(np.arange(n, dtype=np.int64), counts)
    t_country = [c for d in parts for c in d]
    t_km = np.fromiter((v for d in km_by_country for v in d.values()), dtype=float, count=int(counts.sum()))
    t_list = t_seg.tolist()
    speed_of: dict[tuple[str, str, str, str], float] = {}
    speed = np.empty(len(t_list))
    for i, k in enumerate(t_list):
        key = (params.speed_key(ids[k]), status[k], t_country[i], first_gauge[k])
        if key not in speed_of:
            speed_of[key] = params.speed_kmh(
                segment=ids[k], status=status[k], country=t_country[i], gauge=first_gauge[k]
            )
        speed[i] = speed_of[key]
    tariff_of = {c: params.tariff_per_km(c) for c in set(t_country)}
    tariff = np.fromiter((tariff_of[c] for c in t_country), dtype=float, count=len(t_country))
    t_hours = t_km / speed
    run_hours = np.bincount(t_seg, weights=t_hours, minlength=n).astype(float)
    hours_iter = iter(t_hours.tolist())
    run_hours_by_country = [{c: next(hours_iter) for c in d} for d in km_by_country]
    run_cost = np.bincount(t_seg, weights=t_km * tariff, minlength=n).astype(float)

    country = dict(zip(net.stations["id"].tolist(), net.stations["country"].tolist(), strict=True))
    cu = [country[x] for x in seg["from"].tolist()]
    cv = [country[x] for x in seg["to"].tolist()]
    dwell = np.zeros(n)
    fee = np.zeros(n)
    rule = [""] * n
    for k in range(n):
        if cu[k] != cv[k]:
            dwell[k], fee[k], rule[k] = params.border(cu[k], cv[k], segment=ids[k])

    t_station: list[str] = []
    t_method: list[str] = []
    gauges_at: dict[str, set[str]] = {}
    for a, b, g in zip(seg["from"].tolist(), seg["to"].tolist(), seg["gauge"].tolist(), strict=True):
        for s in (a, b):
            gauges_at.setdefault(s, set()).update(track_gauges(g))
    for sid, methods in zip(net.stations["id"].tolist(), net.stations["gauge_change"].tolist(), strict=True):
        if len(gauges_at.get(sid, ())) < 2:
            continue
        for m in GAUGE_CHANGE_METHODS:
            if m in (methods or []):
                t_station.append(sid)
                t_method.append(m)
    tr = [params.gauge_change(m) for m in t_method]
    return Prices(
        segments=ids,
        km=km.astype(float),
        km_basis=["documented" if d else "geometry" for d in documented.tolist()],
        km_by_country=km_by_country,
        run_hours=run_hours,
        run_cost=run_cost,
        border_dwell_h=dwell,
        border_fee=fee,
        border_rule=rule,
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
