"""Every vaultcrm benchmark in one run, each figure beside its floor or alternative.

    python -m benchmarks.run                       # 1k and 10k notes
    python benchmarks/run.py --sizes 1k,10k --json out.json
    python -m benchmarks.run --sizes 1k,10k,100k --build-only 100k

Each figure is the median of several runs, printed as a time and as a ratio to a baseline
measured in the same run on the same vault: the read floor and SQLite FTS5 for a full
build, a bare ``os.scandir`` walk for a no-op sync, ``rg -il`` (or a pure-Python scan)
for search, ``python -c pass`` for start-up. Whole-process figures run a fresh
``vaultcrm`` child process, as a user's shell would; peak memory is the child's own
``ru_maxrss`` or the sampled sum over its process tree, whichever is larger, read through
a small launcher (see ``_LAUNCHER``).
The machine may be shared: the load average is recorded, and builds report CPU seconds
too, which load inflates far less than wall time.

Vaults are generated once per size and seed (benchmarks/generate.py) under
benchmarks/.vaults/ and reused; each run rebuilds their index from scratch first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import baselines  # noqa: E402
from benchmarks.generate import TODAY, ensure_vault, parse_size  # noqa: E402

BENCH = Path(__file__).resolve().parent
DEFAULT_VAULTS = BENCH / ".vaults"
DEFAULT_JSON = BENCH / "results" / "latest.json"
RARE_WORD = "zeilen"  # an interest on ~1.5% of people: a typical, selective query
COMMON_WORD = "tentamen"  # in a stock Dutch sentence: matches about a third of the vault
TARGET_SIZE = 10_000  # the targets are stated for 10,000 notes
TARGETS = {  # measurement → (limit, unit, size it applies to; None = any size)
    "full build": (10_000.0, "ms", TARGET_SIZE),
    "index, no-op": (2.0, "x", TARGET_SIZE),
    # A sync (every command's first step) finds the change by walking the vault: its
    # one-note cost is what it adds to a no-op index (the walk), which the same run
    # measures. The `index` command adds its tidy: the "index" rows with the full build.
    "one note changed, index": (50.0, "+", TARGET_SIZE),
    "one note changed, as watch": (50.0, "ms", TARGET_SIZE),
    f"warm query '{RARE_WORD}' p50": (5.0, "ms", TARGET_SIZE),
    f"warm query '{COMMON_WORD}' p50": (5.0, "ms", TARGET_SIZE),
    f"search '{RARE_WORD}' (process)": (300.0, "ms", TARGET_SIZE),
    "prep (process)": (500.0, "ms", TARGET_SIZE),
    "agenda (process)": (1000.0, "ms", TARGET_SIZE),
    "--help (process)": (150.0, "ms", None),
    "peak memory, full build": (500.0, "MB", 100_000),
}


@dataclass
class Row:
    size: str
    name: str
    value: float
    unit: str  # ms or MB
    baseline: str = ""
    baseline_value: float | None = None
    runs: int = 1
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value:
            return self.value / self.baseline_value
        return None

    def target(self, notes: int | None) -> tuple[str, str]:
        """('≤ 50 ms', 'ok' | 'MISS x1.4' | '') for this row at this vault size."""
        if self.name not in TARGETS:
            return "", ""
        limit, unit, size = TARGETS[self.name]
        if size is not None and notes != size:
            return "", ""
        if unit == "+":
            got = None if self.baseline_value is None else self.value - self.baseline_value
            text = f"≤ {self.baseline} + {limit:g} ms"
        else:
            got = self.ratio if unit == "x" else self.value
            text = f"≤ {limit:g}×walk" if unit == "x" else f"≤ {limit:g} {unit}"
        if got is None:
            return text, "?"
        return text, "ok" if got <= limit else f"MISS ×{got / limit:.1f}"


@dataclass
class Child:
    """One finished child process: wall time, CPU time, peak memory."""

    seconds: float
    cpu: float
    maxrss_mb: float  # NaN unless measured (run_child(memory=True))
    returncode: int
    stderr: str


# ---------------------------------------------------------------- measuring


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ranked = sorted(values)
    rank = max(1, -(-len(ranked) * q // 100))
    return ranked[int(rank) - 1]


def timed(fn: Callable[[], object], runs: int, warmup: int = 0) -> list[float]:
    """Milliseconds of ``runs`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


# Linux folds the address space a process had before exec into its ru_maxrss, so a child
# forked from this runner (which by then holds a generated vault's worth of memory) was
# charged for the runner: a 100k-note build and FTS5 both "peaked" at the runner's 400 MB.
# Memory is therefore measured through this small launcher, which forks the command from
# a fresh interpreter (~8 MB) and reports the command's own peak RSS and CPU time.
# A rebuild runs in two processes (sync.py), and ru_maxrss is the largest single one,
# not their sum: so the launcher also samples the RSS of the command's whole process
# tree every 20 ms and reports the larger of the two (shared pages count twice: an
# overestimate, never an under-).
_LAUNCHER = """\
import os, sys, time
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
page = os.sysconf("SC_PAGE_SIZE")
def tree(p):
    found = [p]
    try:
        for task in os.listdir(f"/proc/{p}/task"):
            with open(f"/proc/{p}/task/{task}/children") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except OSError:
        pass
    return found
def rss(p):
    try:
        with open(f"/proc/{p}/statm") as f:
            return int(f.read().split()[1]) * page
    except (OSError, IndexError, ValueError):
        return 0
peak = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    peak = max(peak, sum(rss(p) for p in tree(pid)))
    time.sleep(0.02)
with open(sys.argv[1], "w") as report:
    report.write(f"{max(usage.ru_maxrss, peak // 1024)} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(argv: list[str], *, memory: bool = False, cwd: Path | None = None) -> Child:
    """Run a command to completion, its output discarded, and account for it exactly:
    ``os.wait4`` gives the child's own CPU time; with ``memory``, the command runs under
    ``_LAUNCHER`` so that its peak RSS is its own."""
    # The day the generated vault was written for: the agenda's overdue lists (and so
    # its length) would otherwise grow with every day the benchmark is run after it.
    env = {**os.environ, "NO_COLOR": "1", "VAULTCRM_TODAY": TODAY.isoformat()}
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as report:
        command = [sys.executable, "-S", "-c", _LAUNCHER, report.name, *argv] if memory else argv
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
        cpu = usage.ru_utime + usage.ru_stime
        maxrss = float("nan")
        if memory:
            fields = report.read().split()
            if len(fields) == 2:
                maxrss, cpu = int(fields[0]) / 1024, float(fields[1])  # KB on Linux
    return Child(seconds, cpu, maxrss, proc.returncode, stderr)


def children(argv: list[str], runs: int, *, ok: tuple[int, ...] = (0,), **kw) -> list[Child]:
    out = []
    for _ in range(runs):
        child = run_child(argv, **kw)
        if child.returncode not in ok:
            raise RuntimeError(
                f"{' '.join(argv)} exited {child.returncode}: {child.stderr.strip()[-500:]}"
            )
        out.append(child)
    return out


def vaultcrm(vault: Path | None, *args: str) -> list[str]:
    """The ``vaultcrm`` command as a user runs it: the installed console script."""
    script = Path(sys.executable).with_name("vaultcrm")
    if script.exists():
        base = [str(script)]
    else:
        base = [
            sys.executable,
            "-c",
            "import sys; from vaultcrm.cli import main; sys.argv[0] = 'vaultcrm'; main()",
        ]
    return [*base, *(["--vault", str(vault)] if vault else []), *args]


def baseline_cmd(*args: str) -> list[str]:
    return [sys.executable, str(BENCH / "baselines.py"), *args]


def has_command(name: str) -> bool:
    """Whether this checkout's CLI has a command (another engineer may still be adding it)."""
    return run_child(vaultcrm(None, name, "--help")).returncode == 0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the measurements


@dataclass
class Plan:
    repeats: int | None  # None: each measurement's own default
    watch_edits: int
    queries: int

    def n(self, default: int) -> int:
        return self.repeats if self.repeats is not None else default


def measure_size(label: str, root: Path, plan: Plan, build_only: bool) -> list[Row]:
    from vaultcrm.engine.sync import index_for, sync_vault
    from vaultcrm.model.notes import parse_note
    from vaultcrm.store.vault import Vault

    rows: list[Row] = []
    vault = Vault(root)
    notes = [s.path for s in vault.walk()]
    big = len(notes) >= 50_000

    # Full build, as a user runs it, with its peak memory; then the floors, also whole.
    say(f"{label}: full build")
    builds = children(vaultcrm(root, "index", "--rebuild"), plan.n(1 if big else 3), memory=True)
    say(f"{label}: read floor and SQLite FTS5")
    floor = children(baseline_cmd("read-floor", str(root)), plan.n(3))
    with tempfile.TemporaryDirectory() as tmp:
        fts = children(
            baseline_cmd("fts5", str(root), f"{tmp}/fts.db"), plan.n(1 if big else 3), memory=True
        )
    build_ms = median([c.seconds * 1000 for c in builds])
    cpu = median([c.cpu for c in builds])
    floor_ms = median([c.seconds * 1000 for c in floor])
    rows.append(
        Row(
            label,
            "full build",
            build_ms,
            "ms",
            "read every file",
            floor_ms,
            len(builds),
            f"cpu {cpu:.1f} s",
            {"cpu_s": cpu},
        )
    )
    rows.append(
        Row(
            label,
            "full build vs FTS5",
            build_ms,
            "ms",
            "SQLite FTS5",
            median([c.seconds * 1000 for c in fts]),
            len(builds),
            f"fts5 cpu {median([c.cpu for c in fts]):.1f} s",
        )
    )
    rows.append(
        Row(
            label,
            "peak memory, full build",
            max(c.maxrss_mb for c in builds),
            "MB",
            "SQLite FTS5",
            max(c.maxrss_mb for c in fts),
            len(builds),
            "",
        )
    )
    if build_only:
        return rows

    # No-op index: in this process (library cost) and as a whole command. tidy=True is
    # the `index` command's: it also asks the files whether a tidy is due.
    say(f"{label}: no-op index")
    sync_vault(vault)  # the first run after a build may save the stamp table
    noop = timed(lambda: sync_vault(vault, tidy=True), plan.n(9), warmup=1)
    walk = timed(lambda: baselines.bare_walk(root), plan.n(9), warmup=1)
    rows.append(
        Row(label, "index, no-op", median(noop), "ms", "bare walk+stat", median(walk), len(noop))
    )
    noop_cmd = children(vaultcrm(root, "index"), plan.n(5))
    walk_cmd = children(baseline_cmd("walk", str(root)), plan.n(5))
    rows.append(
        Row(
            label,
            "index, no-op (process)",
            median([c.seconds * 1000 for c in noop_cmd]),
            "ms",
            "walk (process)",
            median([c.seconds * 1000 for c in walk_cmd]),
            len(noop_cmd),
        )
    )

    # One note changed: the `index` command's full diff, and the watcher's scoped sync.
    say(f"{label}: one note changed")
    count = plan.n(7)
    picks = [notes[(i * 7919) % len(notes)] for i in range(count)]
    for name, scoped in (("one note changed, index", False), ("one note changed, as watch", True)):
        times = []
        for n, rel in enumerate(picks):
            path = root / rel
            original = path.read_bytes()
            try:
                path.write_bytes(original + f"\n- benchmark edit {n} kwartel{n}\n".encode())
                start = time.perf_counter()
                result = sync_vault(vault, paths=[rel]) if scoped else sync_vault(vault)
                times.append((time.perf_counter() - start) * 1000)
                if result.updated != (rel,):
                    raise RuntimeError(f"expected {rel} to be updated, got {result}")
            finally:
                path.write_bytes(original)
                sync_vault(vault)
        if scoped:
            parse = timed(
                lambda rel=picks[0]: parse_note(rel, (root / rel).read_bytes()), plan.n(9)
            )
            rows.append(
                Row(label, name, median(times), "ms", "read+parse it", median(parse), len(times))
            )
        else:
            rows.append(Row(label, name, median(times), "ms", "no-op", median(noop), len(times)))

    # The `index` command after a delete or an edit: its one commit also rewrites the
    # segment that held the old note, so nothing of it stays in the index files. Notes
    # no row above touched: those are back in small segments, cheap to rewrite; these
    # are in the build's big ones, the common case and the costly one.
    say(f"{label}: one note deleted or changed, index with its tidy")
    rows_tidy = (("one note deleted, index", True), ("one note changed, index+tidy", False))
    for k, (name, delete) in enumerate(rows_tidy, start=1):
        times = []
        untouched = [notes[(i * 7919 + k * 2503) % len(notes)] for i in range(plan.n(3))]
        for n, rel in enumerate(untouched):
            path = root / rel
            original = path.read_bytes()
            try:
                if delete:
                    path.unlink()
                else:
                    path.write_bytes(original + f"\n- benchmark edit {n} kwartel{n}\n".encode())
                start = time.perf_counter()
                result = sync_vault(vault, tidy=True)
                times.append((time.perf_counter() - start) * 1000)
                if (result.removed if delete else result.updated) != (rel,):
                    raise RuntimeError(f"expected {rel} to be removed or updated, got {result}")
            finally:
                path.write_bytes(original)
                sync_vault(vault, tidy=True)
        rows.append(Row(label, name, median(times), "ms", "full build", build_ms, len(times)))

    # Save-to-searchable through a running watcher.
    try:
        from benchmarks.watch_latency import measure_watch_latency
    except ImportError:
        measure_watch_latency = None
    lat = None
    if measure_watch_latency is None:
        rows.append(
            Row(
                label,
                "watch latency",
                float("nan"),
                "ms",
                note="benchmarks/watch_latency.py missing",
            )
        )
    else:
        say(f"{label}: watch latency ({plan.watch_edits} saves)")
        try:
            lat = measure_watch_latency(root, plan.watch_edits)
        except (ImportError, RuntimeError) as exc:  # the watcher itself may be mid-change
            lat = None
            rows.append(
                Row(label, "watch latency", float("nan"), "ms", note=f"failed: {str(exc)[:80]}")
            )
            say(f"{label}: watch latency failed: {exc}")
    if lat:
        for q in ("p50", "p95"):
            rows.append(
                Row(
                    label,
                    f"watch save→searchable {q}",
                    lat[f"{q}_ms"],
                    "ms",
                    "quiet period",
                    lat.get("quiet_ms"),
                    lat.get("edits", plan.watch_edits),
                    lat.get("mode", ""),
                    lat if q == "p50" else {},
                )
            )

    # Search: the whole command against rg -il, and a warm query in one process.
    say(f"{label}: search")
    rg = shutil.which("rg")
    if rg:
        grep_argv, grep_name = [rg, "-il", "--no-messages", RARE_WORD, str(root)], "rg -il"
    else:
        grep_argv, grep_name = baseline_cmd("scan", str(root), RARE_WORD), "python scan"
    grep = median([c.seconds * 1000 for c in children(grep_argv, plan.n(7), ok=(0, 1))])
    search = children(vaultcrm(root, "search", RARE_WORD), plan.n(7), ok=(0, 1))
    rows.append(
        Row(
            label,
            f"search '{RARE_WORD}' (process)",
            median([c.seconds * 1000 for c in search]),
            "ms",
            grep_name,
            grep,
            len(search),
        )
    )
    idx = index_for(vault).open()
    try:
        for word in (RARE_WORD, COMMON_WORD):
            hits = len(idx.search(word, limit=None))
            warm = timed(lambda w=word: idx.search(w, limit=10), plan.n(plan.queries), warmup=3)
            rows.append(
                Row(
                    label,
                    f"warm query '{word}' p50",
                    median(warm),
                    "ms",
                    grep_name,
                    grep,
                    len(warm),
                    f"p95 {percentile(warm, 95):.1f} ms, {hits} hits",
                    {"p95_ms": percentile(warm, 95), "hits": hits},
                )
            )

        # The same common word with nothing kept: a new searcher (and its postings
        # cache, scoring.py) for every query, as each CLI command has.
        def first_query() -> None:
            idx._drop_searcher()
            idx.search(COMMON_WORD, limit=10)

        cold = timed(first_query, plan.n(plan.queries), warmup=1)
        rows.append(
            Row(
                label,
                f"first query '{COMMON_WORD}' (new searcher)",
                median(cold),
                "ms",
                grep_name,
                grep,
                len(cold),
                f"p95 {percentile(cold, 95):.1f} ms",
            )
        )
    finally:
        idx.close()

    # prep, as a whole command, when this checkout has it.
    person = next((p for p in notes if p.startswith("people/")), None)
    if person and has_command("prep"):
        say(f"{label}: prep")
        name = person.rsplit("/", 1)[-1].removesuffix(".md")
        prep = children(vaultcrm(root, "prep", name), plan.n(7))
        rows.append(
            Row(
                label,
                "prep (process)",
                median([c.seconds * 1000 for c in prep]),
                "ms",
                "python -c pass",
                python_pass(plan),
                len(prep),
            )
        )
    else:
        rows.append(
            Row(label, "prep (process)", float("nan"), "ms", note="no prep command yet: skipped")
        )
    # The whole-vault lists, as whole commands: every person's last contact and dates.
    for command in ("agenda", "people"):
        if not has_command(command):
            continue
        say(f"{label}: {command}")
        runs = children(vaultcrm(root, command), plan.n(7))
        rows.append(
            Row(
                label,
                f"{command} (process)",
                median([c.seconds * 1000 for c in runs]),
                "ms",
                "python -c pass",
                python_pass(plan),
                len(runs),
            )
        )
        if command == "agenda":  # ordered by health: reads the notes of those due
            by_health = children(vaultcrm(root, "agenda", "--by", "health"), plan.n(7))
            rows.append(
                Row(
                    label,
                    "agenda --by health (process)",
                    median([c.seconds * 1000 for c in by_health]),
                    "ms",
                    "agenda (process)",
                    rows[-1].value,
                    len(by_health),
                )
            )
    return rows


_PASS: list[float] = []


def python_pass(plan: Plan) -> float:
    """Median wall time of ``python -c pass`` in this venv, measured once per run."""
    if not _PASS:
        _PASS.extend(c.seconds * 1000 for c in children([sys.executable, "-c", "pass"], plan.n(9)))
    return median(_PASS)


def measure_startup(plan: Plan) -> list[Row]:
    say("start-up: --help")
    helps = children(vaultcrm(None, "--help"), plan.n(9))
    return [
        Row(
            "-",
            "--help (process)",
            median([c.seconds * 1000 for c in helps]),
            "ms",
            "python -c pass",
            python_pass(plan),
            len(helps),
        )
    ]


# ---------------------------------------------------------------- reporting


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def table(rows: list[Row], sizes: dict[str, int]) -> str:
    head = (
        "notes",
        "measurement",
        "vaultcrm",
        "baseline",
        "baseline time",
        "ratio",
        "target",
        "",
        "note",
    )
    lines = [head]
    for r in rows:
        target, verdict = r.target(sizes.get(r.size))
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None and r.value == r.value else "-"
        lines.append(
            (
                r.size,
                r.name,
                _fmt(r.value, r.unit),
                r.baseline or "-",
                _fmt(r.baseline_value, r.unit) if r.baseline else "-",
                ratio,
                target,
                verdict,
                r.note if len(r.note) <= 48 else r.note[:47] + "…",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            c.ljust(w) if i in (0, 1, 3, 6, 7, 8) else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("| " + " | ".join(cells) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def machine() -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    try:
        from importlib.metadata import version

        info["whoosh"] = version("Whoosh-Reloaded")
    except Exception:
        pass
    rg = shutil.which("rg")
    if rg:
        info["ripgrep"] = subprocess.run(
            [rg, "--version"], capture_output=True, text=True
        ).stdout.split("\n")[0]
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run every vaultcrm benchmark and print the table."
    )
    parser.add_argument(
        "--sizes", default="1k,10k", help="vault sizes, e.g. 1k,10k,100k (default 1k,10k)"
    )
    parser.add_argument(
        "--build-only",
        default="",
        help="sizes that only get the build and memory figures, e.g. 100k",
    )
    parser.add_argument("--repeats", type=int, help="runs per figure (default: 3 to 9, by cost)")
    parser.add_argument("--queries", type=int, default=30, help="warm queries timed per word")
    parser.add_argument("--watch-edits", type=int, default=20, help="saves timed through watch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--people",
        type=parse_size,
        help="how many notes of each vault are people (default ~8%%; 10k of 10k: an HR vault)",
    )
    parser.add_argument(
        "--vaults", type=Path, default=DEFAULT_VAULTS, help="where generated vaults live"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"write the figures here (default {DEFAULT_JSON.relative_to(BENCH.parent)})",
    )
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")

    plan = Plan(args.repeats, args.watch_edits, args.queries)
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    build_only = {parse_size(s) for s in args.build_only.split(",") if s.strip()}
    sizes = {label: parse_size(label) for label in labels}
    started = dt.datetime.now().astimezone()
    report: dict = {
        "command": " ".join(
            [Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]
        ),
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": {},
    }
    rows: list[Row] = []
    for label, notes in sizes.items():
        people = f"-people{args.people}" if args.people else ""
        root = args.vaults / f"{label}-seed{args.seed}{people}"
        say(f"{label}: vault {root}")
        info = ensure_vault(root, notes, args.seed, args.people)
        load_before = os.getloadavg()[0]
        size_rows = measure_size(label, root, plan, notes in build_only)
        rows.extend(size_rows)
        report["sizes"][label] = {
            "vault": info,
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        }
    rows.extend(measure_startup(plan))
    report["rows"] = [
        {
            **asdict(r),
            "ratio": r.ratio,
            "target": r.target(sizes.get(r.size))[0],
            "verdict": r.target(sizes.get(r.size))[1],
        }
        for r in rows
    ]
    report["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")

    loads = ", ".join(
        f"{label} {v['load_before']:.1f}→{v['load_after']:.1f}"
        for label, v in report["sizes"].items()
    )
    print(
        f"vaultcrm benchmarks, {report['started']}, {report['machine']['cpus']} CPUs, Python {report['machine']['python']}, load average {loads}"
    )
    print(table(rows, sizes))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    say(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
