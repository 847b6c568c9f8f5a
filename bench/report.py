"""The benchmark's arithmetic and output: percentiles, the targets, the table, the machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating between the two nearest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "min": min(samples),
        "max": max(samples),
        "samples": samples,
    }


@dataclass(frozen=True)
class Target:
    label: str
    path: str  # where the value is in the results' "metrics", dot-separated
    limit: float
    unit: str

    def value(self, metrics: dict) -> float | None:
        node = metrics
        for key in self.path.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node


# Issue 8's targets for a 2-core, 24 GiB machine; every one is an upper bound.
TARGETS = (
    Target("spawn p50 (API start -> server answers)", "spawn.p50", 2.0, "s"),
    Target("spawn p95", "spawn.p95", 3.0, "s"),
    Target("20 users at once: all ready", "burst.all_ready_s", 20.0, "s"),
    Target("20 users at once: failures", "burst.failures", 0, ""),
    Target("idle user container memory (median)", "memory.idle_container_mb.p50", 120, "MB"),
    Target("proxy / direct latency ratio, p50", "proxy.ratio_p50", 1.3, ""),
    Target("compose up -> login page", "stack.up_to_login_s", 10.0, "s"),
    Target("single-user image size", "stack.image_mb.singleuser", 1200, "MB"),
    Target("no-change rebuild of all images", "stack.rebuild_s", 15.0, "s"),
)


def evaluate(metrics: dict) -> list[dict]:
    rows = []
    for t in TARGETS:
        value = t.value(metrics)
        rows.append(
            {
                "metric": t.label,
                "value": value,
                "target": t.limit,
                "unit": t.unit,
                "met": None if value is None else value <= t.limit,
            }
        )
    return rows


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    if unit == "MB":
        text = f"{value:.0f}" if value >= 1000 else f"{value:.1f}"
    elif unit == "" and float(value).is_integer():
        text = f"{value:.0f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def targets_table(rows: list[dict]) -> str:
    """A Markdown table, so a real run's output can go into README as it is."""
    lines = ["| metric | result | target | met |", "|---|---|---|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        lines.append(f"| {r['metric']} | {fmt(r['value'], r['unit'])} | ≤ {fmt(r['target'], r['unit'])} | {met} |")
    return "\n".join(lines)


# Measurements without a target: context for the targets' table.
DETAILS = (
    ("login -> JupyterLab loaded in Chromium (includes the spawn)", "browser.login_to_lab_s", "s"),
    ("20 users at once: median user ready", "burst.p50_s", "s"),
    ("idle user container memory (max)", "memory.idle_container_mb.max", "MB"),
    ("hub memory with 20 users running", "memory.hub_mb_20_users", "MB"),
    ("proxy memory with 20 users running", "memory.proxy_mb_20_users", "MB"),
    ("small request through the TLS proxy, p50", "proxy.via_proxy_ms.p50", "ms"),
    ("small request through the TLS proxy, p95", "proxy.via_proxy_ms.p95", "ms"),
    ("same request straight to the container, p50", "proxy.direct_ms.p50", "ms"),
    ("same request straight to the container, p95", "proxy.direct_ms.p95", "ms"),
    ("proxy / direct latency ratio, p95", "proxy.ratio_p95", ""),
    ("same request through the published port on 127.0.0.1, p50", "proxy.via_published_port_ms.p50", "ms"),
    ("published port / direct latency ratio, p50", "proxy.published_port_ratio_p50", ""),
    ("reference: HAProxy (TLS) in the proxy's place / direct, p50", "proxy.reference_haproxy_ratio_p50", ""),
    ("requests/s through the proxy, concurrency 10", "proxy.rps_via_proxy", ""),
    ("requests/s straight to the container, concurrency 10", "proxy.rps_direct", ""),
    ("cold build of all images (no cache, downloads included)", "stack.cold_build_s", "s"),
)


def details_table(metrics: dict) -> str:
    rows = []
    spawn = metrics.get("spawn")
    if spawn:
        rows.append(("spawn min / max", f"{spawn['min']:.2f} / {spawn['max']:.2f} s"))
    for label, path, unit in DETAILS:
        value = Target(label, path, 0, unit).value(metrics)
        if value is not None:
            rows.append((label, fmt(value, unit)))
    for name, size in sorted(metrics.get("stack", {}).get("image_mb", {}).items()):
        rows.append((f"image size: {name}", fmt(size, "MB")))
    return "\n".join(["| measurement | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


def _run(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(root: Path) -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        mem_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
    dirty = _run("git", "-C", str(root), "status", "--porcelain") not in ("", "unknown")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "os": platform.platform(),
        "docker": _run("docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"),
        "compose": _run("docker", "compose", "version", "--short"),
        "commit": _run("git", "-C", str(root), "rev-parse", "--short", "HEAD") + ("+changes" if dirty else ""),
    }


def compare(before: dict, after: dict) -> str:
    """Two runs' results side by side, target by target then the rest."""
    lines = ["| metric | before | after | target |", "|---|---|---|---|"]
    for t in TARGETS:
        old, new = t.value(before["metrics"]), t.value(after["metrics"])
        lines.append(f"| {t.label} | {fmt(old, t.unit)} | {fmt(new, t.unit)} | ≤ {fmt(t.limit, t.unit)} |")
    for label, path, unit in DETAILS:
        probe = Target(label, path, 0, unit)
        old, new = probe.value(before["metrics"]), probe.value(after["metrics"])
        if old is not None or new is not None:
            lines.append(f"| {label} | {fmt(old, unit)} | {fmt(new, unit)} | |")
    return "\n".join(lines)


if __name__ == "__main__":
    # python bench/report.py BEFORE.json AFTER.json: compare two runs of bench/run.
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/report.py BEFORE.json AFTER.json")
    runs = [json.loads(Path(arg).read_text()) for arg in sys.argv[1:]]
    print(compare(*runs))
