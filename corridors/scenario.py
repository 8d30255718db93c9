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
import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import LineString

from corridors._errors import DataError, ScenarioError, StationNotFoundError
from corridors._validate import (
    Key,
    TomlChecker,
    check_records,
    check_references,
    country_problem,
    network_countries,
    show,
)
from corridors.network import Network, find_station, network_from_gdfs
from corridors.params import Parameters, load_parameters, merge_overrides, parameter_problems
from corridors.pricing import CRITERIA
from corridors.schema import GAUGE_CHANGE_METHODS, GAUGES, MODES, SEGMENT_FIELDS, STATUSES

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
def _read_text(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: scenario file not found"
        raise ScenarioError(msg) from None
    except IsADirectoryError:
        msg = f"{path}: is a folder, not a scenario file"
        raise ScenarioError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text ({exc.reason})"
        raise ScenarioError(msg) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc})"
        raise ScenarioError(msg) from None
    return text, raw


def _chain(path: Path) -> tuple[list[tuple[TomlChecker, dict[str, Any]]], list[str]]:
    """The scenario and the scenarios it extends, the eldest first, each with its checker."""
    files: list[tuple[TomlChecker, dict[str, Any]]] = []
    seen: list[Path] = []
    problems: list[str] = []
    while True:
        if path in seen:
            chain = " -> ".join(str(p) for p in (*seen, path))
            msg = f"{path}: scenarios extend each other in a loop ({chain})"
            raise ScenarioError(msg)
        seen.append(path)
        text, raw = _read_text(path)
        c = TomlChecker(path, text)
        files.insert(0, (c, raw))
        parent = raw.get("extends")
        if parent is None:
            return files, problems
        if c.string(parent, ("extends",), nonempty=True) is None:
            return files, problems
        nxt = (path.parent / parent).resolve()
        if not nxt.is_file():
            c.add(("extends",), f"no scenario file {str(nxt)!r} to extend")
            return files, problems
        path = nxt


def _coords(c: TomlChecker, value: Any, key: Key) -> list[tuple[float, float]] | None:
    """Longitude/latitude pairs (a third value, a height, is dropped), or None (reported)."""
    if not isinstance(value, list) or len(value) < 2:
        c.add(key, f"must be an array of 2 or more [longitude, latitude] points, got {show(value)}")
        return None
    out = []
    for j, pt in enumerate(value):
        ok = (
            isinstance(pt, list)
            and len(pt) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pt)
        )
        if not ok:
            c.add(key, f"point {j} must be [longitude, latitude] in finite degrees, got {show(pt)}")
            return None
        x, y = float(pt[0]), float(pt[1])
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            c.add(key, f"point {j} {[x, y]} is outside longitude -180..180 / latitude -90..90")
            return None
        out.append((x, y))
    return out


def _new_segments(
    c: TomlChecker, items: list[tuple[Key, dict[str, Any]]], stations: set[str] | None
) -> list[dict[str, Any]]:
    """Check new segments (properties plus ``coords``) against the data schema."""
    recs: list[dict[str, Any]] = []
    keys: list[Key] = []
    for key, item in items:
        c.unknown(item, _NEW_SEGMENT_KEYS, key)
        rec = {k: v for k, v in item.items() if k in _NEW_SEGMENT_KEYS}
        coords = _coords(c, item.get("coords"), (*key, "coords"))
        rec["coords"] = coords
        rec["geometry"] = LineString(coords) if coords is not None else None
        recs.append(rec)
        keys.append(key)
    checked = [{k: v for k, v in r.items() if k != "coords"} for r in recs]
    for rec in checked:
        if rec["geometry"] is None:
            rec["_geometry_error"] = "reported above"
    by_id = {
        rec.get("id") if isinstance(rec.get("id"), str) and rec.get("id") else f"#{i}": k
        for i, (rec, k) in enumerate(zip(checked, keys, strict=True))
    }
    problems = check_records(checked, SEGMENT_FIELDS, file=c.path, kind="segment", geom_type="LineString")
    if stations is not None:
        problems += check_references(stations, checked, file=c.path)
    for p in problems:
        if p.severity == "error" and not (p.field == "geometry" and "reported above" in p.message):
            key = by_id.get(p.feature, ())
            c.add((*key, p.field) if p.field else key, p.message)
    return [{k: v for k, v in r.items() if k != "geometry"} for r in recs]


def _segments_file(c: TomlChecker, name: str) -> list[tuple[Key, dict[str, Any]]]:
    """The features of a GeoJSON file of new segments as scenario items (properties plus ``coords``)."""
    path = (Path(c.path).parent / name).resolve()
    key: Key = ("new_segments_file",)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        c.add(key, f"cannot read {path} as GeoJSON ({exc})")
        return []
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        c.add(key, f"{path} is not a GeoJSON FeatureCollection (needs a 'features' list)")
        return []
    out: list[tuple[Key, dict[str, Any]]] = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") if isinstance(feat, dict) else None
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(props, dict) or not isinstance(geom, dict) or geom.get("type") != "LineString":
            c.add(key, f"{path}, feature #{i}: needs 'properties' and a LineString 'geometry'")
            continue
        out.append(((*key, f"feature #{i}"), {**props, "coords": geom.get("coordinates")}))
    return out


def _check_file(c: TomlChecker, raw: dict[str, Any], net: Network | None, known: set[str]) -> dict[str, Any]:
    """Check one scenario file; return its values, well typed, for merging with its parents."""
    out: dict[str, Any] = {"_file": c.path}
    c.unknown(raw, _TOP_KEYS)
    if "name" not in raw or not isinstance(raw["name"], str) or not raw["name"].strip():
        c.add(("name",), f"every scenario needs a name (a string), got {show(raw.get('name'))}")
    else:
        out["name"] = raw["name"]
    for text_key in ("description", "why"):
        if text_key in raw and c.string(raw[text_key], (text_key,)) is not None:
            out[text_key] = raw[text_key]
    if "sources" in raw and not isinstance(raw["sources"], str):
        c.strings(raw["sources"], ("sources",))
    if "as_of" in raw:
        out["as_of"] = c.date(raw["as_of"], ("as_of",))
    if "expected" in raw:
        out["expected"] = c.boolean(raw["expected"], ("expected",))
    if "modes" in raw:
        modes = c.strings(raw["modes"], ("modes",))
        bad = [m for m in modes or [] if m not in MODES]
        if bad or modes == []:
            c.add(("modes",), f"must name modes from {', '.join(MODES)}, got {raw['modes']!r}")
        elif modes:
            out["modes"] = tuple(modes)

    seg_ids = set(net.segments["id"]) if net is not None else set()
    corridors_known = {x for cs in net.segments["corridors"] for x in cs} if net is not None else set()
    out["segment"] = []
    for i, ch in c.tables(raw.get("segment", []), ("segment",)):
        key: Key = ("segment", i)
        c.unknown(ch, _SEGMENT_KEYS, key)
        sid, corridor = ch.get("id"), ch.get("corridor")
        if (sid is None) == (corridor is None):
            c.add(key, "give exactly one of 'id' or 'corridor'")
            continue
        if sid is not None and c.string(sid, (*key, "id"), nonempty=True) and net is not None and sid not in seg_ids:
            close = difflib.get_close_matches(sid, seg_ids, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            c.add((*key, "id"), f"unknown segment {sid!r}{hint}")
        known_corridor = net is None or corridor in corridors_known
        if corridor is not None and c.string(corridor, (*key, "corridor"), nonempty=True) and not known_corridor:
            close = difflib.get_close_matches(corridor, corridors_known, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            c.add((*key, "corridor"), f"unknown corridor {corridor!r}{hint}")
        if "status" in ch:
            c.string(ch["status"], (*key, "status"), choices=STATUSES)
        if "gauge" in ch:
            c.string(ch["gauge"], (*key, "gauge"), choices=GAUGES)
        change = dict(ch)
        for dkey in ("opened", "expected_opening", "closed"):
            if dkey in ch:
                day = c.date(ch[dkey], (*key, dkey))
                change[dkey] = ch[dkey] if isinstance(ch[dkey], str) else (day.isoformat() if day else None)
        if "speed_kmh" in ch:
            c.number(ch["speed_kmh"], (*key, "speed_kmh"), positive=True)
            if corridor is not None:
                c.add((*key, "speed_kmh"), "a speed applies to one segment: give it with 'id', not 'corridor'")
        if "note" in ch:
            c.string(ch["note"], (*key, "note"))
        out["segment"].append(change)

    out["station"] = []
    for i, ch in c.tables(raw.get("station", []), ("station",)):
        key = ("station", i)
        c.unknown(ch, _STATION_KEYS, key)
        change = dict(ch)
        if "gauge_change" in ch and (methods := c.strings(ch["gauge_change"], (*key, "gauge_change"))) is not None:
            bad = [m for m in methods if m not in GAUGE_CHANGE_METHODS]
            if bad:
                c.add((*key, "gauge_change"), f"{bad} not allowed; use {', '.join(GAUGE_CHANGE_METHODS)}")
        for skey in ("assumption", "note"):
            if skey in ch:
                c.string(ch[skey], (*key, skey))
        if c.string(ch.get("id"), (*key, "id"), nonempty=True) is not None and net is not None:
            try:
                change["id"] = find_station(net, ch["id"])
            except StationNotFoundError as exc:
                c.add((*key, "id"), str(exc))
        out["station"].append(change)

    out["closed_borders"] = []
    borders = raw.get("closed_borders", [])
    if not isinstance(borders, list):
        c.add(("closed_borders",), f'must be an array of pairs like [["AFG", "IRN"]], got {show(borders)}')
        borders = []
    for pair in borders:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            c.add(("closed_borders",), f'{pair!r} is not a pair of ISO3 codes like ["AFG", "IRN"]')
            continue
        if pair[0].upper() == pair[1].upper():
            c.add(("closed_borders",), f"{pair!r} names the same country twice")
            continue
        msgs = [m for x in pair if (m := country_problem(x, known)) is not None] if net is not None else []
        for m in msgs:
            c.add(("closed_borders",), m)
        if not msgs:
            out["closed_borders"].append((pair[0].upper(), pair[1].upper()))
    out["closed_countries"] = []
    for x in c.strings(raw.get("closed_countries", []), ("closed_countries",)) or []:
        msg = country_problem(x, known) if net is not None else None
        if msg:
            c.add(("closed_countries",), msg)
        else:
            out["closed_countries"].append(x.upper())

    stations = set(net.stations["id"]) if net is not None else None
    items: list[tuple[Key, dict[str, Any]]] = [
        (("new_segment", i), s) for i, s in c.tables(raw.get("new_segment", []), ("new_segment",))
    ]
    if "new_segments_file" in raw and c.string(raw["new_segments_file"], ("new_segments_file",), nonempty=True):
        items += _segments_file(c, raw["new_segments_file"])
    out["new_segment"] = _new_segments(c, items, stations)

    if "od" in raw:
        out["od"] = _ods(c, raw["od"], net)
    if "parameters" in raw and (params := c.table(raw["parameters"], ("parameters",))) is not None:
        base = load_parameters().raw
        parameter_problems(merge_overrides(base, params), c, ("parameters",))
        out["parameters"] = params
    return out


def _ods(c: TomlChecker, value: Any, net: Network | None) -> list[OD]:
    ods = []
    for i, od in c.tables(value, ("od",)):
        key: Key = ("od", i)
        c.unknown(od, _OD_KEYS, key)
        if "from" not in od or "to" not in od:
            c.add(key, "an od pair needs 'from' and 'to'")
            continue
        frm = c.string(od["from"], (*key, "from"), nonempty=True)
        to = c.string(od["to"], (*key, "to"), nonempty=True)
        via = c.strings(od.get("via", []), (*key, "via"))
        name = c.string(od.get("name", ""), (*key, "name"))
        by = c.string(od["by"], (*key, "by"), choices=CRITERIA) if "by" in od else None
        if frm is None or to is None or via is None:
            continue
        ends = [frm, to, *via]
        if net is not None:
            labels = ["from", "to", *["via"] * len(via)]
            resolved = []
            for label, st in zip(labels, ends, strict=True):
                try:
                    resolved.append(find_station(net, st))
                except StationNotFoundError as exc:
                    c.add((*key, label), str(exc))
                    resolved.append(st)
            ends = resolved
            if not name:
                names = dict(zip(net.stations["id"], net.stations["name"], strict=True))
                name = f"{names.get(ends[0], ends[0])} → {names.get(ends[1], ends[1])}"
        ods.append(OD(ends[0], ends[1], name or "", tuple(ends[2:]), by))
    return ods


def load_scenario(path: str | Path, net: Network | None = None) -> Scenario:
    """Load and validate a scenario file (and the scenarios it extends).

    Every file of the chain is checked against the documented format (unknown keys with the
    closest valid name, types, dates within the years 1800 to 2200, numbers finite and in range);
    with a network, station names, segment ids, corridors and country codes are checked against
    it too. Every problem is gathered and reported at once.

    Parameters
    ----------
    path
        The TOML file (see the module docstring for its keys).
    net
        The network it applies to; when given, station names, segment ids, corridors and
        countries are checked against it (close matches suggested).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem with file, line (where it can be found), key and value.

    Examples
    --------
    >>> from corridors.data import get_path
    >>> s = load_scenario(get_path("scenarios/khaf_herat_complete.toml"))
    >>> s.name
    'Khaf–Herat railway complete to Herat'
    """
    files, problems = _chain(Path(path).resolve())
    known = network_countries(net)
    parts = [_check_file(c, raw, net, known) for c, raw in files]
    for c, _ in files:
        problems += c.problems
    if problems:
        msg = f"{len(problems)} problem(s) in scenario:\n  " + "\n  ".join(problems)
        raise ScenarioError(msg)
    merged: dict[str, Any] = {"parameters": {}, "od": []}
    for part in parts:
        for key, value in part.items():
            if key in ("segment", "new_segment", "station", "closed_borders", "closed_countries"):
                merged[key] = [*merged.get(key, []), *value]
            elif key == "parameters":
                merged[key] = merge_overrides(merged[key], value)
            else:
                merged[key] = value  # a child's value (its own od pairs too) replaces its parent's
    return Scenario(
        name=str(merged["name"]),
        description=str(merged.get("description", "")),
        why=str(merged.get("why", "")),
        as_of=merged.get("as_of"),
        expected=bool(merged.get("expected", False)),
        modes=tuple(merged.get("modes", ("rail",))),
        segment_changes=tuple(merged["segment"]),
        new_segments=tuple(merged["new_segment"]),
        station_changes=tuple(merged["station"]),
        parameters=dict(merged["parameters"]),
        closed_borders=tuple(merged["closed_borders"]),
        closed_countries=tuple(merged["closed_countries"]),
        od=tuple(merged["od"]),
        files=tuple(part["_file"] for part in parts),
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
