"""Issue 16's two rows: reading a calendar, importing an address book, each beside a
baseline measured in the same run on the same file.

    python -m benchmarks.meetings_contacts                  # 10,000 events, 1,000 contacts
    python benchmarks/meetings_contacts.py --events 10000 --contacts 1000 --repeats 5

| row | vaultcrm | baseline |
|---|---|---|
| read calendar | ``calendars.read_calendar`` with the default window (a year back, 60 days ahead) | ``icalendar.Calendar.from_ical`` of the whole file: parsing alone, no expansion |
| read calendar, kept | ``calendars.load_meetings`` as every command after the first of a day calls it: from ``.vaultcrm/cache/`` | ``read_calendar`` of the same file (the row above) |
| import, dry run | ``contacts.import_contacts`` planning every contact against an indexed vault | ``vobject.readComponents`` of the same file: parsing alone |
| import --yes | the same, writing every new note and indexing them | writing the same number of small files with fsync, as vaultcrm writes a note |

The calendar and the address book come from ``benchmarks/exports.py`` (deterministic).
Times are medians of ``--repeats`` runs; CPU seconds are shown too, since the machine may
be shared. Targets: the calendar ≤ 1 s, the import ≤ 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.exports import contacts_vcf, write_calendar  # noqa: E402

TARGETS = {"read calendar": 1.0, "import, dry run": 2.0, "import --yes": 2.0}
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``fn``."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def bench_calendar(folder: Path, events: int, repeats: int) -> dict:
    import icalendar

    from vaultcrm.store.calendars import calendar_window, read_calendar

    path = folder / "work.ics"
    size = write_calendar(path, events)
    start, end = calendar_window(NOW)
    found = {}

    def ours() -> None:
        found["read"] = read_calendar(path, start, end, me=["me@example.com"], tz=NOW.tzinfo)

    def baseline() -> None:
        icalendar.Calendar.from_ical(path.read_bytes())

    wall, cpu = timed(ours, repeats)
    base_wall, base_cpu = timed(baseline, max(1, repeats // 2))
    return {
        "row": "read calendar",
        "what": f"{events:,} events, {size / 1e6:.1f} MB, {len(found['read'].meetings):,} meetings in the window",
        "seconds": wall,
        "cpu": cpu,
        "baseline": "icalendar from_ical",
        "baseline_seconds": base_wall,
        "baseline_cpu": base_cpu,
    }


def bench_kept_calendar(folder: Path, read_row: dict, repeats: int) -> dict:
    """The same calendar as a vault's, read again the same day: from the cache."""
    from vaultcrm.store.calendars import load_meetings
    from vaultcrm.store.vault import Vault

    root = folder / "kept"
    (root / ".vaultcrm").mkdir(parents=True)
    (root / ".vaultcrm" / "config.toml").write_text(
        f'calendars = ["{folder / "work.ics"}"]\nme = ["me@example.com"]\n', "utf-8"
    )
    vault = Vault(root)
    first = load_meetings(vault, NOW, tz=NOW.tzinfo)  # reads and keeps
    wall, cpu = timed(lambda: load_meetings(vault, NOW, tz=NOW.tzinfo), repeats)
    return {
        "row": "read calendar, kept",
        "what": f"{len(first.meetings):,} meetings from .vaultcrm/cache/",
        "seconds": wall,
        "cpu": cpu,
        "baseline": "read_calendar",
        "baseline_seconds": read_row["seconds"],
        "baseline_cpu": read_row["cpu"],
    }


def _vault(folder: Path) -> Path:
    from benchmarks.generate import generate_vault
    from vaultcrm.engine.sync import sync_vault
    from vaultcrm.store.vault import Vault

    root = folder / "vault"
    generate_vault(root, 200, seed=0)
    sync_vault(Vault(root))
    return root


def bench_import(folder: Path, contacts: int, repeats: int) -> list[dict]:
    import vobject

    from vaultcrm.features.contacts import import_contacts
    from vaultcrm.store.vault import Vault

    path = folder / "contacts.vcf"
    text = contacts_vcf(contacts)
    path.write_text(text, encoding="utf-8", newline="")
    template = _vault(folder)
    today = NOW.date()
    rows = []

    dry = Vault(template)
    wall, cpu = timed(lambda: import_contacts(dry, path, today), repeats)
    base = timed(lambda: list(vobject.readComponents(text, allowQP=True)), repeats)
    rows.append(
        {
            "row": "import, dry run",
            "what": f"{contacts:,} contacts into a vault of 200 notes",
            "seconds": wall,
            "cpu": cpu,
            "baseline": "vobject parse",
            "baseline_seconds": base[0],
            "baseline_cpu": base[1],
        }
    )

    walls, cpus = [], []
    for i in range(repeats):
        root = folder / f"yes-{i}"
        shutil.copytree(template, root)
        os.sync()  # the copy's own writes are on disk before the clock starts
        vault = Vault(root)
        wall, cpu = timed(lambda vault=vault: import_contacts(vault, path, today, write=True), 1)
        walls.append(wall)
        cpus.append(cpu)

    def write_files() -> None:
        target = Path(tempfile.mkdtemp(dir=folder))
        for n in range(contacts):
            with open(target / f"{n}.md", "wb") as handle:
                handle.write(b"---\nname: x\n---\n" * 20)
                handle.flush()
                os.fsync(handle.fileno())

    base = timed(write_files, max(1, repeats // 2))
    rows.append(
        {
            "row": "import --yes",
            "what": f"{contacts:,} new people written and indexed",
            "seconds": statistics.median(walls),
            "cpu": statistics.median(cpus),
            "baseline": f"write {contacts:,} files + fsync",
            "baseline_seconds": base[0],
            "baseline_cpu": base[1],
        }
    )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| row | what | vaultcrm | baseline | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = TARGETS.get(r["row"])
        goal = "" if target is None else f"≤ {target:g} s "
        goal += "" if target is None else ("met" if r["seconds"] <= target else "MISSED")
        lines.append(
            f"| {r['row']} | {r['what']} | {r['seconds'] * 1000:.0f} ms ({r['cpu'] * 1000:.0f} ms CPU) "
            f"| {r['baseline']}: {r['baseline_seconds'] * 1000:.0f} ms "
            f"| {r['seconds'] / r['baseline_seconds']:.2f}x "
            f"| {goal} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = [bench_calendar(Path(folder), args.events, args.repeats)]
        rows.append(bench_kept_calendar(Path(folder), rows[0], args.repeats))
        rows.extend(bench_import(Path(folder), args.contacts, args.repeats))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
