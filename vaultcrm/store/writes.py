"""Every write vaultcrm makes into a vault goes through here.

Writes are atomic (a temp file in the same folder, fsync, then rename or link), never
replace a file that exists unless told to, and keep the original's permissions.

Changing a note that exists (``update_file``) adds two guarantees, because the note is
the user's and an editor may have it open:

- vaultcrm writers take turns: each holds a lock on the note (a lock file under
  ``.vaultcrm/locks/``, never next to the note, so Obsidian and git never see it) for the
  whole read-change-write, so two ``vaultcrm log`` at once both land;
- an edit saved by anyone else between our read and our rename is not clobbered: right
  before the rename the note is read again, and if it moved the change is redone on the
  new content (or, if it keeps moving, refused with ``RefusedWriteError``).

The change itself is the caller's function from old bytes to new bytes; callers keep
every byte they do not mean to change (see ``journal.py``), never a YAML round trip.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import ForeignPathError, RefusedWriteError, VaultcrmError
from ..model.notes import wide_encoding


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_with(folder: Path, data: bytes, mode: int | None, fsync: bool = True) -> str:
    """A temp file in ``folder`` holding ``data``: fsynced, unless the caller syncs it
    together with others (``write_new_many``)."""
    fd, tmp = tempfile.mkstemp(prefix=".vaultcrm-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Create ``path`` atomically; refuse if anything is already there (even a race winner)."""
    with _io_errors(path):
        _write_new(Path(path), data, mode)


def _write_new(path: Path, data: bytes | str, mode: int) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        raise RefusedWriteError("already exists; not overwriting it", path)
    tmp = _temp_with(path.parent, data, mode & ~_umask())
    try:
        os.link(tmp, path)  # fails with FileExistsError instead of replacing
    except FileExistsError:
        raise RefusedWriteError("already exists; not overwriting it", path) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


WRITERS = 16  # files written at once by write_new_many where there is no syncfs


def write_new_many(files: Sequence[tuple[Path, bytes | str]], mode: int = 0o644) -> None:
    """Create many files, each as ``write_new`` does: atomically (a temp file written and
    made durable, then linked in under its name, never over a file), so a crash leaves
    each whole or absent, never in part.

    Faster for many: on Linux every temp file is written first and then made durable by
    one ``syncfs`` of its file system, instead of an fsync each (1,000 notes: ~0.15 s
    instead of ~0.4 s); elsewhere they are written and fsynced ``WRITERS`` at a time (a
    journaling file system commits them together). Either way no file is linked in
    before every temp file is on disk, and each folder's entries are synced once at the
    end. Every name is checked before anything is written: a file already there is
    ``RefusedWriteError`` and nothing is made; one that appears meanwhile is refused when
    its turn comes, the files before it kept."""
    items = [
        (Path(path), data.encode("utf-8") if isinstance(data, str) else data)
        for path, data in files
    ]
    for path, _ in items:
        if path.exists() or path.is_symlink():
            raise RefusedWriteError("already exists; not overwriting it", path)
    if not items:
        return
    mode &= ~_umask()  # once, here: the umask is the process's, not a thread's
    temps: list[str | None] = [None] * len(items)
    folders = list(dict.fromkeys(path.parent for path, _ in items))
    try:
        syncfs = _syncfs() if len(items) > 1 else None
        if syncfs is None:
            _write_temps_fsynced(items, temps, mode)
        else:
            _write_temps_then_syncfs(items, temps, mode, folders, syncfs)
        for (path, _), tmp in zip(items, temps, strict=True):
            with _io_errors(path):
                try:
                    os.link(tmp, path)  # type: ignore[arg-type]
                except FileExistsError:
                    raise RefusedWriteError("already exists; not overwriting it", path) from None
    finally:
        for tmp in temps:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        for folder in folders:
            _fsync_dir(folder)


def _write_temps_fsynced(items: list[tuple[Path, bytes]], temps: list, mode: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(index: int) -> None:
        path, data = items[index]
        with _io_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            temps[index] = _temp_with(path.parent, data, mode)

    with ThreadPoolExecutor(min(WRITERS, len(items))) as pool:
        for done in [pool.submit(write, i) for i in range(len(items))]:
            done.result()


def _write_temps_then_syncfs(
    items: list[tuple[Path, bytes]],
    temps: list,
    mode: int,
    folders: list[Path],
    syncfs: Callable[[int], int],
) -> None:
    """Write every temp file, then ``syncfs`` each file system they are on. Its folder is
    opened before the writes: syncfs reports a write error that happened since."""
    import ctypes

    systems: dict[int, int] = {}  # st_dev -> an open folder on it
    try:
        for folder in folders:
            with _io_errors(folder):
                folder.mkdir(parents=True, exist_ok=True)
                found = os.stat(folder).st_dev
                if found not in systems:
                    systems[found] = os.open(folder, os.O_RDONLY)
        for index, (path, data) in enumerate(items):
            with _io_errors(path):
                temps[index] = _temp_with(path.parent, data, mode, fsync=False)
        for fd in systems.values():
            if syncfs(fd) != 0:
                error = ctypes.get_errno()
                with _io_errors(folders[0]):
                    raise OSError(error, os.strerror(error))
    finally:
        for fd in systems.values():
            os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2), where it reports write errors (kernel 5.8 and later), else None."""
    import platform
    import sys

    if not sys.platform.startswith("linux"):
        return None
    found = re.match(r"(\d+)\.(\d+)", platform.release())
    if found is None or (int(found[1]), int(found[2])) < (5, 8):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def write_output(
    path: Path,
    data: bytes | str,
    force: bool = False,
    *,
    vault: Path | None = None,
    private: bool = False,
) -> None:
    """Write a file of the user's choosing (``--out``): atomically, and over an existing
    file only when told (``force``). With the ``vault``'s root: never into its
    ``.vaultcrm/`` (config, index: vaultcrm's own), never over one of its notes (even
    with ``force``), and, for an output that holds ``private`` facts, not inside the
    vault at all: there it would be a note like any other, and a vault is synced and
    shared."""
    from ..errors import UsageError

    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder; --out takes a file name")
    if vault is not None:
        _check_out(path, Path(vault), private)
    if not force and (path.exists() or path.is_symlink()):
        raise RefusedWriteError("already exists; pass --force to replace it", path)
    (replace_file if force else write_new)(path, data)


def _check_out(path: Path, vault: Path, private: bool) -> None:
    from ..errors import UsageError

    target = path.absolute().parent.resolve() / path.name
    root = vault.resolve()
    if not target.is_relative_to(root):
        return
    if target.is_relative_to(root / ".vaultcrm"):
        raise UsageError(f"{path} is inside .vaultcrm/, vaultcrm's own folder: --out elsewhere")
    if private:
        raise UsageError(
            f"{path} is inside the vault, and this output holds private facts marked only "
            "for you: there it would be a note like any other; --out outside the vault"
        )
    if target.suffix.lower() == ".md" and (target.exists() or target.is_symlink()):
        raise RefusedWriteError("is a note of the vault; --out never replaces a note", path)


def replace_file(path: Path, data: bytes | str) -> None:
    """Replace ``path`` atomically with ``data``, keeping its permissions."""
    with _io_errors(path):
        _replace_file(Path(path), data)


def _replace_file(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644 & ~_umask()
    tmp = _temp_with(path.parent, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# ---------------------------------------------------------------- vaultcrm's own folders


def check_own(path: Path, top: Path) -> None:
    """Refuse (``ForeignPathError``) when ``path`` or any folder between ``top`` and it is
    a symlink: vaultcrm deletes and replaces files in its state folders, and a link there
    (say ``.vaultcrm/index`` pointing at a folder of documents, shared along with the
    vault) would turn a rebuild into deleting someone's files. ``top`` is the vault root,
    which is resolved already, so this also refuses anything that resolves outside it."""
    current = top
    for part in path.relative_to(top).parts:
        current = current / part
        if current.is_symlink():
            try:
                target = os.readlink(current)
            except OSError:
                target = "somewhere else"
            raise ForeignPathError(
                f"is a symlink to {target}, not a folder of vaultcrm's own; not using it "
                "(remove the link and vaultcrm makes its own)",
                current,
            )


def own_folder(path: Path, top: Path) -> Path:
    """``path`` as a folder of vaultcrm's own, made if missing (see ``check_own``)."""
    check_own(path, top)
    if path.exists() and not path.is_dir():
        raise ForeignPathError(
            "is a file where vaultcrm keeps a folder of its own; move it away", path
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultcrmError(f"cannot write: {exc.strerror or exc}", path) from None
    return path


def check_own_file(path: Path) -> None:
    """Refuse a lock or state file of vaultcrm's that is a symlink: opening it to lock
    (which may truncate) would act on whatever it points to."""
    if path.is_symlink():
        raise ForeignPathError(
            "is a symlink, not a file of vaultcrm's own; not using it (remove the link)", path
        )


# ---------------------------------------------------------------- changing a note in place

LOCKS_DIR = "locks"
_ATTEMPTS = 5  # redo a change at most this often when the note keeps changing under us


def lock_path_for(state_dir: Path, path: Path) -> Path:
    """The lock file guarding ``path``: one per note, named by a hash of its real path."""
    digest = hashlib.blake2b(str(path.resolve()).encode("utf-8", "surrogateescape"), digest_size=12)
    return state_dir / LOCKS_DIR / f"{digest.hexdigest()}.lock"


_LOCK_NAME = re.compile(r"^[0-9a-f]{24}\.lock$")  # lock_path_for's names


def remove_idle_locks(state_dir: Path) -> int:
    """Remove the note lock files under ``state_dir/locks/`` that no process holds, and
    return how many went. A lock file is empty, but its name is a hash of a note's path,
    which would tell a note's name to anyone who guesses it (``forget``).

    Each is taken first, without waiting, and removed while held: a writer waiting for
    it at that moment finds its file gone and takes a new one (filelock checks that the
    file it locked still exists). Only files of a lock's own name are touched; a link is
    never followed, and a locks folder that is not vaultcrm's own is left alone."""
    from filelock import FileLock, Timeout

    folder = state_dir / LOCKS_DIR
    try:
        check_own(folder, state_dir.parent)
        entries = list(os.scandir(folder))
    except (OSError, VaultcrmError):  # none yet, or not ours to clean
        return 0
    removed = 0
    for entry in entries:
        if not _LOCK_NAME.match(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        lock = FileLock(entry.path)
        try:
            lock.acquire(timeout=0)
        except (Timeout, OSError):
            continue  # held: in use right now, so it stays
        try:
            os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
        finally:
            lock.release()
    return removed


def update_file(
    path: Path,
    change: Callable[[bytes], bytes],
    state_dir: Path,
    timeout: float | None = None,
    allow_read_only: bool = False,
) -> bytes:
    """Apply ``change`` (old bytes -> new bytes) to ``path`` atomically; return the new bytes.

    Holds the note's lock (under ``state_dir/locks/``) from the read to the rename, and
    re-reads the note right before the rename: content changed by someone who does not take
    our lock (an editor, a sync client) makes us redo ``change`` on the new bytes instead
    of writing over it. A symlinked note is changed where it points, keeping the link.

    A note without its owner's write permission (``chmod 444``) is refused unless
    ``allow_read_only``: replacing a file needs only its folder's permission, so the
    rename would otherwise ignore what the user said. The mode bits are checked rather
    than relying on EACCES, which root (and a rename) never sees.
    """
    from filelock import FileLock, Timeout

    path = Path(path).resolve()
    lock_file = lock_path_for(state_dir, path)
    own_folder(lock_file.parent, state_dir.parent)
    check_own_file(lock_file)
    wait = lock_timeout() if timeout is None else timeout
    lock = FileLock(str(lock_file))
    try:
        lock.acquire(timeout=wait)
    except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
        raise RefusedWriteError(
            f"another vaultcrm process has been changing this note for {wait:.0f}s; "
            "not writing (try again)",
            path,
        ) from None
    except OSError as exc:  # a read-only vault: the lock file cannot be made
        raise VaultcrmError(f"cannot write: {exc.strerror or exc}", lock_file) from None
    try:
        with _io_errors(path):
            return _update_locked(path, change, allow_read_only)
    finally:
        lock.release()


def is_read_only(mode: int) -> bool:
    """A note the user made read-only (``chmod 444``): vaultcrm does not write into it
    unless told to, even where the folder would let it (as root, for one)."""
    return not mode & stat.S_IWUSR


def _update_locked(
    path: Path, change: Callable[[bytes], bytes], allow_read_only: bool = False
) -> bytes:
    for _ in range(_ATTEMPTS):
        before, stamp = _read_with_stamp(path)
        if not allow_read_only and is_read_only(stamp.st_mode):
            raise RefusedWriteError(
                "is read-only (no write permission); not writing (pass --force to write anyway)",
                path,
            )
        after = change(before)
        if after == before:
            return after
        tmp = _temp_with(path.parent, after, stamp.st_mode & 0o7777)
        try:
            _keep_owner(tmp, stamp)
            now, now_stamp = _read_with_stamp(path)
            if now != before or _identity(now_stamp) != _identity(stamp):
                continue  # saved by someone else meanwhile: redo the change on their version
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # gone after a successful replace; removed otherwise
        _fsync_dir(path.parent)
        return after
    raise RefusedWriteError(
        "the note kept changing while vaultcrm tried to write it; not writing (try again)", path
    )


def _read_with_stamp(path: Path) -> tuple[bytes, os.stat_result]:
    if path.is_symlink():  # ``path`` was resolved: a link here was swapped in meanwhile
        raise RefusedWriteError(
            "the note was replaced by a link while vaultcrm wrote it; not writing", path
        )
    try:
        with open(path, "rb") as handle:
            stamp = os.fstat(handle.fileno())
            return handle.read(), stamp
    except FileNotFoundError:
        raise RefusedWriteError("the note is gone (moved or deleted); not writing", path) from None
    except OSError as exc:
        raise VaultcrmError(f"cannot read the note: {exc.strerror or exc}", path) from None


def _identity(stamp: os.stat_result) -> tuple[int, int, int, int]:
    return stamp.st_ino, stamp.st_dev, stamp.st_size, stamp.st_mtime_ns


def _keep_owner(tmp: str, stamp: os.stat_result) -> None:
    """Give the new file the old one's owner when we may (root editing a user's vault)."""
    st = os.stat(tmp)
    if (st.st_uid, st.st_gid) != (stamp.st_uid, stamp.st_gid):
        with contextlib.suppress(OSError):
            os.chown(tmp, stamp.st_uid, stamp.st_gid)


@contextlib.contextmanager
def _io_errors(path: Path):
    """A full disk or a read-only folder is the user's to fix: a message, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise VaultcrmError(f"cannot write: {exc.strerror or exc}", path) from None


def lock_timeout() -> float:
    """Seconds a writer waits for another's lock (a note's or the index's):
    ``VAULTCRM_LOCK_TIMEOUT``, default 60; tests set it short."""
    try:
        return float(os.environ.get("VAULTCRM_LOCK_TIMEOUT", "60"))
    except ValueError:
        return 60.0


# ---------------------------------------------------------------- a note's bytes as text

_BOM = b"\xef\xbb\xbf"


class NoteCodec(NamedTuple):
    """How a note's bytes are text: a BOM to keep and the codec after it, so a change
    made to the text writes back the same bytes everywhere else (``log``, ``import``,
    ``forget``). UTF-8 keeps
    undecodable bytes as they were (surrogateescape); a UTF-16/32 note is written back
    in its own encoding, never with UTF-8 lines in the middle."""

    bom: bytes
    codec: str
    errors: str

    @classmethod
    def of(cls, raw: bytes) -> NoteCodec:
        wide = wide_encoding(raw)
        if wide is not None:
            return cls(raw[: wide[1]], wide[0], "strict")
        return cls(_BOM if raw.startswith(_BOM) else b"", "utf-8", "surrogateescape")

    def decode(self, raw: bytes) -> str:
        try:
            return raw[len(self.bom) :].decode(self.codec, self.errors)
        except UnicodeDecodeError:
            raise RefusedWriteError(
                f"the note is not valid {self.codec.upper()}; not writing into it"
            ) from None

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec, self.errors)
