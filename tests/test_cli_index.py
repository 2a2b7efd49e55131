"""`vaultcrm index`: the summary line, problems on stderr, JSON, rebuild notices, the lock."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

FILES = {
    "people/Henk de Vries.md": "---\nname: Henk de Vries\n---\njazz\n",
    "people/Zoë Bakker.md": "---\nname: Zoë Bakker\n---\n",
    "meetings/2026-11-10.md": "[[Henk de Vries]]\n",
}


def summary(stdout: str) -> str:
    """The summary line without its timing, which no test can know."""
    return re.sub(r" \(\d+\.\d\ds\)\n$", " (…s)\n", stdout)


@pytest.fixture
def vault(make_vault):
    return make_vault(FILES)


def test_first_run_builds_the_index(run, vault) -> None:
    result = run(vault, "index")
    assert result.exit_code == 0
    assert result.stderr == "No index yet: building it from the vault.\n"
    assert summary(result.stdout) == (
        "+3 ~0 -0  3 added, 0 updated, 0 removed, 0 unchanged, 0 problems in the notes read (…s)\n"
    )


def test_a_second_run_changes_nothing(run, vault) -> None:
    run(vault, "index")
    result = run(vault, "index")
    assert (result.exit_code, result.stderr) == (0, "")
    assert summary(result.stdout) == (
        "+0 ~0 -0  0 added, 0 updated, 0 removed, 3 unchanged, 0 problems in the notes read (…s)\n"
    )


def test_touch_without_change_shows_nothing_changed(run, vault) -> None:
    run(vault, "index")
    path = vault / "people/Zoë Bakker.md"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert summary(run(vault, "index").stdout).startswith("+0 ~0 -0  ")


def test_edits_renames_and_deletions(run, vault) -> None:
    run(vault, "index")
    (vault / "people/Zoë Bakker.md").rename(vault / "people/Zoë de Boer.md")
    (vault / "meetings/2026-11-10.md").unlink()
    henk = vault / "people/Henk de Vries.md"
    henk.write_text("---\nname: Henk de Vries\n---\njazz en blues\n", encoding="utf-8")
    result = run(vault, "index", "--json")
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("added", "updated", "removed", "unchanged", "rebuilt")} == {
        "added": ["people/Zoë de Boer.md"],
        "updated": ["people/Henk de Vries.md"],
        "removed": ["meetings/2026-11-10.md", "people/Zoë Bakker.md"],
        "unchanged": 0,
        "rebuilt": False,
    }


def test_problems_go_to_stderr_with_path_and_line(run, make_vault) -> None:
    vault = make_vault({**FILES, "notes/bad.md": "---\nname: [x\n---\nbody\n"})
    result = run(vault, "index")
    assert result.exit_code == 0
    assert result.stderr == (
        "No index yet: building it from the vault.\n"
        "notes/bad.md:3: front-matter is not valid YAML: a '[' is not closed with ']'\n"
    )
    assert "1 problem in the notes read" in result.stdout


def test_json_summary(run, vault) -> None:
    result = run(vault, "index", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {
        "added",
        "updated",
        "removed",
        "unchanged",
        "problems",
        "rebuilt",
        "seconds",
    }
    assert data["added"] == sorted(FILES)
    assert data["rebuilt"] is True
    assert result.stderr == ""  # JSON mode: nothing but the document, notice included


def test_rebuild(run, vault) -> None:
    run(vault, "index")
    result = run(vault, "index", "--rebuild")
    assert (result.exit_code, result.stderr) == (0, "")
    assert summary(result.stdout).startswith("+3 ~0 -0  3 added")


def test_a_corrupt_index_is_rebuilt_with_a_notice_not_a_traceback(run, vault) -> None:
    run(vault, "index")
    for toc in (vault / ".vaultcrm/index").glob("*.toc"):
        toc.write_bytes(b"\x00\x01garbage")
    result = run(vault, "index")
    assert result.exit_code == 0
    assert result.stderr == "The index was unreadable (damaged table of contents): rebuilding it.\n"
    assert summary(result.stdout).startswith("+3 ~0 -0")


def test_a_held_lock_times_out_with_exit_3(run, vault, monkeypatch) -> None:
    run(vault, "index")
    (vault / "people/New.md").write_text("new\n", encoding="utf-8")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from filelock import FileLock
                lock = FileLock(sys.argv[1])
                lock.acquire()
                print("held", flush=True)
                time.sleep(60)
                """
            ),
            str(vault / ".vaultcrm/index.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        monkeypatch.setenv("VAULTCRM_LOCK_TIMEOUT", "0.2")
        result = run(vault, "index")
    finally:
        holder.kill()
        holder.wait()
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"vaultcrm: {vault / '.vaultcrm/index.lock'}: another vaultcrm process has held the "
        "index lock for 0.2s; try again when it has finished\n"
    )
    assert summary(run(vault, "index").stdout).startswith("+1 ~0 -0")


def test_a_broken_config_is_a_clear_error(run, vault) -> None:
    (vault / ".vaultcrm/config.toml").write_text('languages = ["xx"]\n', encoding="utf-8")
    result = run(vault, "index")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"vaultcrm: {vault / '.vaultcrm/config.toml'}:1: unsupported language 'xx'"
    )
