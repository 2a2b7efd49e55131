"""``vaultcrm watch`` as a user runs it: a real process, stopped by a signal."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vaultcrm.engine.sync import index_lock
from vaultcrm.store.vault import Vault

DEADLINE = 15.0
LINE = r"\d\d:\d\d:\d\d "


class WatchProcess:
    """``vaultcrm --vault V watch ARGS`` with its output read line by line."""

    def __init__(self, vault: Path, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from vaultcrm.cli import main; main()"]
            + ["--vault", str(vault), "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=dict(os.environ),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.stdout.append(line.rstrip("\n"))
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str) -> str:
        """The next stdout line; it must match ``pattern`` (a full-line regex)."""
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            self.kill()
            pytest.fail(f"no line matching {pattern!r} within {DEADLINE}s; stderr: {self.stderr}")
        assert re.fullmatch(pattern, line), line
        return line

    def signal(self, signum: int) -> int:
        self.proc.send_signal(signum)
        try:
            self.proc.wait(timeout=DEADLINE)
        finally:
            self.kill()
        self._reader.join(5)
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.proc.stderr.closed:
            self.stderr = self.proc.stderr.read()
            self.proc.stderr.close()


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault(
        {
            "people/Henk de Vries.md": "---\nname: Henk de Vries\n---\nHenk loves jazz.\n",
            "projects/alpha.md": "# Alpha\nThe roadmap.\n",
        }
    )


@pytest.fixture
def watch_process():
    started: list[WatchProcess] = []

    def start(vault: Path, *args: str) -> WatchProcess:
        process = WatchProcess(vault, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_watch_logs_each_batch_and_stops_cleanly_on_sigterm(vault, watch_process, run, monkeypatch):
    w = watch_process(vault)
    w.expect(LINE + r"\+2 ~0 -0 people/Henk de Vries\.md, projects/alpha\.md \(\d+ ms\)")
    write(vault / "people" / "Zoë Bakker.md", "Zoë rides a racefiets.\n")
    w.expect(LINE + r"\+1 ~0 -0 people/Zoë Bakker\.md \(\d+ ms\)")
    (vault / "projects" / "alpha.md").unlink()
    w.expect(LINE + r"\+0 ~0 -1 projects/alpha\.md \(\d+ ms\)")

    assert w.signal(signal.SIGTERM) == 0
    assert w.stderr == (
        f"Watching {vault.resolve()}; Ctrl-C to stop.\n"
        "No index yet: building it from the vault.\n"
        "Stopped after 2 updates (inotify); the index is up to date.\n"
    )
    with index_lock(Vault(vault), timeout=0):  # released: taken at once
        pass
    write(vault / "people" / "Piet.md", "Piet plays chess.\n")
    monkeypatch.setenv("VAULTCRM_LOCK_TIMEOUT", "0")  # a held lock would fail at once
    result = run(vault, "index")
    assert result.exit_code == 0
    assert result.output.startswith("+1 ~0 -0  1 added, 0 updated, 0 removed, 2 unchanged")


def test_ctrl_c_stops_cleanly_too(vault, watch_process, run):
    w = watch_process(vault)
    w.expect(LINE + r"\+2 ~0 -0 .*")
    assert w.signal(signal.SIGINT) == 0
    assert w.stderr.endswith("Stopped after 0 updates (inotify); the index is up to date.\n")
    assert run(vault, "search", "jazz").exit_code == 0


def test_quiet_prints_nothing_and_still_indexes(vault, watch_process, run):
    from vaultcrm.engine.sync import index_for

    w = watch_process(vault, "--quiet")
    idx = index_for(Vault(vault))
    deadline = time.monotonic() + DEADLINE

    def indexed() -> set[str]:
        try:
            return set(idx.open().stamps())
        except Exception:  # not built yet
            return set()
        finally:
            idx.close()

    while indexed() != {"people/Henk de Vries.md", "projects/alpha.md"}:
        assert time.monotonic() < deadline, "the start sync never finished"
        time.sleep(0.05)
    write(vault / "people" / "Lotte.md", "Lotte collects vinyl.\n")
    while "people/Lotte.md" not in indexed():
        assert time.monotonic() < deadline, "the new note was never indexed"
        time.sleep(0.05)
    assert w.signal(signal.SIGTERM) == 0
    assert w.stdout == []
    assert w.stderr == ""


def test_poll_mode(vault, watch_process):
    w = watch_process(vault, "--poll")
    w.expect(LINE + r"\+2 ~0 -0 .*")
    write(vault / "people" / "Henk de Vries.md", "Henk now loves opera.\n")
    w.expect(LINE + r"\+0 ~1 -0 people/Henk de Vries\.md \(\d+ ms\)")
    assert w.signal(signal.SIGTERM) == 0
    assert w.stderr.endswith("Stopped after 1 update (polling); the index is up to date.\n")


def test_other_commands_run_beside_the_watcher(vault, watch_process, run):
    w = watch_process(vault)
    w.expect(LINE + r"\+2 ~0 -0 .*")
    write(vault / "people" / "Zoë Bakker.md", "Zoë rides a racefiets.\n")
    w.expect(LINE + r"\+1 ~0 -0 people/Zoë Bakker\.md .*")

    search = run(vault, "search", "racefiets")
    assert search.exit_code == 0
    assert "people/Zoë Bakker.md:1" in search.output
    rebuilt = run(vault, "index", "--rebuild")  # a writer: takes the lock between batches
    assert rebuilt.exit_code == 0
    assert rebuilt.output.startswith("+3 ~0 -0")

    write(vault / "people" / "Henk de Vries.md", "Henk now loves opera.\n")
    w.expect(LINE + r"\+0 ~1 -0 people/Henk de Vries\.md .*")
    assert run(vault, "search", "opera").exit_code == 0
    assert w.signal(signal.SIGTERM) == 0


def test_watch_without_a_vault_is_a_usage_error(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(None, "watch")
    assert result.exit_code == 2
    assert "no vault found" in result.output
