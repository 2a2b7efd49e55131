"""`network` and `health` on a big vault, each beside a baseline measured in the same run.

    python -m benchmarks.network_health                     # 10,000 notes, 1,000 people
    python -m benchmarks.network_health --notes 2k --people 200 --repeats 3

Issue 17's target: at most 1 s for `network` and `health` over 1,000 people and 10,000
notes. The vault is benchmarks/generate.py's (``people=`` sets the number of people),
with what the two commands read added to every person note by a fixed seed: influence
and interest, an introduced_by: link for one in five, a ✅ date on done tasks that have a
due date, and a ← or → marker on a third of the Log entries.

Rows (medians of wall time, with the CPU time beside it: the machine may be shared, and
load inflates wall time far more than CPU time; the ratio is the row ÷ its baseline):

- ``load catalog``: ``load_catalog`` after a no-op sync, the floor every whole-vault
  command (agenda, people, check) pays: the baseline of the two rows below;
- ``network (library)``: ``network_report`` for the whole vault, the catalog included;
- ``health (library)``: ``health_report`` for everyone, the catalog included;
- ``network --path``, ``network NAME``: the other two ways in;
- ``network``/``health``/``people`` ``(process)``: the whole command as a user runs it,
  beside ``vaultcrm people`` (the same catalog, listed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import TODAY, generate_vault, parse_size  # noqa: E402
from benchmarks.run import children, median, vaultcrm  # noqa: E402

BENCH = Path(__file__).resolve().parent
MARKER = ".vaultcrm/network-health.json"
VERSION = 1  # bump when the vault written here changes
LEVELS = ("high", "medium", "low")
_DONE_WITH_DUE = re.compile(r"^(- \[x\] .*📅 (\d{4}-\d{2}-\d{2}).*)$", re.MULTILINE)
_LOG_LINE = re.compile(r"^(- \d{4}-\d{2}-\d{2}: )", re.MULTILINE)


def add_issue17_keys(root: Path, seed: int) -> None:
    """Give every person note what network and health read, deterministically."""
    rng = random.Random(seed + 17)
    people = sorted((root / "people").glob("*.md"))
    names = [p.stem for p in people]
    for path in people:
        text = path.read_text(encoding="utf-8")
        extra = f"influence: {rng.choice(LEVELS)}\ninterest: {rng.choice(LEVELS)}\n"
        if rng.random() < 0.2:
            extra += f'introduced_by: "[[{rng.choice(names)}]]"\n'
        text = text.replace("\ncadence: ", f"\n{extra}cadence: ", 1)

        def done_on(m: re.Match) -> str:
            due = dt.date.fromisoformat(m[2])
            return f"{m[1]} ✅ {due + dt.timedelta(days=rng.randint(-5, 5))}"

        text = _DONE_WITH_DUE.sub(done_on, text)
        text = _LOG_LINE.sub(
            lambda m: m[1] + (rng.choice(("← ", "→ ")) if rng.random() < 0.33 else ""), text
        )
        path.write_text(text, encoding="utf-8")


def ensure(root: Path, notes: int, people: int, seed: int) -> dict:
    """The vault, made once per size, people and seed, and reused."""
    marker = root / MARKER
    wanted = {"version": VERSION, "notes": notes, "people": people, "seed": seed}
    try:
        if json.loads(marker.read_text(encoding="utf-8")) == wanted:
            return wanted
    except (OSError, ValueError):
        pass
    generate_vault(root, notes, seed, people=people)
    add_issue17_keys(root, seed)
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return wanted


def timed_both(fn, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``runs`` calls after one warm-up: on a shared
    machine the CPU time says what the code costs, the wall time what a user waits."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return median(wall), median(cpu)


def measure(root: Path, repeats: int) -> list[dict]:
    from vaultcrm.engine.reading import reading

    def load_catalog(vault: Vault) -> tuple:
        with reading(vault) as index:
            return index.notes(), index.directory

    from vaultcrm.engine.sync import sync_vault
    from vaultcrm.features.health import health_report
    from vaultcrm.features.network import network_report
    from vaultcrm.store.vault import Vault

    vault = Vault(root)
    sync_vault(vault)  # build (or bring up to date) the index once; not measured
    today = TODAY
    people = sorted(p.stem for p in (root / "people").glob("*.md"))
    rows = []
    base, base_cpu = timed_both(lambda: load_catalog(vault), repeats)
    rows.append(row("load catalog", base, base_cpu, "-", None))
    for name, fn in (
        ("network (library)", lambda: network_report(vault, today)),
        ("health (library)", lambda: health_report(vault, today)),
        (
            "network --path (library)",
            lambda: network_report(vault, today, path=(people[0], people[-1])),
        ),
        ("network NAME (library)", lambda: network_report(vault, today, name=people[0])),
    ):
        rows.append(row(name, *timed_both(fn, repeats), "load catalog", base))
    runs = children(vaultcrm(root, "people"), repeats)
    listing = median([c.seconds * 1000 for c in runs])
    rows.append(row("people (process)", listing, median([c.cpu * 1000 for c in runs]), "-", None))
    for args in (("network",), ("health",)):
        runs = children(vaultcrm(root, *args), repeats)
        rows.append(
            row(
                f"{args[0]} (process)",
                median([c.seconds * 1000 for c in runs]),
                median([c.cpu * 1000 for c in runs]),
                "people (process)",
                listing,
            )
        )
    return rows


def row(name: str, ms: float, cpu_ms: float, baseline: str, base: float | None) -> dict:
    return {
        "name": name,
        "ms": ms,
        "cpu_ms": cpu_ms,
        "baseline": baseline,
        "baseline_ms": base,
        "ratio": ms / base if base else None,
    }


def table(rows: list[dict]) -> str:
    head = ("measurement", "vaultcrm", "cpu", "baseline", "baseline time", "ratio", "target")
    lines = [head]
    for r in rows:
        target = ""
        if r["name"] in (
            "network (library)",
            "health (library)",
            "network (process)",
            "health (process)",
        ):
            target = "≤ 1000 ms " + ("ok" if r["ms"] <= 1000 else "MISS")
        lines.append(
            (
                r["name"],
                f"{r['ms']:.0f} ms",
                f"{r['cpu_ms']:.0f} ms",
                r["baseline"],
                f"{r['baseline_ms']:.0f} ms" if r["baseline_ms"] else "-",
                f"{r['ratio']:.1f}×" if r["ratio"] else "-",
                target,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time vaultcrm network and health.")
    parser.add_argument("--notes", type=parse_size, default=10_000)
    parser.add_argument("--people", type=parse_size, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--vaults", type=Path, default=BENCH / ".vaults")
    parser.add_argument("--json", type=Path, default=BENCH / "results" / "network_health.json")
    args = parser.parse_args(argv)
    os.environ["VAULTCRM_TODAY"] = TODAY.isoformat()  # the day the vault was written for
    root = args.vaults / f"issue17-{args.notes}-{args.people}-seed{args.seed}"
    print(f"vault {root}", file=sys.stderr, flush=True)
    info = ensure(root, args.notes, args.people, args.seed)
    rows = measure(root, max(1, args.repeats))
    print(f"vaultcrm network and health, {args.notes} notes, {args.people} people")
    print(table(rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"vault": info, "rows": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
