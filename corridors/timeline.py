"""Timelines: how the best route between places changes as segments open, and when pairs connect."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from corridors._errors import NoRouteError
from corridors.network import Network, network_as_of
from corridors.params import Parameters, load_parameters
from corridors.routing import Route, Router
from corridors.scenario import OD, Scenario, apply_scenario, scenario_parameters
from corridors.schema import parse_date

__all__ = [
    "Connection",
    "compare_scenarios",
    "earliest_connection",
    "event_dates",
    "first_connections",
    "route_row",
    "scenario_diff",
    "timeline",
]

log = logging.getLogger(__name__)

COLUMNS = [
    "pair",
    "origin",
    "destination",
    "date",
    "connected",
    "km",
    "hours",
    "cost",
    "generalized",
    "border_crossings",
    "gauge_changes",
    "countries",
    "segments",
    "reason",
]


def route_row(r: Route | None, od: OD, on: date, reason: str = "") -> dict[str, Any]:
    """One table row for a pair on a date: the best route's totals, or unconnected with the reason."""
    row: dict[str, Any] = {"pair": od.label, "origin": od.origin, "destination": od.destination, "date": on}
    if r is None:
        return row | {
            "connected": False,
            "km": None,
            "hours": None,
            "cost": None,
            "generalized": None,
            "border_crossings": None,
            "gauge_changes": None,
            "countries": "",
            "segments": "",
            "reason": reason,
        }
    return row | {
        "connected": True,
        "km": round(r.km, 1),
        "hours": round(r.hours, 1),
        "cost": round(r.cost, 0),
        "generalized": round(r.generalized, 0),
        "border_crossings": len(r.borders),
        "gauge_changes": len(r.gauge_changes),
        "countries": ";".join(f"{c}:{km / r.km:.0%}" for c, km in r.km_by_country.items()),
        "segments": ";".join(r.segments),
        "reason": "",
    }


def event_dates(net: Network, start: date, end: date, *, expected: bool = False) -> list[date]:
    """``start`` and every date in (start, end] on which a segment opens or closes.

    With ``expected``, announced openings of unbuilt segments count too.

    Examples
    --------
    >>> from corridors import load_network
    >>> ds = event_dates(load_network(), date(2020, 1, 1), date(2021, 1, 1))
    >>> ds[0], date(2020, 12, 10) in ds
    (datetime.date(2020, 1, 1), True)
    """
    out = {start}
    for rec in net.segments[["status", "opened", "closed", "expected_opening"]].to_dict("records"):
        keys = ["opened", "closed"] + (["expected_opening"] if expected else [])
        for key in keys:
            if rec[key]:
                d = parse_date(str(rec[key]))
                if start < d <= end:
                    out.add(d)
    return sorted(out)


def timeline(
    net: Network,
    pairs: Sequence[OD],
    start: date,
    end: date,
    *,
    by: str = "time",
    expected: bool = False,
    params: Parameters | None = None,
    scenario: Scenario | None = None,
) -> pd.DataFrame:
    """The best route per pair on every date something opens or closes between ``start`` and ``end``.

    Each row holds from its date until the pair's next row. A row is written for a pair on the
    first date and whenever its best route changes (or it connects or disconnects).

    Parameters
    ----------
    net
        The full network.
    pairs
        Origin–destination pairs (station ids).
    start, end
        The date range.
    by
        Criterion for the best route.
    expected
        Count unbuilt segments from their announced expected opening (a projection).
    params
        Routing parameters (the scenario's, when ``scenario`` is given and ``params`` is None).
    scenario
        Apply this scenario's changes first.

    Returns
    -------
    pandas.DataFrame
        Columns: pair, origin, destination, date, connected, km, hours, cost, generalized,
        border_crossings, gauge_changes, countries (``ISO3:share``), segments, reason.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.scenario import OD
    >>> t = timeline(load_network(), [OD("irn_mashhad", "afg_rozanak")], date(2020, 1, 1), date(2024, 1, 1))
    >>> t[["date", "connected"]].values.tolist()[:2]
    [[datetime.date(2020, 1, 1), False], [datetime.date(2020, 12, 10), True]]
    """
    full = apply_scenario(net, scenario) if scenario is not None else net
    if params is None:
        params = scenario_parameters(scenario) if scenario is not None else load_parameters()
    rows: list[dict[str, Any]] = []
    last: dict[str, tuple[Any, ...]] = {}
    for on in event_dates(full, start, end, expected=expected):
        router = Router(network_as_of(full, on, expected=expected), params, full=full, as_of=on)
        for od in pairs:
            try:
                r: Route | None = router.route(
                    od.origin, od.destination, by=od.by or by, constraints=router.constraints(via=od.via)
                )
                reason = ""
            except NoRouteError as exc:
                r, reason = None, str(exc)
            key = (tuple(r.segments), round(r.value, 6)) if r is not None else ("none",)
            if last.get(od.label) != key:
                rows.append(route_row(r, od, on, reason))
                last[od.label] = key
    df = pd.DataFrame(rows, columns=COLUMNS)
    log.info("timeline: %d pairs, %d rows", len(pairs), len(df))
    return df


def first_connections(table: pd.DataFrame) -> pd.DataFrame:
    """Per pair, the first date it is connected in a :func:`timeline` table (NaT if never).

    Examples
    --------
    >>> t = pd.DataFrame({"pair": ["a", "a"], "date": [date(2020, 1, 1), date(2021, 1, 1)],
    ...                   "connected": [False, True]})
    >>> first_connections(t).loc["a", "first_connected"]
    datetime.date(2021, 1, 1)
    """
    out = {}
    for pair, g in table.groupby("pair", sort=False):
        hits = g.loc[g["connected"].astype(bool), "date"]
        out[pair] = hits.iloc[0] if len(hits) else None
    return pd.DataFrame({"first_connected": pd.Series(out, dtype=object)}).rename_axis("pair")


@dataclass(frozen=True)
class Connection:
    """When a pair not connected on a date is expected to connect, and through which segments."""

    origin: str
    destination: str
    on: date
    connected: bool
    expected_date: date | None
    needed: tuple[tuple[str, str, str], ...]  # (segment id, status, expected opening or "")
    undated: tuple[str, ...]

    def summary(self) -> str:
        """The answer in words."""
        if self.connected:
            return f"{self.origin} and {self.destination} are connected on {self.on.isoformat()}"
        if self.expected_date is not None:
            segs = ", ".join(f"{s} ({st}, expected {e})" for s, st, e in self.needed)
            return (
                f"{self.origin}–{self.destination}: expected to connect on {self.expected_date.isoformat()} "
                f"when these open: {segs}"
            )
        if self.undated:
            return (
                f"{self.origin}–{self.destination}: would connect only through segments with no announced "
                f"opening date: {', '.join(self.undated)}"
            )
        return f"{self.origin}–{self.destination}: no segment in the data, built or not, would connect them"


def earliest_connection(
    net: Network, origin: str, destination: str, on: date, *, params: Parameters | None = None, by: str = "time"
) -> Connection:
    """Which unbuilt segments would connect a pair, and the earliest date they are all expected.

    For a pair not connected on ``on``, the date is the smallest announced expected opening
    after which the network, counting every segment expected by then, connects the pair; the
    segments are those its route uses that are not open on ``on``. If no set of dated segments
    connects them, the undated segments that would are listed instead.

    Examples
    --------
    >>> from corridors import load_network
    >>> c = earliest_connection(load_network(), "irn_mashhad", "afg_herat", date(2026, 11, 28))
    >>> c.connected, c.expected_date
    (False, datetime.date(2027, 1, 1))
    """
    params = params or load_parameters()
    now = Router(network_as_of(net, on), params, full=net, as_of=on)
    o, d = now._resolve(origin), now._resolve(destination)
    try:
        now.route(o, d, by=by)
        return Connection(o, d, on, True, None, (), ())
    except NoRouteError:
        pass
    open_now = set(network_as_of(net, on).segments["id"])
    candidates = sorted({parse_date(str(e)) for e in net.segments["expected_opening"] if e} | {on})
    for day in candidates:
        if day < on:
            continue
        state = network_as_of(net, max(day, on), expected=True)
        router = Router(state, params, full=net, as_of=day)
        try:
            r = router.route(o, d, by=by)
        except NoRouteError:
            continue
        info = net.segments.set_index("id")
        needed = tuple(
            (s, str(info.loc[s, "status"]), str(info.loc[s, "expected_opening"] or ""))
            for s in r.segments
            if s not in open_now
        )
        return Connection(o, d, on, False, max(day, on), needed, ())
    everything = Router(network_as_of(net, on, open_segments=list(net.segments["id"])), params, full=net, as_of=on)
    try:
        r = everything.route(o, d, by="distance")
    except NoRouteError:
        return Connection(o, d, on, False, None, (), ())
    undated = tuple(s for s in r.segments if s not in open_now)
    return Connection(o, d, on, False, None, (), undated)


def scenario_diff(
    net: Network,
    a: Scenario,
    b: Scenario,
    *,
    pairs: Iterable[OD] | None = None,
    by: str = "time",
) -> pd.DataFrame:
    """Compare two scenarios pair by pair: the best route in each and what changed.

    Parameters
    ----------
    net
        The full network.
    a, b
        The scenarios (each on its own date).
    pairs
        OD pairs; by default the union of both scenarios' pairs.
    by
        Criterion.

    Returns
    -------
    pandas.DataFrame
        One row per pair: the totals in ``a`` and ``b`` (suffixes ``_a``, ``_b``), the change in
        the criterion, and ``outcome``: ``gained`` (connected only in b), ``lost``, ``improved``,
        ``worse``, ``same`` or ``unconnected``.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.scenario import load_scenario, shipped_scenarios
    >>> net = load_network()
    >>> s = {k: load_scenario(p, net) for k, p in shipped_scenarios().items()}
    >>> d = scenario_diff(net, s["khaf_herat_1_3"], s["khaf_herat_complete"])
    >>> d.set_index("pair").loc["Mashhad → Herat", "outcome"]
    'gained'
    """
    from corridors.scenario import scenario_router

    pairs = list(pairs) if pairs is not None else list(dict.fromkeys([*a.od, *b.od]))
    rows = []
    routers = [scenario_router(net, s) for s in (a, b)]
    for od in pairs:
        vals: list[Route | None] = []
        for router in routers:
            try:
                vals.append(
                    router.route(od.origin, od.destination, by=od.by or by, constraints=router.constraints(via=od.via))
                )
            except NoRouteError:
                vals.append(None)
        ra, rb = vals
        row: dict[str, Any] = {"pair": od.label, "origin": od.origin, "destination": od.destination}
        for suffix, r in (("a", ra), ("b", rb)):
            base = route_row(r, od, date.today())
            for key in ("connected", "km", "hours", "cost", "border_crossings", "gauge_changes", "countries"):
                row[f"{key}_{suffix}"] = base[key]
        if ra is None and rb is None:
            outcome, change = "unconnected", None
        elif ra is None:
            outcome, change = "gained", None
        elif rb is None:
            outcome, change = "lost", None
        else:
            change = rb.value - ra.value
            outcome = "improved" if change < -1e-9 else "worse" if change > 1e-9 else "same"
        row["change"] = None if change is None else round(change, 3)
        row["change_pct"] = None if change is None or ra is None else round(100 * change / ra.value, 1)
        row["outcome"] = outcome
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update({"a": a.name, "b": b.name, "by": by})
    return out


def compare_scenarios(
    net: Network, scenarios: Sequence[Scenario], pairs: Sequence[OD], *, by: str = "time"
) -> tuple[pd.DataFrame, dict[tuple[str, str], Route]]:
    """The best route for every pair in every scenario, as one long table.

    Returns
    -------
    tuple
        The table (a row per scenario and pair, with ``scenario`` and ``as_of`` columns) and the
        routes found, keyed by ``(scenario name, pair label)``.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.scenario import load_scenario, shipped_scenarios
    >>> net = load_network()
    >>> ss = [load_scenario(shipped_scenarios()[k], net) for k in ("khaf_herat_1_3", "khaf_herat_complete")]
    >>> table, found = compare_scenarios(net, ss, [OD("irn_mashhad", "afg_herat", "Mashhad → Herat")])
    >>> table["connected"].tolist()
    [False, True]
    """
    from corridors.scenario import scenario_router

    rows, found = [], {}
    for s in scenarios:
        router = scenario_router(net, s)
        for od in pairs:
            try:
                r: Route | None = router.route(
                    od.origin, od.destination, by=od.by or by, constraints=router.constraints(via=od.via)
                )
                reason = ""
            except NoRouteError as exc:
                r, reason = None, str(exc)
            if r is not None:
                found[(s.name, od.label)] = r
            rows.append({"scenario": s.name, "as_of": s.date} | route_row(r, od, s.date, reason))
    return pd.DataFrame(rows), found
