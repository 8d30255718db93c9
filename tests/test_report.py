"""Options files and comparison reports: parsing, numbers, escaping, atomic output, a real browser."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest

from conftest import COUNTRIES, segment, station, write_network
from corridors import load_network, route
from corridors.options import OptionsError, evaluate_options, load_options
from corridors.report import build_report, write_report

MARKUP = '<script>alert("x")</script> & <b>Bold</b>'


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    r"""
    a ---- b(BBB) ---- c        two lines from a to c: through BBB, or round by d
     \                /
      d -------------
    """
    path = write_network(
        tmp_path / "n",
        [
            station("a", 0, 0, name=MARKUP),
            station("b", 2.5, 0, "BBB", name="Bee"),
            station("c", 5, 0, "CCC", name="Sea"),
            station("d", 1, -1, name="Dee"),
        ],
        [
            segment("ab", [(0, 0), (2.5, 0)], "a", "b", source="src <i>one</i>"),
            segment("bc", [(2.5, 0), (5, 0)], "b", "c"),
            segment("ad", [(0, 0), (1, -1)], "a", "d"),
            segment(
                "dc", [(1, -1), (3, -1.5), (5, 0)], "d", "c", status="planned", opened=None, expected_opening="2030"
            ),
        ],
    )
    return load_network(path, countries=COUNTRIES)


def options_file(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "opts.toml"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = """
title = "A to C"
description = "two ways"
dates = [2026-01-01, 2031-01-01]
[[option]]
name = "Through Bee"
from = "a"
to = "Sea"
[[option]]
name = "Avoiding Bee"
from = "a"
to = "c"
avoid_stations = ["Bee"]
"""


def test_options_parse_and_evaluate(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    of = load_options(options_file(tmp_path, GOOD), net)
    assert [o.name for o in of.options] == ["Through Bee", "Avoiding Bee"]
    assert of.options[0].destination == "c"
    evs = evaluate_options(net, of.options, of.dates)
    by = {(e.option.name, e.on): e for e in evs}
    assert by[("Avoiding Bee", date(2026, 1, 1))].route is None
    assert [d["segment"] for d in by[("Avoiding Bee", date(2026, 1, 1))].depends_on] == ["dc"]
    assert by[("Avoiding Bee", date(2031, 1, 1))].route is None  # planned, not expected=true
    assert by[("Through Bee", date(2026, 1, 1))].route is not None


def test_every_options_error_reported_before_work(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = options_file(
        tmp_path,
        """
titel = "typo"
by = "fastest"
[[option]]
name = "one"
from = "Bea"
to = "c"
avoid_countries = ["XXX"]
within_group = "WETS"
scenario = "nope"
[[option]]
name = "one"
from = "a"
""",
    )
    with pytest.raises(OptionsError) as info:
        load_options(p, net)
    msg = str(info.value)
    for expected in (
        "key 'titel': unknown key; did you mean 'title'?",
        "key 'by': 'fastest' is not one of",
        "key 'option[0].from': no station named 'Bea'; did you mean Sea (c), Bee (b)?",
        "key 'option[0].avoid_countries': 'XXX' is not a country of the network",
        "key 'option[0].within_group': unknown country group 'WETS'",
        "key 'option[0].scenario': no scenario 'nope'",
        "two options are named 'one'",
        "key 'option[1].from': an option needs 'from' and 'to'",
    ):
        assert expected in msg, expected
    with pytest.raises(OptionsError, match="not found"):
        load_options(tmp_path / "missing.toml", net)
    impossible = options_file(
        tmp_path,
        """
[[option]]
name = "x"
from = "a"
to = "c"
via = ["Bee"]
avoid_countries = ["BBB"]
""",
    )
    with pytest.raises(OptionsError, match=r"key 'option\[0\].via': b is in BBB, which this option avoids"):
        load_options(impossible, net)
    with pytest.raises(OptionsError, match="at least one"):
        load_options(options_file(tmp_path, 'title = "empty"'), net)


def test_report_escapes_markup_and_is_self_contained(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command="corridors compare x")
    out = write_report(rep, net, tmp_path / "rep", dpi=60)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "src &lt;i&gt;one&lt;/i&gt;" in html  # segment sources are data too
    # nothing is loaded from another host: no remote src, stylesheet, import or CSS url()
    assert 'src="http' not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    for name in (
        "report.md",
        "options.csv",
        "routes.geojson",
        "map_all_options.png",
        "map_all_options.svg",
        "options_over_time.png",
        "sources.csv",
        "assumptions.csv",
    ):
        assert (out / name).exists(), name
    back = gpd.read_file(out / "routes.geojson")
    assert set(back["option"]) == {"Through Bee"} and back.crs.to_epsg() == 4326


def test_atomic_output_on_failure_and_existing_folder(net, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import corridors.report as rmod
    from corridors.output import OutputExistsError

    rep = build_report(net, load_options(options_file(tmp_path, GOOD), net), command="x")
    good = write_report(rep, net, tmp_path / "rep", dpi=60)
    before = sorted(p.name for p in good.iterdir())
    with pytest.raises(OutputExistsError, match="--force"):
        write_report(rep, net, good)
    calls = {"n": 0}
    real = rmod.save_figure

    def flaky(*args: object, **kwargs: object) -> Path:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rmod, "save_figure", flaky)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(rep, net, good, force=True, dpi=60)
    assert sorted(p.name for p in good.iterdir()) == before  # the good report is untouched
    calls["n"] = 0
    with pytest.raises(RuntimeError):
        write_report(rep, net, tmp_path / "new", dpi=60)
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary leftovers


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    net = load_network()
    from corridors.data import get_path

    rep = build_report(net, load_options(get_path("options/tajikistan_gulf.toml"), net), command="test")
    return write_report(rep, net, tmp_path_factory.mktemp("r") / "tajik", dpi=80), rep


def test_table_numbers_equal_the_routing_engine(shipped_report) -> None:  # type: ignore[no-untyped-def]
    out, rep = shipped_report
    net = load_network()
    row = rep.table[
        (rep.table["option"] == "Through Uzbekistan and Turkmenistan") & (rep.table["date"] == "2026-11-28")
    ]
    r = route(net, "Dushanbe", "Bandar Abbas", by="time", as_of=date(2026, 11, 28), avoid_countries=["AFG"])
    assert row["km"].iloc[0] == round(r.km, 0)
    assert row["hours"].iloc[0] == round(r.hours, 1)
    assert row["border_crossings"].iloc[0] == len(r.borders)
    assert row["gauge_changes"].iloc[0] == len(r.gauge_changes)
    meta = json.loads((out / "report.json").read_text())
    assert meta["verdicts"] and meta["data_version"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_report_renders_in_a_real_browser(shipped_report) -> None:  # type: ignore[no-untyped-def]
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; tests/run.sh installs Debian's chromium when run as root")
        pytest.skip("chromium not installed (tests/run.sh installs it as root)")
    from playwright.sync_api import sync_playwright

    out, _ = shipped_report
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        failed: list[str] = []
        remote: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((out / "report.html").as_uri())
        assert page.locator("table").count() >= 3
        assert page.locator("td.best").count() >= 1
        sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        browser.close()
    assert len(sizes) >= 3 and all(ok and w > 100 for ok, w in sizes)
    assert failed == [] and remote == []
