"""Bad inputs a new user might give, run through the command line: a clear message, never a traceback.

Each case writes its files into a fresh folder, runs ``corridors`` in-process and checks the exit
code (1 for bad data, 2 for bad usage, 0 where the input is odd but valid), that no traceback
is printed, that the message names the file, key and value, and that no file outside the
case's output path was created, changed or removed (the shipped data included).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from corridors.cli import main
from corridors.data import data_dir, get_path

PARAMS = get_path("parameters.toml").read_text(encoding="utf-8")
SCENARIO = 'name = "test"\nas_of = 2030-01-01\n'
OPTION = '[[option]]\nname = "Direct"\nfrom = "Mashhad"\nto = "Sarakhs"\n'
OPTIONS = f'title = "test"\ndates = [2026-11-28]\n{OPTION}'


@dataclass(frozen=True)
class Case:
    """One bad input: files to write, the command, the exit code and what the message must say.

    ``{tmp}`` in files, arguments and needles stands for the case's folder; ``out`` is the one
    path (relative to it) the command may write.
    """

    files: dict[str, str]
    args: list[str]
    code: int
    needles: list[str]
    out: str = "out"
    network: Callable[[Path], None] | None = field(default=None)


def params(old: str, new: str, *needles: str) -> Case:
    assert old in PARAMS, old
    return Case(
        {"p.toml": PARAMS.replace(old, new, 1)},
        ["--params", "{tmp}/p.toml", "route", "Mashhad", "Sarakhs"],
        1,
        ["{tmp}/p.toml", *needles],
    )


def params_extra(extra: str, *needles: str) -> Case:
    return Case(
        {"p.toml": PARAMS + "\n" + extra + "\n"},
        ["--params", "{tmp}/p.toml", "route", "Mashhad", "Sarakhs"],
        1,
        ["{tmp}/p.toml", *needles],
    )


def scenario(text: str, *needles: str, code: int = 1) -> Case:
    named = ["{tmp}/s.toml"] if code else []  # a message names the file
    return Case({"s.toml": SCENARIO + text}, ["scenario", "check", "{tmp}/s.toml"], code, [*named, *needles])


def options(text: str, *needles: str, code: int = 1) -> Case:
    named = ["{tmp}/o.toml"] if code else []  # a message names the file
    return Case({"o.toml": text}, ["compare", "{tmp}/o.toml", "--out", "{tmp}/out"], code, [*named, *needles])


def route(*args: str, needles: tuple[str, ...] = (), code: int = 2) -> Case:
    return Case({}, ["route", "Mashhad", "Sarakhs", *args], code, list(needles))


def shipped_network(edit: Callable[[dict[str, dict[str, object]]], None]) -> Callable[[Path], None]:
    """A copy of the shipped network in ``{tmp}/net``, changed by ``edit`` (given both documents)."""

    def write(tmp: Path) -> None:
        docs = {
            n: json.loads((data_dir() / f"{n}.geojson").read_text(encoding="utf-8")) for n in ("stations", "segments")
        }
        edit(docs)
        (tmp / "net").mkdir()
        for name, doc in docs.items():
            (tmp / "net" / f"{name}.geojson").write_text(json.dumps(doc), encoding="utf-8")

    return write


def _features(docs: dict[str, dict[str, object]], name: str) -> list[dict[str, dict[str, object]]]:
    feats = docs[name]["features"]
    assert isinstance(feats, list)
    return feats


def _set(name: str, index: int, key: str, value: object) -> Callable[[dict[str, dict[str, object]]], None]:
    def edit(docs: dict[str, dict[str, object]]) -> None:
        _features(docs, name)[index]["properties"][key] = value

    return edit


def _empty(docs: dict[str, dict[str, object]]) -> None:
    docs["stations"]["features"] = []
    docs["segments"]["features"] = []


def _three_d(docs: dict[str, dict[str, object]]) -> None:
    for f in _features(docs, "stations"):
        f["geometry"]["coordinates"] = [*f["geometry"]["coordinates"], 250.0]  # type: ignore[list-item]
    for f in _features(docs, "segments"):
        f["geometry"]["coordinates"] = [[*c, 250.0] for c in f["geometry"]["coordinates"]]  # type: ignore[attr-defined]


def _markup_names(docs: dict[str, dict[str, object]]) -> None:
    for f in _features(docs, "stations"):
        if f["properties"]["id"] == "irn_mashhad":
            f["properties"]["name"] = "[bold]Mashhad[/]"
        if f["properties"]["id"] == "irn_sarakhs":
            f["properties"]["name"] = "Sarakhs [/] [table]"


def _string_coords(docs: dict[str, dict[str, object]]) -> None:
    _features(docs, "stations")[0]["geometry"]["coordinates"] = ["east", "north"]


def _nan_coordinate(docs: dict[str, dict[str, object]]) -> None:
    _features(docs, "stations")[0]["geometry"]["coordinates"] = [float("nan"), 36.0]


def network(edit: Callable[[dict[str, dict[str, object]]], None], args: list[str], code: int, *needles: str) -> Case:
    return Case({}, ["--data", "{tmp}/net", *args], code, list(needles), network=shipped_network(edit))


CASES: dict[str, Case] = {
    # --- parameters file (exit 1) ---------------------------------------------------------------
    "params unknown table": params("[units]", "[unitz]", "key 'unitz'", "did you mean 'units'?"),
    "params zero default speed": params(
        "kmh = 28.6", "kmh = 0", "key 'speed.default.kmh'", "must be greater than 0, got 0"
    ),
    "params nan speed": params("kmh = 28.6", "kmh = nan", "speed.default.kmh", "finite", "nan"),
    "params string speed": params("kmh = 28.6", 'kmh = "fast"', "speed.default.kmh", "string 'fast'"),
    "params negative dwell": params(
        "dwell_h = 40.6", "dwell_h = -1.0", "key 'border.default.dwell_h'", "at least 0", "-1.0"
    ),
    "params huge fee": params("fee_usd = 215.0", "fee_usd = inf", "border.default.fee_usd", "finite", "inf"),
    "params overlap above 1": params(
        "value = 0.8", "value = 1.5", "routing.alternatives_max_overlap.value", "between 0 and 1", "1.5"
    ),
    "params assumption as string": params(
        "value = 0.8\nassumption = true", 'value = 0.8\nassumption = "true"', "assumption", "string 'true'"
    ),
    "params pair out of order": params('[border.pairs."AFG-IRN"]', '[border.pairs."IRN-AFG"]', "IRN-AFG", "AFG-IRN"),
    "params table as scalar": Case(
        {"p.toml": "value_of_time = 30.4\n" + PARAMS.replace("[value_of_time]", "[value_of_time_old]", 1)},
        ["--params", "{tmp}/p.toml", "route", "Mashhad", "Sarakhs"],
        1,
        ["{tmp}/p.toml, line 1, key 'value_of_time'", "must be a table, got number 30.4", "did you mean"],
    ),
    "params group members scalar": params(
        'members = ["AFG", "AZE", "IRN", "KAZ", "KGZ", "PAK", "TJK", "TUR", "TKM", "UZB"]',
        'members = "AFG"',
        "country_groups.ECO.members",
        "string 'AFG'",
    ),
    "params misspelt leaf key": params("kmh = 28.6", "kmhh = 28.6", "speed.default.kmhh", "did you mean 'kmh'?"),
    "params bad length basis": params('value = "documented"', 'value = "docs"', "length_basis.value", "'docs'"),
    "params unsourced number": params_extra(
        "[speed.by_country.XXA]\nkmh = 20.0", "speed.by_country.XXA", "neither a 'source' nor 'assumption = true'"
    ),
    "params not TOML": Case(
        {"p.toml": "speed = ["},
        ["--params", "{tmp}/p.toml", "route", "Mashhad", "Sarakhs"],
        1,
        ["{tmp}/p.toml", "TOML"],
    ),
    "params missing file": Case(
        {}, ["--params", "{tmp}/none.toml", "route", "Mashhad", "Sarakhs"], 1, ["{tmp}/none.toml", "not found"]
    ),
    # --- scenario files (exit 1) -----------------------------------------------------------------
    "scenario expected as string": scenario('expected = "false"\n', "key 'expected'", "string 'false'"),
    "scenario date overflow": Case(
        {"s.toml": 'name = "t"\nas_of = 9999-12-31\n'},
        ["scenario", "check", "{tmp}/s.toml"],
        1,
        ["{tmp}/s.toml", "key 'as_of'", "9999-12-31", "1800 to 2200"],
    ),
    "scenario border not a pair": scenario('closed_borders = [["AFG"]]\n', "key 'closed_borders'", "['AFG']"),
    "scenario border misspelt": scenario(
        'closed_borders = [["TKN", "IRN"]]\n', "key 'closed_borders'", "'TKN'", "did you mean TKM?"
    ),
    "scenario country misspelt": scenario(
        'closed_countries = ["AFX"]\n', "key 'closed_countries'", "'AFX'", "did you mean AFG?"
    ),
    "scenario borders as scalar": scenario('closed_borders = "AFG-IRN"\n', "key 'closed_borders'", "'AFG-IRN'"),
    "scenario string coordinates": scenario(
        '[[new_segment]]\nid = "x"\nfrom = "irn_mashhad"\nto = "irn_sarakhs"\ngauge = "1435"\n'
        'status = "planned"\nsource = "t"\ncoords = [["59.6", "36.3"], [61.2, 36.5]]\n',
        "key 'new_segment[0].coords'",
        "['59.6', '36.3']",
    ),
    "scenario segment as scalar": scenario('segment = "x"\n', "key 'segment'", "array of tables", "string 'x'"),
    "scenario unknown key": scenario("expectd = true\n", "line 3", "key 'expectd'", "did you mean 'expected'?"),
    "scenario negative speed": scenario(
        '[[segment]]\nid = "irn_mashhad_sarakhs"\nspeed_kmh = -5\n', "segment[0].speed_kmh", "-5"
    ),
    "scenario parameters scalar": scenario("parameters = 3\n", "key 'parameters'", "must be a table, got number 3"),
    "scenario bad parameter override": scenario(
        "[parameters]\nspeed.default.kmh = 0\n", "key 'parameters.speed.default.kmh'", "greater than 0"
    ),
    "scenario od criterion": scenario(
        '[[od]]\nfrom = "Mashhad"\nto = "Sarakhs"\nby = "fast"\n', "key 'od[0].by'", "'fast'", "distance, time"
    ),
    "scenario gauge change as string": scenario(
        '[[station]]\nid = "Herat"\ngauge_change = "transloading"\n', "station[0].gauge_change", "'transloading'"
    ),
    "scenario bad date string": scenario(
        '[[segment]]\nid = "irn_mashhad_sarakhs"\nopened = "2027-13"\n', "segment[0].opened", "'2027-13'"
    ),
    "scenario unknown id shipped": Case({}, ["scenario", "check", "five_nation_bilt"], 2, ["five_nation_built"]),
    # --- options files (exit 1) ------------------------------------------------------------------
    "options expected as string": options(OPTIONS + 'expected = "false"\n', "option[0].expected", "string 'false'"),
    "options option scalar": options('title = "t"\noption = "x"\n', "key 'option'", "array of tables", "'x'"),
    "options country misspelt": options(
        OPTIONS + 'avoid_countries = ["TKN"]\n', "option[0].avoid_countries", "'TKN'", "did you mean TKM?"
    ),
    "options within misspelt": options(OPTIONS + 'within = ["IRN", "AFX"]\n', "option[0].within", "'AFX'", "AFG"),
    "options same map name": options(
        OPTIONS + OPTION.replace("Direct", "direct!"), "option[1].name", "'direct!'", "'Direct'", "map_direct"
    ),
    "options date overflow": options(
        OPTIONS.replace("[2026-11-28]", "[9999-12-31]"), "key 'dates'", "9999-12-31", "1800 to 2200"
    ),
    "options border not a pair": options(OPTIONS + 'closed_borders = [["AFG"]]\n', "option[0].closed_borders", "AFG"),
    "options unknown criterion": options('by = "fastest"\n' + OPTIONS, "key 'by'", "'fastest'"),
    "options unknown group": options(OPTIONS + 'avoid_groups = ["ECOO"]\n', "option[0].avoid_groups", "'ECOO'", "ECO"),
    "options unknown key": options("titel = 'x'\n" + OPTIONS, "key 'titel'", "did you mean 'title'?"),
    "options via as string": options(OPTIONS + 'via = "Mashhad"\n', "option[0].via", "string 'Mashhad'"),
    # --- the command line (exit 2) ---------------------------------------------------------------
    "cli avoid country misspelt": route("--avoid-country", "TKN", needles=("'TKN'", "did you mean TKM?")),
    "cli within misspelt": route("--within", "IRN,IRX", needles=("'IRX'", "did you mean IRN?")),
    "cli closed border misspelt": route("--closed-border", "IRN-TKN", needles=("'TKN'", "TKM")),
    "cli closed border same": route("--closed-border", "IRN-IRN", needles=("two different countries",)),
    "cli avoid group misspelt": route("--avoid-group", "ECOO", needles=("'ECOO'", "ECO")),
    "cli within group unknown": route("--within-group", "NATO", needles=("'NATO'",)),
    "cli avoid segment unknown": route("--avoid-segment", "nope_nope", needles=("'nope_nope'",)),
    "cli date overflow": route("--as-of", "9999-12-31", needles=("9999-12-31", "1800 to 2200")),
    "cli extent nan": Case({}, ["map", "--extent", "nan,30,70,40", "--out", "{tmp}/out.png"], 2, ["--extent", "nan"]),
    "cli growth year overflow": Case(
        {}, ["map", "--growth", "2000:10000:4000", "--out", "{tmp}/out.png"], 2, ["--growth", "year 10000", "1800"]
    ),
    "cli growth year zero": Case({}, ["map", "--growth", "0:5", "--out", "{tmp}/out.png"], 2, ["--growth", "year 0"]),
    "cli od country misspelt": Case({}, ["od", "--from-country", "TKN"], 2, ["--from-country", "'TKN'", "TKM"]),
    "cli same station twice": Case({}, ["route", "Mashhad", "mashhad"], 2, ["same station", "irn_mashhad"]),
    "cli unknown station": route("--via", "Heratt", needles=("Heratt", "Herat")),
    # --- network files (exit 1) ------------------------------------------------------------------
    "network empty": network(_empty, ["route", "a", "b"], 1, "has no stations", "has no segments"),
    "network infinite length": network(
        _set("segments", 0, "length_km", float("inf")), ["validate", "{tmp}/net"], 1, "'length_km'", "inf"
    ),
    "network nan length": network(
        _set("segments", 0, "length_km", float("nan")), ["validate", "{tmp}/net"], 1, "'length_km'", "NaN"
    ),
    "network string coordinates": network(
        _string_coords, ["validate", "{tmp}/net"], 1, "stations.geojson", "afg_andkhoy", "'geometry': cannot be read"
    ),
    "network nan coordinate": network(
        _nan_coordinate, ["validate", "{tmp}/net"], 1, "stations.geojson", "afg_andkhoy", "'geometry'"
    ),
    "network date overflow": network(
        _set("segments", 0, "opened", "9999"), ["validate", "{tmp}/net"], 1, "'opened'", "9999", "1800 to 2200"
    ),
    # --- odd but valid: no traceback, the right answer (exit 0) ----------------------------------
    "network 3-D coordinates": network(_three_d, ["route", "Mashhad", "Sarakhs"], 0, "total: 165 km"),
    "names with markup": network(
        _markup_names, ["route", "irn_mashhad", "irn_sarakhs"], 0, "[bold]Mashhad[/]", "Sarakhs [/] [table]"
    ),
    "option name with markup": options(
        OPTIONS.replace('"Direct"', '"[/] Direct [table]"'), "[/] Direct [table]", "report:", code=0
    ),
    "scenario name with markup": Case(
        {"s.toml": 'name = "[/] odd [table]"\nas_of = 2030-01-01\n[[od]]\nfrom = "Mashhad"\nto = "Sarakhs"\n'},
        ["scenario", "run", "{tmp}/s.toml", "--out", "{tmp}/out"],
        0,
        ["[/] odd [table]", "Mashhad → Sarakhs: 165 km"],
    ),
    "route geojson into a missing folder": Case(
        {}, ["route", "Mashhad", "Sarakhs", "--geojson", "{tmp}/out/deep/r.geojson"], 0, ["total:"]
    ),
}


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``roots`` with its modification time and size."""
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for root in roots for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a stray default output would land here, and be caught
    for name, text in case.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    if case.network is not None:
        case.network(tmp_path)
    before = snapshot(tmp_path, data_dir())
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    text = out + err
    assert int(info.value.code or 0) == case.code, text
    assert "Traceback" not in text
    for needle in case.needles:
        assert needle.replace("{tmp}", str(tmp_path)) in text, (needle, text)
    after = snapshot(tmp_path, data_dir())
    allowed = str(tmp_path / case.out)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert {p for p in changed if not p.startswith(allowed)} == set()


def test_the_table_covers_every_class() -> None:
    codes = [c.code for c in CASES.values()]
    assert len(CASES) >= 40
    assert codes.count(1) >= 20 and codes.count(2) >= 10 and codes.count(0) >= 3
