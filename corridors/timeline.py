"""Timelines: how the best route between places changes as segments open, and when pairs connect."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from corridors.network import Network, find_station
from corridors.routing import Route
from corridors.scenario import OD, Scenario
from corridors.schema import parse_date
from corridors.state import NetworkState, network_state

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
    state: NetworkState,
    pairs: Sequence[OD],
    start: date,
    end: date,
    *,
    by: str = "time",
) -> pd.DataFrame:
    """The best route per pair on every date something opens or closes between ``start`` and ``end``.

    Each row holds from its date until the pair's next row. A row is written for a pair on the
    first date and whenever its best route changes (or it connects or disconnects).

    Parameters
    ----------
    state
        The network state (scenario, expected flag, parameters); its date is replaced by each
        event date in turn.
    pairs
        Origin–destination pairs (station ids).
    start, end
        The date range.
    by
        Criterion for the best route (a pair's own criterion wins).

    Returns
    -------
    pandas.DataFrame
        Columns: pair, origin, destination, date, connected, km, hours, cost, generalized,
        border_crossings, gauge_changes, countries (``ISO3:share``), segments, reason.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.scenario import OD
    >>> from corridors.state import network_state
    >>> s = network_state(load_network())
    >>> t = timeline(s, [OD("irn_mashhad", "afg_rozanak")], date(2020, 1, 1), date(2024, 1, 1))
    >>> t[["date", "connected"]].values.tolist()[:2]
    [[datetime.date(2020, 1, 1), False], [datetime.date(2020, 12, 10), True]]
    """
    rows: list[dict[str, Any]] = []
    last: dict[str, tuple[Any, ...]] = {}
    for on in event_dates(state.full, start, end, expected=state.expected):
        day = state.on(on)
        for od in pairs:
            r, reason = day.route_or_reason(
                od.origin, od.destination, by=od.by or by, constraints=day.constraints(via=od.via)
            )
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


def _change_dates(net: Network, after: date) -> list[date]:
    """Every opening, closing and announced opening in the data after a date, in order."""
    out = set()
    for col in ("opened", "closed", "expected_opening"):
        for value in net.segments[col]:
            if value:
                d = parse_date(str(value))
                if d > after:
                    out.add(d)
    return sorted(out)


def earliest_connection(state: NetworkState, origin: str, destination: str, *, by: str = "time") -> Connection:
    """Which segments not open on the state's date would connect a pair, and the earliest date they do.

    For a pair not connected on the state's date, the answer is the first later date on which the
    network connects the pair, counting segments that open by then (their ``opened`` date) and
    unbuilt segments whose announced opening has passed; the segments listed are those its
    route uses that are not open on the state's date. If no dated change connects them, the
    undated segments that would are listed instead.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.state import network_state
    >>> s = network_state(load_network(), as_of=date(2026, 11, 28))
    >>> c = earliest_connection(s, "irn_mashhad", "afg_herat")
    >>> c.connected, c.expected_date, c.undated
    (False, None, ('afg_rozanak_robat_paryan', 'afg_robat_paryan_herat'))
    """
    on = state.as_of
    o, d = find_station(state.full, origin), find_station(state.full, destination)
    if state.route_or_reason(o, d, by=by)[0] is not None:
        return Connection(o, d, on, True, None, (), ())
    open_now = set(state.network.segments["id"])
    projected = replace(state, expected=True, _graphs={})
    projected.__dict__["full"] = state.full
    info = state.full.segments.set_index("id")
    for day in _change_dates(state.full, on):
        r, _ = projected.on(day).route_or_reason(o, d, by=by)
        if r is None:
            continue
        needed = tuple(
            (s, str(info.loc[s, "status"]), str(info.loc[s, "opened"] or info.loc[s, "expected_opening"] or ""))
            for s in r.segments
            if s not in open_now
        )
        return Connection(o, d, on, False, day, needed, ())
    everything, _ = state.fully_built().route_or_reason(o, d, by="distance")
    if everything is None:
        return Connection(o, d, on, False, None, (), ())
    undated = tuple(s for s in everything.segments if s not in open_now)
    return Connection(o, d, on, False, None, (), undated)


def scenario_diff(
    net: Network,
    a: Scenario,
    b: Scenario,
    *,
    pairs: Iterable[OD] | None = None,
    by: str = "time",
    params_path: str | Path | None = None,
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
    pairs = list(pairs) if pairs is not None else list(dict.fromkeys([*a.od, *b.od]))
    rows = []
    states = [network_state(net, scenario=s, params_path=params_path) for s in (a, b)]
    for od in pairs:
        ra, rb = (
            st.route_or_reason(od.origin, od.destination, by=od.by or by, constraints=st.constraints(via=od.via))[0]
            for st in states
        )
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
    net: Network,
    scenarios: Sequence[Scenario],
    pairs: Sequence[OD],
    *,
    by: str = "time",
    params_path: str | Path | None = None,
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
    rows, found = [], {}
    for s in scenarios:
        state = network_state(net, scenario=s, params_path=params_path)
        for od in pairs:
            r, reason = state.route_or_reason(
                od.origin, od.destination, by=od.by or by, constraints=state.constraints(via=od.via)
            )
            if r is not None:
                found[(s.name, od.label)] = r
            rows.append({"scenario": s.name, "as_of": s.date} | route_row(r, od, s.date, reason))
    return pd.DataFrame(rows), found
