"""Corridor options: named routes with constraints, compared over dates or scenarios.

An options file (TOML) names what to compare::

    title = "Tajikistan to the Gulf"
    description = "Dushanbe to Bandar Abbas: through Afghanistan or through Uzbekistan and Turkmenistan"
    by = "time"                                  # distance | time | cost | generalized
    dates = [2026-11-28, 2035-01-01]             # evaluate every option on each date

    [[option]]
    name = "Through Afghanistan (Five-Nation corridor)"
    from = "Dushanbe"
    to = "Bandar Abbas"
    via = ["Herat"]                              # ordered via-stations
    within = ["TJK", "AFG", "IRN"]               # or within_group = "ECO"
    avoid_countries = []                         # ISO3 codes; avoid_groups = ["EAEU"]; avoid_stations
    scenario = "five_nation_built"               # a shipped scenario id or a path (relative to this file)
    expected = false                             # count unbuilt segments from their expected opening
    by = "time"                                  # per-option criterion (default: the file's)
    service = "block_train"                      # a [service.*] profile of the parameters (default: none)

Every option is evaluated on every date (``dates``), or, when the file gives no dates, on its
scenario's date (today without a scenario). Where an option has no route on a date, the report
says which segments it depends on and when they are expected to open.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from corridors._errors import CorridorsError, OptionsError, StationNotFoundError
from corridors.network import Network, find_station
from corridors.params import load_parameters
from corridors.pricing import CRITERIA
from corridors.routing import Route
from corridors.scenario import Scenario, load_scenario, shipped_scenarios
from corridors.schema import parse_date
from corridors.state import NetworkState, network_state
from corridors.timeline import event_dates

__all__ = [
    "Evaluation",
    "Option",
    "OptionsError",
    "OptionsFile",
    "evaluate_options",
    "load_options",
    "option_timeline",
    "shipped_options",
]

log = logging.getLogger(__name__)

_TOP = {"title", "description", "by", "dates", "option", "start"}
_OPTION = {
    "name",
    "from",
    "to",
    "via",
    "avoid_countries",
    "avoid_groups",
    "avoid_stations",
    "avoid_segments",
    "within",
    "within_group",
    "closed_borders",
    "scenario",
    "as_of",
    "expected",
    "by",
    "note",
    "service",
}


@dataclass(frozen=True)
class Option:
    """One corridor option: a route request with constraints and a network state."""

    name: str
    origin: str
    destination: str
    by: str = "time"
    via: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    avoid_groups: tuple[str, ...] = ()
    avoid_stations: tuple[str, ...] = ()
    avoid_segments: tuple[str, ...] = ()
    within: tuple[str, ...] | None = None
    within_group: str | None = None
    closed_borders: tuple[tuple[str, str], ...] = ()
    scenario: Scenario | None = None
    as_of: date | None = None
    expected: bool = False
    note: str = ""
    service: str = ""

    def constraint_kwargs(self) -> dict[str, Any]:
        """Keywords for :meth:`corridors.Router.constraints`."""
        return {
            "via": list(self.via),
            "avoid_countries": list(self.avoid_countries),
            "avoid_groups": list(self.avoid_groups),
            "avoid_stations": list(self.avoid_stations),
            "avoid_segments": list(self.avoid_segments),
            "within": list(self.within) if self.within is not None else None,
            "within_group": self.within_group,
            "closed_borders": [list(p) for p in self.closed_borders],
        }

    def describe(self, names: dict[str, str] | None = None) -> str:
        """The option's request in words (station names from ``names`` where given)."""
        n = names or {}
        parts = [f"{n.get(self.origin, self.origin)} → {n.get(self.destination, self.destination)} by {self.by}"]
        if self.via:
            parts.append("via " + ", ".join(n.get(v, v) for v in self.via))
        if self.within is not None:
            parts.append("within " + ", ".join(self.within))
        if self.within_group:
            parts.append(f"within {self.within_group}")
        if self.avoid_countries or self.avoid_groups:
            parts.append("avoiding " + ", ".join([*self.avoid_countries, *self.avoid_groups]))
        if self.scenario is not None:
            parts.append(f"scenario '{self.scenario.name}'")
        if self.service:
            parts.append(f"service {self.service}")
        return "; ".join(parts)


@dataclass(frozen=True)
class OptionsFile:
    """A validated options file."""

    title: str
    description: str
    options: tuple[Option, ...]
    dates: tuple[date, ...]
    start: date
    path: str


def load_options(path: str | Path, net: Network, *, params_path: str | Path | None = None) -> OptionsFile:
    """Load and check an options file before any work starts.

    Station names, countries, groups, scenarios and criteria are all checked; every problem is
    reported at once with the file, the key and a suggestion.

    Raises
    ------
    OptionsError
        Listing every problem.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.data import get_path
    >>> f = load_options(get_path("options/tajikistan_gulf.toml"), load_network())
    >>> len(f.options) >= 2
    True
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        msg = f"{path}: options file not found"
        raise OptionsError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc})"
        raise OptionsError(msg) from None
    problems: list[str] = []

    def bad(key: str, msg: str) -> None:
        problems.append(f"{path}, key {key!r}: {msg}")

    def unknown(table: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(table) - allowed):
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            bad(prefix + key, "unknown key" + (f"; did you mean {close[0]!r}?" if close else ""))

    unknown(raw, _TOP, "")
    by_default = raw.get("by", "time")
    if by_default not in CRITERIA:
        bad("by", f"{by_default!r} is not one of {', '.join(CRITERIA)}")
    dates: list[date] = []
    for d in raw.get("dates", []):
        try:
            dates.append(d if isinstance(d, date) else parse_date(str(d)))
        except ValueError:
            bad("dates", f"{d!r} is not a date")
    start = raw.get("start", date(2010, 1, 1))
    if not isinstance(start, date):
        bad("start", f"{start!r} is not a date")
        start = date(2010, 1, 1)
    if not raw.get("option"):
        bad("option", "an options file needs at least one [[option]]")
    params = load_parameters(params_path)
    shipped = shipped_scenarios()
    known_countries = set(net.stations["country"])
    options = []
    names_seen: set[str] = set()
    for i, o in enumerate(raw.get("option", [])):
        pre = f"option[{i}]."
        unknown(o, _OPTION, pre)
        name = str(o.get("name") or f"Option {i + 1}")
        if name in names_seen:
            bad(pre + "name", f"two options are named {name!r}")
        names_seen.add(name)

        def station(key: str, value: str, pre: str = pre) -> str:
            try:
                return find_station(net, value)
            except StationNotFoundError as exc:
                bad(pre + key, str(exc))
                return value

        if not o.get("from") or not o.get("to"):
            bad(pre + "from", "an option needs 'from' and 'to'")
            continue
        origin, dest = station("from", str(o["from"])), station("to", str(o["to"]))
        via = tuple(station("via", str(v)) for v in o.get("via", []))
        avoid_st = tuple(station("avoid_stations", str(v)) for v in o.get("avoid_stations", []))
        for key in ("avoid_countries", "within"):
            for c in o.get(key, []) or []:
                if str(c).upper() not in known_countries:
                    close = difflib.get_close_matches(str(c).upper(), sorted(known_countries), n=2)
                    bad(
                        pre + key,
                        f"{c!r} is not a country of the network"
                        + (f"; did you mean {', '.join(close)}?" if close else ""),
                    )
        for g in [*o.get("avoid_groups", []), *([o["within_group"]] if o.get("within_group") else [])]:
            try:
                params.country_group(str(g))
            except CorridorsError as exc:
                bad(pre + ("within_group" if g == o.get("within_group") else "avoid_groups"), str(exc))
        crit = o.get("by", by_default)
        if crit not in CRITERIA:
            bad(pre + "by", f"{crit!r} is not one of {', '.join(CRITERIA)}")
        scen = None
        if o.get("scenario"):
            ref = str(o["scenario"])
            spath = shipped.get(ref) or (path.parent / ref)
            if not Path(spath).exists():
                close = difflib.get_close_matches(ref, list(shipped), n=2)
                bad(
                    pre + "scenario",
                    f"no scenario {ref!r}"
                    + (f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped)}"),
                )
            else:
                try:
                    scen = load_scenario(spath, net)
                except CorridorsError as exc:
                    bad(pre + "scenario", str(exc))
        service = str(o.get("service", ""))
        if service and service not in params.raw.get("service", {}):
            known = sorted(params.raw.get("service", {}))
            close = difflib.get_close_matches(service, known, n=1)
            bad(
                pre + "service",
                f"no service profile {service!r}"
                + (f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"),
            )
            service = ""
        as_of = o.get("as_of")
        if as_of is not None and not isinstance(as_of, date):
            bad(pre + "as_of", f"{as_of!r} is not a date")
            as_of = None
        if origin == dest:
            bad(pre + "to", "origin and destination are the same station")
        # Impossible constraints: a station the option must use lies where it may not go.
        country_of = dict(zip(net.stations["id"], net.stations["country"], strict=True))
        avoided = {str(c).upper() for c in o.get("avoid_countries", [])}
        for g in o.get("avoid_groups", []):
            with contextlib.suppress(CorridorsError):  # an unknown group is reported above
                avoided |= params.country_group(str(g))
        allowed = {str(c).upper() for c in o["within"]} if o.get("within") is not None else None
        for role, sid in (("from", origin), ("to", dest), *(("via", v) for v in via)):
            where = country_of.get(sid)
            if where is None:
                continue
            if where in avoided:
                bad(pre + role, f"{sid} is in {where}, which this option avoids: impossible constraint")
            elif allowed is not None and where not in allowed:
                bad(
                    pre + role,
                    f"{sid} is in {where}, outside 'within' ({', '.join(sorted(allowed))}): "
                    f"impossible constraint; add {where} to 'within'?",
                )
        options.append(
            Option(
                name=name,
                origin=origin,
                destination=dest,
                by=str(crit),
                via=via,
                avoid_countries=tuple(str(c).upper() for c in o.get("avoid_countries", [])),
                avoid_groups=tuple(str(g) for g in o.get("avoid_groups", [])),
                avoid_stations=avoid_st,
                avoid_segments=tuple(str(s) for s in o.get("avoid_segments", [])),
                within=tuple(str(c).upper() for c in o["within"]) if o.get("within") is not None else None,
                within_group=o.get("within_group"),
                closed_borders=tuple((str(a).upper(), str(b).upper()) for a, b in o.get("closed_borders", [])),
                scenario=scen,
                as_of=as_of,
                expected=bool(o.get("expected", False)),
                note=str(o.get("note", "")),
                service=service,
            )
        )
    if problems:
        msg = f"{len(problems)} problem(s) in the options file:\n  " + "\n  ".join(problems)
        raise OptionsError(msg)
    return OptionsFile(
        str(raw.get("title", path.stem)),
        str(raw.get("description", "")),
        tuple(options),
        tuple(dates),
        start,
        str(path),
    )


def shipped_options() -> dict[str, Path]:
    """The options files shipped in ``geodata/options/``, by file stem.

    Examples
    --------
    >>> sorted(shipped_options())
    ['tajikistan_gulf', 'western_china_iran']
    """
    from corridors.data import get_path

    return {p.stem: p for p in sorted(get_path("options").glob("*.toml"))}


@dataclass
class Evaluation:
    """The result of one option on one date."""

    option: Option
    on: date
    route: Route | None
    reason: str = ""
    depends_on: list[dict[str, str]] = field(default_factory=list)


def option_state(net: Network, opt: Option, on: date, *, params_path: str | Path | None = None) -> NetworkState:
    """The network state an option is evaluated on: its scenario, expected flag and parameters on a date.

    Examples
    --------
    >>> from corridors import load_network
    >>> option_state(load_network(), Option("x", "irn_mashhad", "afg_herat"), date(2026, 1, 1)).as_of.year
    2026
    """
    if not opt.service:
        return network_state(net, as_of=on, expected=opt.expected, scenario=opt.scenario, params_path=params_path)
    from corridors.scenario import scenario_parameters

    base = scenario_parameters(opt.scenario, params_path) if opt.scenario is not None else load_parameters(params_path)
    return network_state(
        net, as_of=on, expected=opt.expected, scenario=opt.scenario, params=base.for_service(opt.service)
    )


def _dates_for(opt: Option, dates: Sequence[date]) -> list[date]:
    if opt.as_of is not None:
        return [opt.as_of]
    if dates:
        return list(dates)
    return [opt.scenario.date if opt.scenario is not None else date.today()]


def evaluate_options(
    net: Network,
    options: Sequence[Option],
    dates: Sequence[date] = (),
    *,
    progress: Callable[[str], None] | None = None,
    params_path: str | Path | None = None,
) -> list[Evaluation]:
    """Evaluate every option on every date: its best route, or why there is none.

    Where an option has no route on a date, ``depends_on`` lists the segments (not open that
    day) of its route on the fully built network, with status and expected opening.

    Examples
    --------
    >>> from corridors import load_network
    >>> net = load_network()
    >>> opt = Option("direct", "irn_mashhad", "afg_herat")
    >>> ev = evaluate_options(net, [opt], [date(2026, 11, 28)])[0]
    >>> ev.route is None, [d["segment"] for d in ev.depends_on]
    (True, ['afg_rozanak_robat_paryan', 'afg_robat_paryan_herat'])
    """
    out = []
    for opt in options:
        base: NetworkState | None = None
        for on in _dates_for(opt, dates):
            if progress:
                progress(f"{opt.name}, {on.isoformat()}")
            state = base.on(on) if base is not None else option_state(net, opt, on, params_path=params_path)
            base = state
            c = state.constraints(**opt.constraint_kwargs())
            r, reason = state.route_or_reason(opt.origin, opt.destination, by=opt.by, constraints=c)
            if r is not None:
                out.append(Evaluation(opt, on, r))
                continue
            out.append(Evaluation(opt, on, None, reason, _dependencies(net, opt, state)))
    return out


def _dependencies(net: Network, opt: Option, state: NetworkState) -> list[dict[str, str]]:
    """The segments not open on the state's date that the option's route on the built network needs."""
    built = state.fully_built()
    r, _ = built.route_or_reason(
        opt.origin, opt.destination, by=opt.by, constraints=built.constraints(**opt.constraint_kwargs())
    )
    if r is None:
        return []
    open_ids = set(state.network.segments["id"])
    # Status and announced dates come from the data as shipped, not from the scenario's
    # assumptions; what the scenario assumes is reported beside them.
    base = net.segments.set_index("id")
    info = state.full.segments.set_index("id")
    deps: list[dict[str, str]] = []
    for sid in r.segments:
        if sid not in open_ids:
            rec = base.loc[sid] if sid in base.index else info.loc[sid]
            assumed = info.loc[sid, "opened"] if info.loc[sid, "status"] == "operational" else None
            deps.append(
                {
                    "segment": sid,
                    "name": str(rec["name"] or sid),
                    "status": str(rec["status"]),
                    "expected_opening": str(rec["expected_opening"] or "no date announced"),
                    "scenario_assumes_open_from": str(assumed or ""),
                }
            )
    return deps


def option_timeline(
    net: Network, opt: Option, start: date, end: date, *, params_path: str | Path | None = None
) -> pd.DataFrame:
    """The option's best route on every date something opens or closes between ``start`` and ``end``.

    Examples
    --------
    >>> from corridors import load_network
    >>> t = option_timeline(load_network(), Option("x", "irn_mashhad", "afg_rozanak"), date(2020, 1, 1),
    ...                     date(2022, 1, 1))
    >>> t["connected"].tolist()
    [False, True]
    """
    from corridors.scenario import OD
    from corridors.timeline import route_row

    first = option_state(net, opt, start, params_path=params_path)
    rows: list[dict[str, Any]] = []
    last: Any = None
    od = OD(opt.origin, opt.destination, opt.name)
    for on in event_dates(first.full, start, end, expected=first.expected):
        state = first.on(on)
        r, _ = state.route_or_reason(
            opt.origin, opt.destination, by=opt.by, constraints=state.constraints(**opt.constraint_kwargs())
        )
        key = (tuple(r.segments), round(r.value, 6)) if r is not None else None
        if key != last or not rows:
            rows.append(route_row(r, od, on) | {"option": opt.name})
            last = key
    return pd.DataFrame(rows)
