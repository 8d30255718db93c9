"""Fuzzing the inputs: mutated copies of the shipped files never end in a traceback or touch other files.

Hypothesis mutates one input at a time — the shipped stations or segments, the shipped
parameters, a small scenario or a small options file — by dropping a value, swapping its type
or replacing it with NaN, infinity, a huge or empty value, rich markup or unicode, and runs the
commands that read it: ``validate`` and ``route`` for the network, ``route`` and ``compare``
for the parameters, scenario and options. Every run must end with exit code 0, 1 or 2, print
no traceback, and change nothing outside its output folder.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from corridors.cli import main
from corridors.data import data_dir, get_path

SCENARIO = """
name = "fuzz"
as_of = 2030-01-01
closed_borders = [["AFG", "IRN"]]
closed_countries = ["PAK"]

[[segment]]
id = "irn_mashhad_sarakhs"
status = "operational"
speed_kmh = 60.0

[[station]]
id = "Sarakhs"
gauge_change = ["transloading"]

[[new_segment]]
id = "fuzz_new"
from = "irn_mashhad"
to = "irn_sarakhs"
gauge = "1435"
status = "planned"
source = "fuzz"
coords = [[59.6, 36.3], [61.16, 36.54]]

[parameters]
border.default = { dwell_h = 30.0, fee_usd = 100.0, assumption = true }

[[od]]
from = "Mashhad"
to = "Sarakhs"
"""

OPTIONS = """
title = "fuzz"
by = "time"
dates = [2026-11-28]

[[option]]
name = "Direct"
from = "Mashhad"
to = "Sarakhs"
within = ["IRN"]
scenario = "s.toml"
expected = false
"""

#: Values that have broken parsers before: non-finite, huge, empty, markup, unicode, wrong shapes.
WEIRD = st.one_of(
    st.sampled_from(
        [
            None,
            math.nan,
            math.inf,
            -math.inf,
            1e308,
            -1e308,
            0,
            -1,
            10**30,
            "",
            " ",
            "[/]",
            "[bold]x[/bold] [table]",
            "Ω ✓ 中文 \u202e",
            "x" * 500,
            [],
            {},
            [["AFG"]],
            ["AFG", "IRN", "TKN"],
            True,
            False,
            "false",
            "2027-13",
            "9999-12-31",
            date(9999, 12, 31),
            "nan",
        ]
    ),
    st.text(max_size=12),
    st.floats(),
    st.integers(),
)


def paths(obj: Any, prefix: tuple[Any, ...] = (), depth: int = 5) -> list[tuple[Any, ...]]:
    """Paths to every value inside ``obj`` (at most three items of each list, ``depth`` levels)."""
    out = [prefix]
    if depth == 0:
        return out
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += paths(v, (*prefix, k), depth - 1)
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            out += paths(v, (*prefix, i), depth - 1)
    return out


def swap(value: Any) -> Any:
    """The value in another type."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool | int | float | date):
        return str(value)
    if isinstance(value, list):
        return value[0] if value else {}
    return str(value)


def mutate(doc: Any, path: tuple[Any, ...], op: str, new: Any) -> Any:
    """``doc`` with the value at ``path`` dropped, swapped or replaced (changed in place and returned)."""
    if not path:
        return {} if op == "drop" else new if op == "set" else swap(doc)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "drop":
        del parent[last]
    else:
        parent[last] = new if op == "set" else swap(parent[last])
    return doc


def toml_value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(x for x in map(toml_value, v) if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {x}" for k, val in v.items() if (x := toml_value(val))) + "}"
    return json.dumps(str(v))


def to_toml(doc: Any) -> str:
    """A document as TOML, every table inline (``None`` values left out); a non-table as one bad line."""
    if not isinstance(doc, dict):
        return f"value = {toml_value(doc)}\n"
    return "".join(f"{json.dumps(str(k))} = {x}\n" for k, v in doc.items() if (x := toml_value(v)) is not None)


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for root in roots for p in root.rglob("*") if p.is_file()}


def run(*args: str) -> tuple[int, str]:
    """Run the command line in-process: exit code and everything printed. Any other exception escapes."""
    buf = io.StringIO()
    with redirect_stdout(buf), redirect_stderr(buf):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            return code, buf.getvalue()
    return 0, buf.getvalue()  # pragma: no cover - main always exits


def check(tmp: Path, commands: list[list[str]], out: Path) -> None:
    before = snapshot(tmp, data_dir())
    for args in commands:
        code, text = run(*args)
        assert code in (0, 1, 2), (args, code, text)
        assert "Traceback" not in text, text
    after = snapshot(tmp, data_dir())
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert {p for p in changed if not p.startswith(str(out))} == set()


#: Examples per test: few and always the same ones by default, so the file runs in about 25 s;
#: set CORRIDORS_FUZZ_EXAMPLES for a longer, random search.
EXAMPLES = int(os.environ.get("CORRIDORS_FUZZ_EXAMPLES", "0"))


def fuzz(default: int) -> settings:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=timedelta(seconds=30),
        derandomize=not EXAMPLES,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@fuzz(24)
@given(data=st.data(), which=st.sampled_from(["stations", "segments"]), op=st.sampled_from(["drop", "set", "swap"]))
def test_mutated_network(data: st.DataObject, which: str, op: str) -> None:
    docs = {n: json.loads((data_dir() / f"{n}.geojson").read_text(encoding="utf-8")) for n in ("stations", "segments")}
    feats = docs[which]["features"]
    i = data.draw(st.integers(0, len(feats) - 1), label="feature")
    choices = [("features", i, *p) for p in paths(feats[i])[1:]] + [(), ("features",)]
    path = data.draw(st.sampled_from(choices), label="path")
    docs[which] = mutate(docs[which], path, op, data.draw(WEIRD, label="value") if op == "set" else None)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "net").mkdir()
        for n, doc in docs.items():
            (tmp / "net" / f"{n}.geojson").write_text(json.dumps(doc, default=str), encoding="utf-8")
        out = tmp / "out"
        check(
            tmp,
            [
                ["validate", str(tmp / "net")],
                ["--data", str(tmp / "net"), "route", "Mashhad", "Sarakhs", "--geojson", str(out / "r.geojson")],
            ],
            out,
        )


@fuzz(8)
@given(
    data=st.data(),
    which=st.sampled_from(["parameters", "scenario", "options"]),
    op=st.sampled_from(["drop", "set", "swap", "truncate"]),
)
def test_mutated_files(data: st.DataObject, which: str, op: str) -> None:
    texts = {
        "parameters": get_path("parameters.toml").read_text(encoding="utf-8"),
        "scenario": SCENARIO,
        "options": OPTIONS,
    }
    if op == "truncate":
        texts[which] = texts[which][: data.draw(st.integers(0, len(texts[which])), label="cut")]
    else:
        doc = tomllib.loads(texts[which])
        path = data.draw(st.sampled_from(paths(doc)), label="path")
        texts[which] = to_toml(mutate(doc, path, op, data.draw(WEIRD, label="value") if op == "set" else None))
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for n, file in (("parameters", "p.toml"), ("scenario", "s.toml"), ("options", "o.toml")):
            (tmp / file).write_text(texts[n], encoding="utf-8")
        out = tmp / "out"
        params = ["--params", str(tmp / "p.toml")]
        check(
            tmp,
            [
                [*params, "route", "Mashhad", "Sarakhs", "--json"],
                [*params, "compare", str(tmp / "o.toml"), "--out", str(out), "--dpi", "72"],
            ],
            out,
        )
