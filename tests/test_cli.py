"""The command line: exit codes, readable and JSON output, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import segment, station, write_network
from corridors.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_help_lists_commands_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for cmd in ("validate", "info", "route", "export"):
        assert cmd in out
    assert "Examples:" in out
    code, out, _ = run(capsys, "route", "--help")
    assert code == 0 and "--alternatives" in out and "Examples:" in out


def test_validate_shipped_ok_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "no errors" in out
    code, out, _ = run(capsys, "validate", "--json")
    assert code == 0 and json.loads(out)["errors"] == 0


def test_validate_bad_network_exits_1_naming_the_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_network(
        tmp_path / "bad", [station("a", 0, 0)], [segment("s", [(0, 0), (1, 0)], "a", "b", gauge="1000")]
    )
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert "segment 's', field 'gauge'" in out and "unknown station 'b'" in out
    assert "Traceback" not in out + err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "route", "Mashhad")
    assert code == 2 and "Missing argument" in err
    code, _, err = run(capsys, "route", "Mashhad", "Sarakhs", "--as-of", "yesterday")
    assert code == 2 and "is not a date" in err
    code, _, err = run(capsys, "route", "Mashad", "Herrat")
    assert code == 2 and "did you mean Herat (afg_herat)" in err


def test_route_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "route", "Kashgar", "Bandar Abbas", "--by", "time", "--as-of", "2026-11-28")
    assert code == 0
    assert "total:" in out and "gauge change 1435→1520" in out and "border CHN→KAZ" in out
    gj = tmp_path / "r.geojson"
    code, out, _ = run(
        capsys,
        "route",
        "Dushanbe",
        "Bandar Abbas",
        "--alternatives",
        "2",
        "--json",
        "--as-of",
        "2026-11-28",
        "--geojson",
        str(gj),
    )
    data = json.loads(out)
    assert code == 0 and len(data) == 2 and data[0]["km"] <= data[1]["km"]
    import geopandas as gpd

    assert list(gpd.read_file(gj)["rank"]) == [1, 2]


def test_no_route_exits_1_with_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "route", "Mashhad", "Herat", "--as-of", "2026-11-28")
    assert code == 1 and "not in Mashhad's connected part" in err and "Traceback" not in err


def test_info_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "info")
    assert code == 0 and "km by country and status" in out and "IRN" in out
    code, out, _ = run(capsys, "info", "--json")
    assert code == 0 and json.loads(out)["km_by_corridor"]["khaf_herat"]["total"] > 0
    for name in ("n.gpkg", "n.graphml", "gj"):
        code, _, _ = run(capsys, "export", str(tmp_path / name))
        assert code == 0 and (tmp_path / name).exists()
    code, out, _ = run(capsys, "--data", str(tmp_path / "n.gpkg"), "validate")
    assert code == 0


def test_compare_errors_before_any_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "compare", "tajikistan_gulff", "--out", str(tmp_path / "r"))
    assert code == 2 and "did you mean tajikistan_gulf" in err
    (tmp_path / "exists").mkdir()
    code, _, err = run(capsys, "compare", "tajikistan_gulf", "--out", str(tmp_path / "exists"))
    assert code == 2 and "--force" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[option]]\nname = "x"\nfrom = "Dushanbe"\nto = "Bandar Abas"\n', encoding="utf-8")
    code, _, err = run(capsys, "compare", str(bad), "--out", str(tmp_path / "r2"))
    assert code == 1 and "did you mean Bandar Abbas" in err  # a bad input file is a problem found
    assert not (tmp_path / "r2").exists()
