"""The benchmark's arithmetic and its verdicts (bench/report.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from report import TARGETS, compare, details_table, evaluate, fmt, percentile, summary, targets_table  # noqa: E402


def test_percentiles_interpolate_between_ranks():
    samples = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]  # order does not matter
    assert percentile(samples, 50) == pytest.approx(5.5)
    assert percentile(samples, 95) == pytest.approx(9.55)
    assert percentile(samples, 0) == 1 and percentile(samples, 100) == 10
    assert percentile([4.2], 95) == 4.2
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summary_keeps_the_samples():
    s = summary([3.0, 1.0, 2.0])
    assert (s["n"], s["p50"], s["min"], s["max"]) == (3, 2.0, 1.0, 3.0)
    assert s["samples"] == [3.0, 1.0, 2.0]


def full_metrics(**overrides):
    m = {
        "spawn": {"p50": 1.5, "p95": 1.9, "min": 1.2, "max": 2.0},
        "burst": {"all_ready_s": 18.0, "failures": 0, "p50_s": 15.0},
        "memory": {"idle_container_mb": {"p50": 95.0, "max": 96.0}, "hub_mb_20_users": 120.0},
        "proxy": {"ratio_p50": 1.2},
        "stack": {"up_to_login_s": 5.0, "rebuild_s": 0.4, "image_mb": {"singleuser": 1150.0, "hub": 460.0}},
    }
    for path, value in overrides.items():
        node = m
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return m


def test_every_target_is_met_by_good_numbers():
    rows = evaluate(full_metrics())
    assert len(rows) == len(TARGETS) == 9
    assert all(r["met"] is True for r in rows), rows


@pytest.mark.parametrize(
    ("path", "value", "label"),
    [
        ("spawn__p95", 3.01, "spawn p95"),
        ("burst__failures", 1, "20 users at once: failures"),
        ("proxy__ratio_p50", 1.31, "proxy / direct latency ratio, p50"),
        ("stack__image_mb__singleuser", 1201.0, "single-user image size"),
    ],
)
def test_a_number_over_its_target_is_not_met(path, value, label):
    rows = {r["metric"]: r for r in evaluate(full_metrics(**{path: value}))}
    assert rows[label]["met"] is False
    assert sum(r["met"] is False for r in rows.values()) == 1


def test_a_missing_measurement_is_neither_met_nor_failed():
    m = full_metrics()
    del m["burst"]
    rows = {r["metric"]: r for r in evaluate(m)}
    assert rows["20 users at once: all ready"]["met"] is None
    assert "not measured" in targets_table(list(rows.values()))


def test_tables_are_markdown_with_the_verdicts():
    table = targets_table(evaluate(full_metrics(spawn__p50=2.5)))
    lines = table.splitlines()
    assert lines[0] == "| metric | result | target | met |"
    assert "| spawn p50 (API start -> server answers) | 2.50 s | ≤ 2.00 s | **no** |" in lines
    assert "| single-user image size | 1150 MB | ≤ 1200 MB | yes |" in lines
    details = details_table(full_metrics())
    assert "| spawn min / max | 1.20 / 2.00 s |" in details
    assert "| image size: hub | 460.0 MB |" in details


def test_formatting():
    assert fmt(0, "") == "0"
    assert fmt(1.234, "s") == "1.23 s"
    assert fmt(95.04, "MB") == "95.0 MB"
    assert fmt(None, "s") == "not measured"


def test_compare_puts_two_runs_side_by_side():
    before = {"metrics": full_metrics(spawn__p50=3.9)}
    after = {"metrics": full_metrics()}
    del before["metrics"]["burst"]
    lines = compare(before, after).splitlines()
    assert "| spawn p50 (API start -> server answers) | 3.90 s | 1.50 s | ≤ 2.00 s |" in lines
    assert "| 20 users at once: all ready | not measured | 18.00 s | ≤ 20.00 s |" in lines
