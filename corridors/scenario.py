"""Scenarios: dated what-if networks kept in readable TOML files.

A scenario names a date, changes segments (status, dates, speed, closure), adds segments, adds
gauge-change facilities to stations, overrides routing parameters, closes borders or whole
countries, and lists the origin–destination pairs it is about. It may extend a parent scenario.
Applying a scenario returns new objects: the shipped data files are never changed.

File format (every key optional except ``name``)::

    name = "Khaf–Herat complete"
    description = "Section 4 of the Khaf–Herat railway open to Herat."
    why = "Railway Gazette, Sept 2025: phase 2 started, expected about 2027."
    extends = "khaf_herat_1_3.toml"          # a parent scenario, relative to this file
    as_of = 2028-01-01                       # the date the network stands for (default: today)
    expected = false                         # also count unbuilt segments from expected_opening
    closed_borders = [["AFG", "IRN"]]
    closed_countries = ["AFG"]               # every border of these countries closed
    new_segments_file = "extra.geojson"      # segments in the data schema, relative to this file

    [[segment]]                              # change existing segments (by id, or all of a corridor)
    id = "afg_robat_paryan_herat"            # or: corridor = "five_nation"
    status = "operational"
    opened = "2027"
    speed_kmh = 60.0                         # sets parameters speed.by_segment for it

    [[new_segment]]                          # inline new segment, same fields as the data schema
    id = "x_y"
    from = "x"
    to = "y"
    coords = [[60.1, 34.3], [61.2, 34.3]]
    ...

    [[station]]                              # change stations
    id = "afg_herat"
    gauge_change = ["transloading"]
    assumption = "No facility is announced; assumed so the corridor can be used."

    [parameters]                             # merged over geodata/parameters.toml
    border.pairs."AFG-IRN" = { dwell_h = 48.0, fee_usd = 300.0, assumption = true }

    [[od]]                                   # origin–destination pairs of interest
    from = "Mashhad"
    to = "Herat"
"""

from __future__ import annotations

import difflib
import json
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import LineString

from corridors._errors import DataError, ScenarioError, StationNotFoundError
from corridors.network import Network, find_station, network_from_gdfs
from corridors.params import Parameters, load_parameters, merge_overrides
from corridors.schema import GAUGE_CHANGE_METHODS, GAUGES, MODES, SEGMENT_FIELDS, STATUSES, parse_date

__all__ = [
    "OD",
    "Scenario",
    "ScenarioError",
    "apply_scenario",
    "load_scenario",
    "scenario_parameters",
    "shipped_scenarios",
]

log = logging.getLogger(__name__)

_TOP_KEYS = {
    "name",
    "description",
    "why",
    "sources",
    "extends",
    "as_of",
    "expected",
    "modes",
    "closed_borders",
    "closed_countries",
    "new_segments_file",
    "segment",
    "new_segment",
    "station",
    "parameters",
    "od",
}
_SEGMENT_KEYS = {"id", "corridor", "status", "opened", "expected_opening", "closed", "gauge", "speed_kmh", "note"}
_STATION_KEYS = {"id", "gauge_change", "assumption", "note"}
_OD_KEYS = {"from", "to", "name", "via", "by"}
_NEW_SEGMENT_KEYS = {f.name for f in SEGMENT_FIELDS} | {"coords"}


@dataclass(frozen=True)
class OD:
    """An origin–destination pair of interest (station ids once resolved)."""

    origin: str
    destination: str
    name: str = ""
    via: tuple[str, ...] = ()
    by: str | None = None

    @property
    def label(self) -> str:
        """The pair's name, or ``origin → destination``."""
        return self.name or f"{self.origin} → {self.destination}"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (parents merged in). Build with :func:`load_scenario`."""

    name: str
    description: str = ""
    why: str = ""
    as_of: date | None = None
    expected: bool = False
    modes: tuple[str, ...] = ("rail",)
    segment_changes: tuple[dict[str, Any], ...] = ()
    new_segments: tuple[dict[str, Any], ...] = ()
    station_changes: tuple[dict[str, Any], ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    closed_borders: tuple[tuple[str, str], ...] = ()
    closed_countries: tuple[str, ...] = ()
    od: tuple[OD, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def date(self) -> date:
        """The scenario's date (today when the file gives none)."""
        return self.as_of or date.today()

    def assumptions(self) -> list[str]:
        """Every assumption the scenario makes, in words, for reports."""
        out = []
        for ch in self.station_changes:
            if ch.get("assumption"):
                out.append(f"station {ch['id']}: {ch['assumption']}")
        for ch in self.segment_changes:
            if ch.get("note"):
                out.append(f"{ch.get('id') or 'corridor ' + str(ch.get('corridor'))}: {ch['note']}")
        if self.expected:
            out.append("unbuilt segments count from their announced expected opening")
        return out


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
def _line_of(text: str, *needles: str) -> int | None:
    """The 1-based line of the first line containing every needle (for messages)."""
    for i, line in enumerate(text.splitlines(), 1):
        if all(n in line for n in needles):
            return i
    return None


class _Reporter:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.problems = path, text, []  # type: ignore[var-annotated]

    def add(self, key: str, msg: str, *needles: str) -> None:
        line = _line_of(self.text, *needles) if needles else None
        where = f"{self.path}" + (f", line {line}" if line else "") + f", key {key!r}"
        self.problems.append(f"{where}: {msg}")

    def unknown_keys(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(sorted(allowed))}"
            self.add(f"{where}{key}", f"unknown key{hint}", key)

    def raise_if_any(self) -> None:
        if self.problems:
            msg = f"{len(self.problems)} problem(s) in scenario:\n  " + "\n  ".join(self.problems)
            raise ScenarioError(msg)


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def _read(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        msg = f"{path}: scenarios extend each other in a loop ({chain})"
        raise ScenarioError(msg)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: scenario file not found"
        raise ScenarioError(msg) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc})"
        raise ScenarioError(msg) from None
    rep = _Reporter(path, text)
    rep.unknown_keys(raw, _TOP_KEYS, "")
    if "name" not in raw or not isinstance(raw.get("name"), str):
        rep.add("name", "every scenario needs a name (a string)")
    for i, table in enumerate(raw.get("segment", [])):
        rep.unknown_keys(table, _SEGMENT_KEYS, f"segment[{i}].")
    for i, table in enumerate(raw.get("station", [])):
        rep.unknown_keys(table, _STATION_KEYS, f"station[{i}].")
    for i, table in enumerate(raw.get("od", [])):
        rep.unknown_keys(table, _OD_KEYS, f"od[{i}].")
    for i, table in enumerate(raw.get("new_segment", [])):
        rep.unknown_keys(table, _NEW_SEGMENT_KEYS, f"new_segment[{i}].")
    rep.raise_if_any()
    raw["_path"], raw["_text"] = path, text
    if raw.get("extends"):
        parent = _read((path.parent / str(raw["extends"])).resolve(), (*seen, path))
        raw["_parent"] = parent
    return raw


def _merge(raw: dict[str, Any]) -> dict[str, Any]:
    """Flatten a scenario with its parents: child values win, lists of changes accumulate."""
    if "_parent" not in raw:
        out = dict(raw)
        out["_files"] = [str(raw["_path"])]
        return out
    base = _merge(raw["_parent"])
    out = dict(base)
    for key, value in raw.items():
        if key in ("segment", "new_segment", "station", "closed_borders", "closed_countries"):
            out[key] = [*base.get(key, []), *value]
        elif key == "od":
            out[key] = value  # a child names its own pairs of interest
        elif key == "parameters":
            out[key] = merge_overrides(base.get("parameters", {}), value)
        elif key != "_parent":
            out[key] = value
    out["_files"] = [*base["_files"], str(raw["_path"])]
    return out


def load_scenario(path: str | Path, net: Network | None = None) -> Scenario:
    """Load and validate a scenario file (and the scenarios it extends).

    Parameters
    ----------
    path
        The TOML file (see the module docstring for its keys).
    net
        The network it applies to; when given, station names, segment ids and corridors are
        checked against it (close matches suggested).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem with file, line (where it can be found) and key.

    Examples
    --------
    >>> from corridors.data import get_path
    >>> s = load_scenario(get_path("scenarios/khaf_herat_complete.toml"))
    >>> s.name
    'Khaf–Herat railway complete to Herat'
    """
    path = Path(path).resolve()
    raw = _merge(_read(path, ()))
    text = raw["_text"]
    rep = _Reporter(path, text)
    as_of = None
    try:
        as_of = _as_date(raw.get("as_of"))
    except ValueError:
        rep.add("as_of", f"{raw.get('as_of')!r} is not a date (YYYY-MM-DD)", "as_of")
    if not isinstance(raw.get("expected", False), bool):
        rep.add("expected", "must be true or false", "expected")
    modes = raw.get("modes", ["rail"])
    if not isinstance(modes, list) or not modes or any(m not in MODES for m in modes):
        rep.add("modes", f"must be a list of modes from {', '.join(MODES)}, got {modes!r}", "modes")
        modes = ["rail"]

    seg_ids = set(net.segments["id"]) if net is not None else set()
    corridors_known = {c for cs in net.segments["corridors"] for c in cs} if net is not None else set()
    changes = []
    for i, ch in enumerate(raw.get("segment", [])):
        key = f"segment[{i}]"
        if bool(ch.get("id")) == bool(ch.get("corridor")):
            rep.add(key, "give exactly one of 'id' or 'corridor'")
            continue
        if ch.get("id") and net is not None and ch["id"] not in seg_ids:
            close = difflib.get_close_matches(ch["id"], seg_ids, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            rep.add(f"{key}.id", f"unknown segment {ch['id']!r}{hint}", ch["id"])
        if ch.get("corridor") and net is not None and ch["corridor"] not in corridors_known:
            close = difflib.get_close_matches(ch["corridor"], corridors_known, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            rep.add(f"{key}.corridor", f"unknown corridor {ch['corridor']!r}{hint}", ch["corridor"])
        if "status" in ch and ch["status"] not in STATUSES:
            rep.add(f"{key}.status", f"{ch['status']!r} is not one of {', '.join(STATUSES)}", str(ch["status"]))
        if "gauge" in ch and ch["gauge"] not in GAUGES:
            rep.add(f"{key}.gauge", f"{ch['gauge']!r} is not one of {', '.join(GAUGES)}", str(ch["gauge"]))
        for dkey in ("opened", "expected_opening", "closed"):
            if dkey in ch:
                try:
                    parse_date(str(ch[dkey]))
                except ValueError:
                    rep.add(f"{key}.{dkey}", f"{ch[dkey]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", dkey)
        if "speed_kmh" in ch and (not isinstance(ch["speed_kmh"], int | float) or ch["speed_kmh"] <= 0):
            rep.add(f"{key}.speed_kmh", "must be a positive number", "speed_kmh")
        changes.append(dict(ch))

    stations = []
    for i, ch in enumerate(raw.get("station", [])):
        key = f"station[{i}]"
        bad = [m for m in ch.get("gauge_change", []) if m not in GAUGE_CHANGE_METHODS]
        if bad:
            rep.add(f"{key}.gauge_change", f"{bad} not allowed; use {', '.join(GAUGE_CHANGE_METHODS)}", "gauge_change")
        if net is not None:
            try:
                ch = {**ch, "id": find_station(net, str(ch.get("id", "")))}
            except StationNotFoundError as exc:
                rep.add(f"{key}.id", str(exc), str(ch.get("id", "")))
        stations.append(dict(ch))

    borders = []
    for pair in raw.get("closed_borders", []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(c, str) and len(c) == 3 for c in pair)):
            rep.add("closed_borders", f'{pair!r} is not a pair of ISO3 codes like ["AFG", "IRN"]', "closed_borders")
        else:
            borders.append((pair[0].upper(), pair[1].upper()))
    countries = []
    for c in raw.get("closed_countries", []):
        if not (isinstance(c, str) and len(c) == 3):
            rep.add("closed_countries", f"{c!r} is not an ISO3 code", "closed_countries")
        else:
            countries.append(c.upper())

    new = [dict(s) for s in raw.get("new_segment", [])]
    if raw.get("new_segments_file"):
        gj = (Path(raw["_path"]).parent / str(raw["new_segments_file"])).resolve()
        try:
            doc = json.loads(gj.read_text(encoding="utf-8"))
            for feat in doc["features"]:
                rec = dict(feat["properties"])
                rec["coords"] = feat["geometry"]["coordinates"]
                new.append(rec)
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            rep.add("new_segments_file", f"cannot read {gj} as GeoJSON segments ({exc})", "new_segments_file")

    ods = []
    for i, od in enumerate(raw.get("od", [])):
        key = f"od[{i}]"
        if not od.get("from") or not od.get("to"):
            rep.add(key, "an od pair needs 'from' and 'to'")
            continue
        ends = [str(od["from"]), str(od["to"])]
        via = [str(v) for v in od.get("via", [])]
        if net is not None:
            resolved = []
            for label, name in (("from", ends[0]), ("to", ends[1]), *(("via", v) for v in via)):
                try:
                    resolved.append(find_station(net, name))
                except StationNotFoundError as exc:
                    rep.add(f"{key}.{label}", str(exc), name)
                    resolved.append(name)
            ends, via = resolved[:2], resolved[2:]
        name = str(od.get("name", ""))
        if not name and net is not None:
            names = dict(zip(net.stations["id"], net.stations["name"], strict=True))
            name = f"{names.get(ends[0], ends[0])} → {names.get(ends[1], ends[1])}"
        ods.append(OD(ends[0], ends[1], name, tuple(via), od.get("by")))

    params = raw.get("parameters", {})
    if params:
        try:
            load_parameters(overrides=params)
        except DataError as exc:
            rep.add("parameters", str(exc).split(": ", 1)[-1], "parameters")
    rep.raise_if_any()
    return Scenario(
        name=str(raw["name"]),
        description=str(raw.get("description", "")),
        why=str(raw.get("why", "")),
        as_of=as_of,
        expected=bool(raw.get("expected", False)),
        modes=tuple(modes),
        segment_changes=tuple(changes),
        new_segments=tuple(new),
        station_changes=tuple(stations),
        parameters=dict(params),
        closed_borders=tuple(borders),
        closed_countries=tuple(countries),
        od=tuple(ods),
        files=tuple(raw["_files"]),
    )


def shipped_scenarios() -> dict[str, Path]:
    """The scenario files shipped in ``geodata/scenarios/``, by file stem.

    Examples
    --------
    >>> "afghan_borders_closed" in shipped_scenarios()
    True
    """
    from corridors.data import get_path

    return {p.stem: p for p in sorted(get_path("scenarios").glob("*.toml"))}


# --------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------
def apply_scenario(net: Network, scenario: Scenario) -> Network:
    """Return the full network with the scenario's changes applied (the input is not modified).

    Segment changes set status and dates; closed borders and closed countries close every
    segment between stations of the countries concerned from the scenario date on; new segments
    are added; station changes add gauge-change facilities. Date filtering happens later (see
    :class:`corridors.state.NetworkState`), so the result still holds every segment.

    Raises
    ------
    ScenarioError
        If a change names something the network lacks, or new segments break the schema.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.data import get_path
    >>> net = load_network()
    >>> s = load_scenario(get_path("scenarios/khaf_herat_complete.toml"), net)
    >>> changed = apply_scenario(net, s)
    >>> changed.segments.set_index("id").loc["afg_robat_paryan_herat", "status"]
    'operational'
    >>> net.segments.set_index("id").loc["afg_robat_paryan_herat", "status"]
    'under_construction'
    """
    segs = net.segments.copy()
    stations = net.stations.copy()
    country = dict(zip(stations["id"], stations["country"], strict=True))
    for ch in scenario.segment_changes:
        corridor = ch.get("corridor")
        mask = segs["id"] == ch["id"] if ch.get("id") else segs["corridors"].map(lambda cs, c=corridor: c in cs)
        if not mask.any():
            msg = f"scenario {scenario.name!r}: change {ch} matches no segment"
            raise ScenarioError(msg)
        for key in ("status", "opened", "expected_opening", "closed", "gauge"):
            if key in ch:
                segs.loc[mask, key] = str(ch[key])
        if ch.get("status") == "operational" and "opened" not in ch:
            # Opened without a date: open from its expected opening, or from the scenario date if
            # that comes first (the scenario asserts the segment is open on its date).
            day = scenario.date.isoformat()
            for i in segs.index[mask.to_numpy()]:
                if not segs.at[i, "opened"]:
                    exp = segs.at[i, "expected_opening"]
                    segs.at[i, "opened"] = exp if exp and str(exp) <= day else day
    close_date = scenario.date.isoformat()
    closed_pairs = {frozenset(p) for p in scenario.closed_borders}
    for i, rec in segs.iterrows():
        a, b = country.get(rec["from"]), country.get(rec["to"])
        if a == b:
            continue
        if frozenset((a, b)) in closed_pairs or a in scenario.closed_countries or b in scenario.closed_countries:
            if segs.at[i, "status"] == "operational":
                segs.at[i, "status"] = "closed"
                segs.at[i, "closed"] = close_date
            elif segs.at[i, "status"] != "closed":
                segs.at[i, "status"] = "proposed"
                segs.at[i, "expected_opening"] = None
    for ch in scenario.station_changes:
        mask = stations["id"] == ch["id"]
        if "gauge_change" in ch:
            stations.loc[mask, "gauge_change"] = pd.Series(
                [list(ch["gauge_change"])] * int(mask.sum()), index=stations.index[mask], dtype=object
            )
    if scenario.new_segments:
        rows = []
        for rec in scenario.new_segments:
            rec = dict(rec)
            coords = rec.pop("coords", None)
            if not coords or len(coords) < 2:
                msg = f"scenario {scenario.name!r}: new segment {rec.get('id')!r} needs 'coords' with 2+ points"
                raise ScenarioError(msg)
            rec["geometry"] = LineString(coords)
            rows.append(rec)
        add = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        segs = pd.concat([segs.drop(columns=["length_geodesic_km", "km_by_country"]), add], ignore_index=True)
    base_cols = [f.name for f in SEGMENT_FIELDS if f.name in segs.columns]
    try:
        out = network_from_gdfs(
            stations,
            gpd.GeoDataFrame(segs[[*base_cols, "geometry"]], geometry="geometry", crs="EPSG:4326"),
            source=f"{net.source} + scenario {scenario.name!r}",
        )
    except DataError as exc:
        msg = f"scenario {scenario.name!r} ({scenario.files[-1]}): {exc}"
        raise ScenarioError(msg) from None
    return replace(out, description=f"scenario {scenario.name}")


def scenario_parameters(scenario: Scenario, params_path: str | Path | None = None) -> Parameters:
    """The routing parameters with the scenario's overrides and per-segment speeds merged in."""
    over: dict[str, Any] = merge_overrides({}, scenario.parameters)
    for ch in scenario.segment_changes:
        if "speed_kmh" in ch and ch.get("id"):
            over = merge_overrides(
                over,
                {
                    "speed": {
                        "by_segment": {
                            ch["id"]: {
                                "kmh": float(ch["speed_kmh"]),
                                "assumption": True,
                                "note": f"scenario {scenario.name}",
                            }
                        }
                    }
                },
            )
    return load_parameters(params_path, overrides=over or None)
