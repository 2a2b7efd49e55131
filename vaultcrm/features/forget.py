"""``vaultcrm forget NAME`` (SPEC §6; GDPR art. 17, the right to erasure).

A dry run by default: it lists every file and line that would change. With ``yes`` it

1. replaces every mention of the person in other notes (``model.mentions``: links by
   any of their names, their name, aliases and file name as words) with a placeholder,
   changing those bytes and no others (the same locked, atomic writes as ``log``);
2. renames notes whose file name holds one of their names (``2026-11-10 1-1 Henk.md``
   becomes ``2026-11-10 1-1 N.N..md``); the links to such a note hold the name too and
   are changed the same way, so they still find it;
3. deletes their note;
4. rebuilds the index from scratch (``engine.sync.purge_index``), so that no file under
   ``.vaultcrm/`` holds their name or a word only their note held.

A note whose front-matter would stop being valid YAML after the change is left alone
and listed, to be changed by hand; so is a rename whose new name is taken. What
vaultcrm cannot reach it names without acting: the vault's git history, files written
with ``--out``, calendar files, sync services and backups.

Messages here are about vaultcrm's own work, so they are English (see present/words.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..errors import RefusedWriteError, UsageError, VaultcrmError
from ..model.mentions import MentionFinder, replace_mentions
from ..model.notes import Note, fold, split_front_matter
from ..model.people import Person
from ..store.vault import Vault
from .export import footprint

DEFAULT_PLACEHOLDER = "N.N."  # nomen nescio: "name unknown", readable in every language
MAX_PLACEHOLDER = 100
# The placeholder lands in text, front-matter values, link targets and file names.
# A plain YAML scalar too (it may stand alone in a front-matter list): none of YAML's
# flow characters, and a letter, digit or "(" first (not an anchor, tag or quote).
_UNSAFE_PLACEHOLDER = re.compile(
    r'[\[\]|#^\\/:*?"<>%`{},\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]'
)
_PLACEHOLDER_START = re.compile(r"[^\w(]")


@dataclass(frozen=True)
class LineChange:
    """One line of a note before and after its mentions are replaced."""

    path: str
    line: int
    before: str
    after: str


@dataclass(frozen=True)
class Rename:
    path: str
    to: str


@dataclass(frozen=True)
class Skipped:
    """A change vaultcrm will not make, and why: the user makes it by hand."""

    path: str
    why: str


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` changes (dry run) or changed (``done``)."""

    name: str
    note: str  # their note, deleted
    placeholder: str
    changes: tuple[LineChange, ...]
    renames: tuple[Rename, ...]
    skipped: tuple[Skipped, ...]
    beyond: tuple[str, ...]  # what vaultcrm cannot reach: each a line of advice
    done: bool = False
    sync: SyncResult | None = None
    named_paths: tuple[str, ...] = ()  # folders and attachments named after them, kept
    sheets: tuple[str, ...] = ()  # sheets prep --save made for them alone: deleted

    @property
    def files(self) -> tuple[str, ...]:
        """The notes whose text changes, once each, in order."""
        return tuple(dict.fromkeys(c.path for c in self.changes))


def forget_person(
    vault: Vault,
    name: str,
    placeholder: str = DEFAULT_PLACEHOLDER,
    yes: bool = False,
    today: dt.date | None = None,
    engine: Engine | None = None,
) -> Forgotten:
    """Plan, and with ``yes`` carry out, erasing NAME from the vault and the index."""
    del today  # the same on every day; kept for the CLI's one call shape
    placeholder = _check_placeholder(placeholder)
    with reading(vault, engine) as index:
        index_directory = index.directory
        person = index_directory.resolve(name)
        own, finder, related, named_files = footprint(index, person)
        sync = index.result
    if any(fold(placeholder) == fold(k) or finder.find(placeholder) for k in person.keys):
        raise UsageError(f"the placeholder {placeholder!r} holds one of the names to forget")
    other = index_directory.lookup(placeholder)
    if other is not None:
        raise UsageError(
            f"the placeholder {placeholder!r} is what {other.name} is called: "
            "the mentions would then point to them"
        )
    # A sheet prep --save made for them alone is a copy of their note: it goes with it.
    sheets = [
        n.path
        for n in related
        if n.prepared and [p.path for p in index_directory.linked(n)] == [person.path]
    ]
    related = [n for n in related if n.path not in sheets]
    named_files = [path for path in named_files if path not in sheets]
    changes, skipped = _plan_changes(vault, finder, related, placeholder)
    renames, refused = _plan_renames(vault, finder, named_files, placeholder, own.path)
    skipped += refused
    named = _named_paths(vault, finder)
    touched = [
        *dict.fromkeys(c.path for c in changes),
        own.path,
        *sheets,
        *(r.path for r in renames),
    ]
    blocked = _read_only(vault, touched)
    if yes and blocked:
        path, why = blocked[0]
        raise RefusedWriteError(f"{why}; nothing was changed: make it writable first", path)
    skipped += [
        Skipped(path, f"{why}: forget --yes changes nothing until it is") for path, why in blocked
    ]
    plan = Forgotten(
        name=person.name,
        note=own.path,
        placeholder=placeholder,
        changes=tuple(changes),
        renames=tuple(renames),
        skipped=tuple(skipped),
        beyond=tuple(_beyond_reach(vault, person, named)),
        named_paths=tuple(named),
        sheets=tuple(sheets),
        sync=sync,
    )
    if not yes:
        return plan
    return _carry_out(vault, plan, finder)


def _read_only(vault: Vault, paths: list[str]) -> list[tuple[str, str]]:
    """The notes ``forget --yes`` could not change, delete or rename, and why: checked
    before anything is written, so that it never stops halfway."""
    from ..store.writes import is_read_only

    out = []
    for rel in paths:
        path = vault.path_of(rel)
        if path.exists() and is_read_only(path.stat().st_mode):
            out.append((rel, "is read-only"))
        elif not os.access(path.parent, os.W_OK | os.X_OK):
            out.append((rel, "is in a read-only folder"))
    return out


def _check_placeholder(text: str) -> str:
    text = text.strip()
    if not text:
        raise UsageError("the placeholder is empty")
    if len(text) > MAX_PLACEHOLDER:
        raise UsageError(f"the placeholder is longer than {MAX_PLACEHOLDER} characters")
    bad = _UNSAFE_PLACEHOLDER.search(text)
    first = _PLACEHOLDER_START.match(text)
    if bad or first:
        what = f"hold {bad[0]!r}" if bad else f"start with {first[0]!r}"
        raise UsageError(
            f"the placeholder may not {what}: it goes into links, front-matter and file names"
        )
    if not isinstance(_yaml_value(text), str):
        raise UsageError(
            f"the placeholder {text!r} reads as a number, yes/no or null in front-matter: "
            "add a letter (e.g. 'N.N.')"
        )
    return text


def _yaml_value(text: str) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _plan_changes(
    vault: Vault, finder: MentionFinder, related: list[Note], placeholder: str
) -> tuple[list[LineChange], list[Skipped]]:
    """Every line that changes, and the notes left alone."""
    from ..model.notes import note_text

    changes: list[LineChange] = []
    skipped: list[Skipped] = []
    for note in related:
        try:
            text = note_text(vault.read_bytes(note.path))
        except (OSError, VaultcrmError):  # gone since the sync: nothing to change
            continue
        new, lines = _replaced(text, finder, placeholder)
        if not lines:
            continue
        if _breaks_front_matter(text, new, note.path):
            skipped.append(
                Skipped(
                    note.path,
                    "its front-matter would no longer be valid YAML; replace the name by hand",
                )
            )
            continue
        changes.extend(LineChange(note.path, n, before, after) for n, before, after in lines)
    return changes, skipped


def _replaced(
    text: str, finder: MentionFinder, placeholder: str
) -> tuple[str, list[tuple[int, str, str]]]:
    """``text`` with every mention replaced, and (line, before, after) of each changed
    line. Line endings (LF or CRLF) and every other character stay as they were."""
    spans = finder.find(text)
    if not spans:
        return text, []
    lines = text.split("\n")
    by_line: dict[int, list] = {}
    for span in spans:
        by_line.setdefault(span.line, []).append(span)
    changed = []
    for number, found in by_line.items():
        line = lines[number - 1]
        end = "\r" if line.endswith("\r") else ""
        body = line[: len(line) - len(end)]
        after = replace_mentions(body, found, placeholder)
        lines[number - 1] = after + end
        changed.append((number, body, after))
    return "\n".join(lines), sorted(changed)


def _breaks_front_matter(before: str, after: str, path: str) -> bool:
    """Whether the change turns readable front-matter into a YAML error."""
    _, _, was = split_front_matter(before, path)
    _, _, now = split_front_matter(after, path)
    return bool(now) and not was


def _plan_renames(
    vault: Vault, finder: MentionFinder, named: list[str], placeholder: str, own: str
) -> tuple[list[Rename], list[Skipped]]:
    renames, skipped = [], []
    taken: set[str] = set()
    for path in named:
        if path == own:
            continue
        folder, _, file = path.rpartition("/")
        stem = file.removesuffix(".md")
        new_stem = replace_mentions(stem, finder.find(stem), placeholder)
        target = f"{folder}/{new_stem}.md" if folder else f"{new_stem}.md"
        try:
            exists = vault.path_of(target).exists()
        except VaultcrmError:
            exists = True
        if exists or fold(target) in taken:
            skipped.append(Skipped(path, f"cannot be renamed to {target}: that name is taken"))
            continue
        taken.add(fold(target))
        renames.append(Rename(path, target))
    return renames, skipped


def _carry_out(vault: Vault, plan: Forgotten, finder: MentionFinder) -> Forgotten:
    from ..engine.sync import purge_index
    from ..store.writes import NoteCodec, update_file

    def change(raw: bytes) -> bytes:
        # Done again on the bytes there now (``update_file`` redoes it if they change
        # meanwhile), which are the planned ones unless the note was edited since.
        codec = NoteCodec.of(raw)
        text = codec.decode(raw)
        new, _ = _replaced(text, finder, plan.placeholder)
        return raw if _breaks_front_matter(text, new, "") else codec.encode(new)

    for path in plan.files:
        update_file(vault.path_of(path), change, vault.state_dir)
    for rename in plan.renames:
        source, target = vault.path_of(rename.path), vault.path_of(rename.to)
        if target.exists():
            raise RefusedWriteError("exists already; not renaming over it", target)
        os.rename(source, target)
    for rel in (plan.note, *plan.sheets):
        note = vault.path_of(rel)
        try:
            note.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise VaultcrmError(f"cannot delete the note: {exc.strerror or exc}", note) from None
    sync = purge_index(vault)
    return Forgotten(
        plan.name,
        plan.note,
        plan.placeholder,
        plan.changes,
        plan.renames,
        plan.skipped,
        plan.beyond,
        done=True,
        named_paths=plan.named_paths,
        sheets=plan.sheets,
        sync=sync,
    )


def _beyond_reach(vault: Vault, person: Person, named: list[str]) -> list[str]:
    """What still holds the person after ``forget``, and what to do about it."""
    from ..store.calendars import calendar_paths

    out = []
    if named:
        shown = ", ".join(named[:10]) + (f" and {len(named) - 10} more" if len(named) > 10 else "")
        out.append(
            f"Folders and files that are not notes hold their name in theirs: {shown}. "
            "Rename or delete them; until then the index keeps the paths of the notes in them."
        )
    calendars = [str(p) for p in calendar_paths(vault.root, vault.config.calendars)]
    if calendars:
        out.append(
            f"The calendars in config.toml ({', '.join(calendars)}) are read, never "
            "written: delete the meetings with them there (vaultcrm keeps what a calendar "
            "holds in .vaultcrm/cache/ again when it next reads it)."
        )
    repo = _git_root(vault.root)
    if repo is not None:
        rel = os.path.relpath(vault.root / person.path, repo)
        out.append(
            f"The vault's git history ({repo}) still holds them. Purge it with git "
            f"filter-repo: `git filter-repo --invert-paths --path '{rel}'` for their note "
            "and `--replace-text FILE` (a file listing their names) for the mentions; then "
            "force-push and have every clone cloned again."
        )
    out.append(
        "Files written with --out (sheets, exports, network pages) are not tracked by "
        "vaultcrm: delete the ones about them."
    )
    out.append(
        "Calendar files made with `vaultcrm calendar` hold their birthday and follow-ups: "
        "export again and import the new file, or delete the events in your calendar."
    )
    out.append(
        "Sync services and backups (Obsidian Sync, iCloud, Dropbox, OneDrive, Time Machine) "
        "keep earlier versions and deleted files: remove them there."
    )
    if (vault.root / ".obsidian").is_dir() or (vault.root / ".trash").is_dir():
        out.append(
            "Obsidian keeps recently opened files in .obsidian/workspace.json and deleted "
            "notes in .trash/: check both."
        )
    return out


def _named_paths(vault: Vault, finder: MentionFinder) -> list[str]:
    """Folders and non-note files (attachments) whose names hold the person's, which
    ``forget`` does not rename: a walk of names only, skipping hidden folders."""
    out = []
    for top, folders, files in os.walk(vault.root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        where = Path(top).relative_to(vault.root)
        for name in (*folders, *(f for f in sorted(files) if not f.endswith(".md"))):
            if finder.find(name):
                out.append((where / name).as_posix())
    return out


def _git_root(folder: Path) -> Path | None:
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return parent
    return None
