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
from corridors._validate import Key, TomlChecker, country_problem, network_countries, show
from corridors.network import Network, find_station
from corridors.params import load_parameters
from corridors.pricing import CRITERIA
from corridors.routing import Route
from corridors.scenario import Scenario, load_scenario, shipped_scenarios
from corridors.schema import MODES
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
    "modes",
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
    modes: tuple[str, ...] | None = None
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

    Every key is checked against the documented format (unknown keys with the closest valid
    name, types, real booleans, dates within the years 1800 to 2200); station names, countries
    (against the network's), groups, scenarios and criteria are checked too, and so is that no
    two options share a name or the file name of their map. Every problem is reported at once
    with the file, the line, the key and a suggestion.

    Raises
    ------
    OptionsError
        Listing every problem.
    ParameterError
        If the parameters file (``params_path``, used for country groups) is malformed.

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
    except IsADirectoryError:
        msg = f"{path}: is a folder, not an options file"
        raise OptionsError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text ({exc.reason})"
        raise OptionsError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc})"
        raise OptionsError(msg) from None
    c = TomlChecker(path, text)
    c.unknown(raw, _TOP)
    title = c.string(raw["title"], ("title",)) if "title" in raw else None
    description = c.string(raw["description"], ("description",)) if "description" in raw else None
    by_default = c.string(raw.get("by", "time"), ("by",), choices=CRITERIA) or "time"
    dates: list[date] = []
    if not isinstance(raw.get("dates", []), list):
        c.add(("dates",), f"must be an array of dates like [2026-11-28, 2035-01-01], got {show(raw['dates'])}")
    else:
        for d in raw.get("dates", []):
            day = c.date(d, ("dates",))
            if day is not None:
                dates.append(day)
    start = (c.date(raw["start"], ("start",)) if "start" in raw else None) or date(2010, 1, 1)
    if "option" not in raw or raw["option"] == []:
        c.add(("option",), "an options file needs at least one [[option]]")
    params = load_parameters(params_path)  # a bad parameters file is its own error, reported as such
    shipped = shipped_scenarios()
    known = network_countries(net)
    country_of = dict(zip(net.stations["id"], net.stations["country"], strict=True))
    options = []
    names_seen: dict[str, int] = {}
    slugs_seen: dict[str, str] = {}
    from corridors.report import _slug  # the report names each option's map by this slug

    for i, o in c.tables(raw.get("option", []), ("option",)):
        pre: Key = ("option", i)
        c.unknown(o, _OPTION, pre)
        name = (c.string(o["name"], (*pre, "name"), nonempty=True) if "name" in o else None) or f"Option {i + 1}"
        if name in names_seen:
            c.add((*pre, "name"), f"two options are named {name!r} (option[{names_seen[name]}] too)")
        else:
            slug = _slug(name)
            if slug in slugs_seen:
                c.add(
                    (*pre, "name"),
                    f"{name!r} and {slugs_seen[slug]!r} would both write the maps map_{slug}.png and .svg; rename one",
                )
            slugs_seen.setdefault(slug, name)
        names_seen.setdefault(name, i)

        def station(key: str, value: Any, pre: Key = pre) -> str | None:
            if c.string(value, (*pre, key), nonempty=True) is None:
                return None
            try:
                return find_station(net, value)
            except StationNotFoundError as exc:
                c.add((*pre, key), str(exc))
                return None

        def names(key: str, pre: Key = pre, o: dict[str, Any] = o) -> list[str]:
            return c.strings(o[key], (*pre, key)) or [] if key in o else []

        if "from" not in o or "to" not in o:
            c.add((*pre, "from"), "an option needs 'from' and 'to'")
            continue
        origin, dest = station("from", o["from"]), station("to", o["to"])
        via = [station("via", v) for v in names("via")]
        avoid_st = [station("avoid_stations", v) for v in names("avoid_stations")]
        seg_ids = set(net.segments["id"])
        avoid_seg = names("avoid_segments")
        for s in avoid_seg:
            if s not in seg_ids:
                close = difflib.get_close_matches(s, seg_ids, n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                c.add((*pre, "avoid_segments"), f"unknown segment {s!r}{hint}")
        avoid_c = names("avoid_countries")
        within = names("within") if "within" in o else None
        for list_key, codes in (("avoid_countries", avoid_c), ("within", within or [])):
            for code in codes:
                if (problem := country_problem(code, known)) is not None:
                    c.add((*pre, list_key), problem)
        avoid_g = names("avoid_groups")
        within_g = c.string(o["within_group"], (*pre, "within_group"), nonempty=True) if "within_group" in o else None
        avoided = {x.upper() for x in avoid_c}
        for key, groups in (("avoid_groups", avoid_g), ("within_group", [within_g] if within_g else [])):
            for g in groups:
                try:
                    members = params.country_group(g)
                except CorridorsError as exc:
                    c.add((*pre, key), str(exc))
                    continue
                if key == "avoid_groups":
                    avoided |= members
        borders = []
        if "closed_borders" in o:
            value = o["closed_borders"]
            pairs = value if isinstance(value, list) else [value]
            for pair in pairs:
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                    c.add((*pre, "closed_borders"), f'{pair!r} is not a pair of ISO3 codes like ["AFG", "IRN"]')
                    continue
                msgs = [m for x in pair if (m := country_problem(x, known)) is not None]
                if pair[0].upper() == pair[1].upper():
                    msgs.append(f"{pair!r} names the same country twice")
                for m in msgs:
                    c.add((*pre, "closed_borders"), m)
                if not msgs:
                    borders.append((pair[0].upper(), pair[1].upper()))
        crit = c.string(o["by"], (*pre, "by"), choices=CRITERIA) if "by" in o else by_default
        scen = None
        if "scenario" in o and (ref := c.string(o["scenario"], (*pre, "scenario"), nonempty=True)) is not None:
            spath = shipped.get(ref) or (path.parent / ref)
            if not Path(spath).is_file():
                close = difflib.get_close_matches(ref, list(shipped), n=2)
                c.add(
                    (*pre, "scenario"),
                    f"no scenario {ref!r}"
                    + (f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped)}"),
                )
            else:
                try:
                    scen = load_scenario(spath, net)
                except CorridorsError as exc:
                    c.add((*pre, "scenario"), str(exc))
        as_of = c.date(o["as_of"], (*pre, "as_of")) if "as_of" in o else None
        expected = c.boolean(o["expected"], (*pre, "expected")) if "expected" in o else False
        note = c.string(o["note"], (*pre, "note")) if "note" in o else ""
        modes = c.strings(o["modes"], (*pre, "modes")) if "modes" in o else None
        for m in modes or []:
            if m not in MODES:
                near = difflib.get_close_matches(m, MODES, n=1)
                c.add((*pre, "modes"), f"unknown mode {m!r}" + (f"; did you mean {near[0]!r}?" if near else ""))
        service = c.string(o["service"], (*pre, "service")) if "service" in o else ""
        if service and service not in params.raw.get("service", {}):
            profiles = sorted(params.raw.get("service", {}))
            near_s = difflib.get_close_matches(service, profiles, n=1)
            c.add(
                (*pre, "service"),
                f"no service profile {service!r}"
                + (f"; did you mean {near_s[0]!r}?" if near_s else f"; known: {', '.join(profiles)}"),
            )
            service = ""
        if origin is not None and origin == dest:
            c.add((*pre, "to"), "origin and destination are the same station")
        # Impossible constraints: a station the option must use lies where it may not go.
        allowed = {x.upper() for x in within} if within is not None else None
        for role, sid in (("from", origin), ("to", dest), *(("via", v) for v in via)):
            where = country_of.get(sid) if sid is not None else None
            if where is None:
                continue
            if where in avoided:
                c.add((*pre, role), f"{sid} is in {where}, which this option avoids: impossible constraint")
            elif allowed is not None and where not in allowed:
                c.add(
                    (*pre, role),
                    f"{sid} is in {where}, outside 'within' ({', '.join(sorted(allowed))}): "
                    f"impossible constraint; add {where} to 'within'?",
                )
        if origin is None or dest is None or None in via or None in avoid_st or crit is None:
            continue
        options.append(
            Option(
                name=name,
                origin=origin,
                destination=dest,
                by=crit,
                via=tuple(v for v in via if v is not None),
                avoid_countries=tuple(x.upper() for x in avoid_c),
                avoid_groups=tuple(avoid_g),
                avoid_stations=tuple(s for s in avoid_st if s is not None),
                avoid_segments=tuple(avoid_seg),
                within=tuple(x.upper() for x in within) if within is not None else None,
                within_group=within_g,
                closed_borders=tuple(borders),
                scenario=scen,
                as_of=as_of,
                expected=bool(expected),
                note=note or "",
                modes=tuple(modes) if modes else None,
                service=service or "",
            )
        )
    if c.problems:
        msg = f"{len(c.problems)} problem(s) in the options file:\n  " + "\n  ".join(c.problems)
        raise OptionsError(msg)
    return OptionsFile(
        title if title is not None else path.stem,
        description or "",
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
    ['china_turkey_rail', 'east_west', 'tajikistan_gulf', 'tajikistan_sea', 'western_china_iran']
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
    params = None
    if opt.service:
        from corridors.scenario import scenario_parameters

        base = (
            scenario_parameters(opt.scenario, params_path) if opt.scenario is not None else load_parameters(params_path)
        )
        params = base.for_service(opt.service)
    return network_state(
        net,
        as_of=on,
        expected=opt.expected,
        scenario=opt.scenario,
        params=params,
        params_path=params_path,
        modes=opt.modes,
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
