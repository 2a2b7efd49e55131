"""Issue 16's benchmark script and export generator cannot rot: they run end to end on tiny
sizes here. Timing goals live in benchmarks/, never in asserts."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import meetings_contacts  # noqa: E402
from benchmarks.exports import contacts_vcf, write_calendar  # noqa: E402


def test_the_exports_are_deterministic(tmp_path: Path) -> None:
    write_calendar(tmp_path / "a.ics", 50, seed=2)
    write_calendar(tmp_path / "b.ics", 50, seed=2)
    assert (tmp_path / "a.ics").read_bytes() == (tmp_path / "b.ics").read_bytes()
    assert contacts_vcf(20) == contacts_vcf(20)
    assert contacts_vcf(20).count("BEGIN:VCARD") == 20


def test_the_script_runs(capsys) -> None:
    assert meetings_contacts.main(["--events", "60", "--contacts", "12", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for row in ("read calendar", "read calendar, kept", "import, dry run", "import --yes"):
        assert f"| {row} |" in out
