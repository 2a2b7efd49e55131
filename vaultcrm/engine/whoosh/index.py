"""All Whoosh code lives here: the schema, opening (or rebuilding) and querying the index.

The index is a disposable cache of the vault. Each document carries the note's stamp
(mtime, size, content hash) so a sync can diff the vault against it, and the parsed
note itself so agenda, people and prep need not re-read and re-parse every file.
Every failure of Whoosh is turned into ``IndexCorruptError`` or ``IndexFailure``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pickle
import re
import shutil
import time
from collections.abc import Callable, Container, Iterable
from pathlib import Path

# isort: off
from . import lean  # noqa: F401 - first: Whoosh without its unused heavy imports

# isort: on
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile
from whoosh.writing import MERGE_SMALL, NO_MERGE

from ...errors import (
    IndexCorruptError,
    IndexFailure,
    IndexWriteError,
)
from ...model.notes import Note, flatten_values
from ..api import RawHit, no_gc
from .files import Entry, IndexFiles, SideTable, Stamp, is_own_file, write_own
from .query import parse as parse_query
from .query import spans as line_spans
from .schema import field_name, link_key, make_schema
from .scoring import rank
from .segments import index_storage, segment_writer

_OPEN_TRIES = 10  # a TOC swapped away by a concurrent commit is retried this often
_COPY_BELOW = 1 << 20  # bytes: smaller sub-files of a segment are copied, larger ones mapped


class _MappedFile:
    """A read-only file over a slice of the memory-mapped segment, copying only what is read."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: memoryview):
        self._buf, self._pos = buf, 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        rest = bytes(self._buf[self._pos :])
        cut = rest.find(b"\n") + 1 or len(rest)
        line = rest[: cut if size is None or size < 0 else min(cut, size)]
        self._pos += len(line)
        return line

    def __iter__(self):
        return iter(self.readline, b"")

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass


class _ZeroCopyBufferFile(BufferFile):
    """Whoosh's ``BufferFile`` copies each sub-file of a compound segment whole into a
    BytesIO when a reader opens it: on 10,000 notes that is ~50 MB of postings and terms
    (~70 ms) for every reader, so every command paid in proportion to the vault just to
    open the index. This one reads a large sub-file in place (measured: 1-2 ms); a small
    one is still copied, as BytesIO's reads are faster than ours and the copy is cheap."""

    def __init__(self, buf, name=None, onclose=None):
        small = len(buf) < _COPY_BELOW
        super().__init__(buf if small else b"", name=name, onclose=onclose)
        if not small:
            self._buf = buf
            self.file = _MappedFile(buf)


# Whoosh-Reloaded is pinned (pyproject.toml); compound.py looks the class up at call time.
whoosh_compound.BufferFile = _ZeroCopyBufferFile


class NoteIndex:
    """The Whoosh index of one vault. Open with ``NoteIndex.open``; rebuild on corruption."""

    def __init__(self, directory: Path, languages: Iterable[str], reading: Iterable[str] = ()):
        self.files = IndexFiles(directory, languages, reading)
        self.directory = directory
        self.languages = self.files.languages
        self.name = self.files.name
        self._ix = None
        self._schema: Schema | None = None
        self._searcher = None  # kept between queries: see _current_searcher
        self._stamps, self._briefs = self.files.stamps, self.files.briefs

    # ------------------------------------------------------------ opening

    def state(self) -> str:
        """'ok', 'missing' (no index yet), 'other' (another version or language set) or
        'corrupt' (its table of contents cannot be read)."""
        if not self.directory.is_dir():
            return "missing"
        try:
            if whoosh_index.exists_in(str(self.directory), indexname=self.name):
                return "ok"
        except Exception:  # a truncated or garbled TOC raises anything from TypeError on
            return "corrupt"
        if any(self.directory.glob("*.toc")):
            return "other"
        return "missing"

    def open(self) -> NoteIndex:
        """Open the existing index; raise ``IndexCorruptError`` if it cannot be read.

        Another process (``watch``) may commit between Whoosh listing the TOC files and
        reading the newest, which the commit has just replaced: that is retried, never
        taken for corruption (which would rebuild the whole index).
        """
        tocs: list[str] | None = None
        self._drop_searcher()
        for attempt in range(_OPEN_TRIES):
            try:
                self._ix = whoosh_index.FileIndex(
                    index_storage(self.directory), indexname=self.name
                )
                self._schema = self._ix.schema
                with self._ix.reader() as reader:
                    reader.doc_count_all()
                    self._check_seal(reader.generation())
                return self
            except FileNotFoundError as exc:
                failure: BaseException = exc
                # Only a commit in between (a new TOC) explains a vanished file; with the
                # same TOCs as at the last try, a segment really is gone: rebuild now
                # rather than after ten tries (Whoosh itself already waits 0.5 s each).
                now = sorted(p.name for p in self.directory.glob("*.toc"))
                if now == tocs:
                    break
                tocs = now
                time.sleep(0.01 * (attempt + 1))
            except Exception as exc:  # Whoosh raises anything from EOFError to pickle errors
                failure = exc
                break
        self._ix = None
        raise IndexCorruptError(f"the index is unreadable ({_why(failure)})", self.directory)

    def create(self) -> NoteIndex:
        """Empty the index folder of vaultcrm's own files and start an empty index.

        Only files whose names vaultcrm (or Whoosh, for it) writes are removed, never
        "every child": whatever else is in the folder stays. A symlink is refused
        (``ForeignPathError``), never followed or deleted: what it points to is not
        vaultcrm's. A plain file at the index's own path (a sync conflict) is replaced."""
        from ...store.writes import check_own_file

        if self.directory.is_symlink():
            check_own_file(self.directory)  # raises ForeignPathError
        try:
            if self.directory.exists() and not self.directory.is_dir():
                self.directory.unlink()  # a file named like vaultcrm's own folder, not a link
            if self.directory.exists():
                for child in self.directory.iterdir():
                    if not is_own_file(child.name):
                        continue
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)  # a writer's temporary folder: all ours
                    else:
                        child.unlink()
            self.directory.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.FileIndex.create(
                index_storage(self.directory), make_schema(self.languages), self.name
            )
            self._schema = self._ix.schema
            self._seal()
        except OSError as exc:
            raise IndexWriteError(
                f"cannot create the index: {exc.strerror or exc}", self.directory
            ) from None
        return self

    @property
    def ix(self):
        if self._ix is None:
            self.open()
        return self._ix

    def _current_searcher(self):
        """A searcher kept for the next query, reopened only once a commit has made a newer
        generation. Opening one re-reads the TOC and unpickles the schema with its
        analyzers: 2-3 ms, more than a selective query itself takes (~1 ms on 10k notes)."""
        searcher = self._searcher
        if searcher is not None and not searcher.up_to_date():
            self._drop_searcher()
            searcher = None
        if searcher is None:
            searcher = self._searcher = self.ix.searcher()
        return searcher

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None

    @property
    def schema(self) -> Schema:
        """The schema as read at open: ``ix.schema`` re-reads the TOC, racing writers."""
        if self._ix is None:
            self.open()
        return self._schema

    # ------------------------------------------------------------ reading

    def stamps(self) -> dict[str, Stamp]:
        """Path → stamp of every indexed note: what a sync diffs the vault against.

        Read from the stamp table saved beside this generation of the index (a few ms),
        not from the stored notes, which a no-op sync would otherwise decode in full
        (~300 ms on 10,000 notes). Without a table, the notes are read once and the
        tables are saved for the next run.
        """
        table = self._side(self._stamps)
        return {path: Stamp(*stamp) for path, stamp in table.items()}

    def brief_records(self) -> dict[str, tuple]:
        """Every note's brief (model/brief.py) as stored: read from the brief table beside
        this generation, not from the stored notes (see ``stamps``)."""
        return self._side(self._briefs)

    def _side(self, side: SideTable) -> dict:
        """The table ``side`` of the newest generation, made from the stored notes (and
        saved) when it is missing."""
        table = self.files.table(side)
        if table is not None:
            return table
        stamps: dict[str, tuple] = {}
        briefs: dict[str, tuple] = {}
        try:
            with self.ix.reader() as reader:
                generation = reader.generation()
                toc = None if generation is None else self.files.toc_identity(generation)
                for fields in reader.all_stored_fields():
                    path = fields["vc_path"]
                    stamps[path], briefs[path] = _entry(
                        _note_of(fields), Stamp(*fields["vc_stamp"])
                    )
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None
        for table, made in ((self._stamps, stamps), (self._briefs, briefs)):
            if toc is not None:  # no lock held: see SideTable.save
                table.save(generation, 0, made, toc=toc)
                table.remember((generation, 0, made), toc)
        return stamps if side is self._stamps else briefs

    def stamps_for(self, paths: Iterable[str]) -> dict[str, Stamp]:
        """Stamps of just these paths: the watcher's per-batch lookup, independent of vault size."""
        out: dict[str, Stamp] = {}
        try:
            with self.ix.searcher() as searcher:
                for path in paths:
                    fields = searcher.document(vc_path=path)
                    if fields:
                        out[path] = Stamp(*fields["vc_stamp"])
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None
        return out

    def paths_under(self, prefix: str) -> list[str]:
        """Indexed paths below a folder: what a folder rename or delete takes with it."""
        try:
            with self.ix.searcher() as searcher:
                docs = searcher.docs_for_query(wq.Prefix("vc_path", prefix))
                return sorted(searcher.stored_fields(d)["vc_path"] for d in docs)
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None

    def notes(self, kind: str | None = None) -> list[Note]:
        """The stored notes, all of them or of one kind, sorted by path."""
        try:
            with self.ix.searcher() as searcher:
                if kind is None:
                    stored = list(searcher.reader().all_stored_fields())
                else:
                    docs = searcher.docs_for_query(wq.Term("vc_kind", kind))
                    stored = [searcher.stored_fields(d) for d in docs]
                notes = [_note_of(f) for f in stored]
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None
        return sorted(notes, key=lambda n: n.path)

    def note(self, path: str) -> Note | None:
        """The stored note at ``path``; None when there is none. The searcher is kept
        for the next call (``agenda --by health`` asks for hundreds: 2 ms each to open)."""
        try:
            with contextlib.nullcontext(self._current_searcher()) as searcher:
                fields = searcher.document(vc_path=path)
                return _note_of(fields) if fields else None
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None

    def linking(self, names: Iterable[str], phrases: Iterable[str] = ()) -> list[Note]:
        """Notes that link to any of ``names`` or contain any of ``phrases`` in their text."""
        clauses: list[wq.Query] = [wq.Term("links", link_key(n)) for n in names]
        for phrase in phrases:
            words = [t.text for t in self.schema["body"].analyzer(phrase)]
            if len(words) > 1:
                clauses.append(wq.Phrase("body", words))
            elif words:
                clauses.append(wq.Term("body", words[0]))
        if not clauses:
            return []
        try:
            with self.ix.searcher() as searcher:
                docs = searcher.docs_for_query(wq.Or(clauses))
                return [_note_of(searcher.stored_fields(d)) for d in docs]
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None

    def search(self, text: str, limit: int | None = 20) -> list[RawHit]:
        """Ranked hits for a user's query: fields, phrases, AND OR NOT, wildcards."""
        query = self.parse(text)
        try:
            with contextlib.nullcontext(self._current_searcher()) as searcher:
                ranked = rank(searcher, query, limit)  # the common shapes, term at a time
                if ranked is not None:
                    hits = []
                    for docnum, score, terms in ranked:
                        fields = searcher.stored_fields(docnum)
                        note = _note_of(fields)
                        hits.append(RawHit(fields["vc_path"], score, note, terms))
                    return hits
                results = searcher.search(query, limit=limit, terms=True)
                hits = []
                for hit in results:
                    fields = hit.fields()
                    terms = tuple(
                        (f, t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t))
                        for f, t in (hit.matched_terms() or ())
                    )
                    hits.append(RawHit(fields["vc_path"], hit.score, _note_of(fields), terms))
                return hits
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None

    def parse(self, text: str) -> wq.Query:
        """A user's query as Whoosh's, stemmed as the index is (see ``query.parse``)."""
        return parse_query(self.schema, self._current_searcher, text)

    def spans(self, line: str, terms: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
        """Where in ``line`` the hit's terms are (see ``query.spans``)."""
        return line_spans(self.schema, line, terms)

    def walk_seen(self, digest: str) -> bool:
        """See ``IndexFiles.walk_seen``."""
        return self.files.walk_seen(digest)

    def remember_walk(self, digest: str) -> None:
        """See ``IndexFiles.remember_walk``."""
        self.files.remember_walk(digest)

    # ------------------------------------------------------------ seals

    # Whoosh keeps no checksums: a segment file garbled in place (a sync tool, a bad
    # copy, a failing disk) gives wrong hits or fails halfway through a command. So each
    # commit seals its generation: the size and mtime of every segment file, in
    # ``seal-<index name>-<generation>.json`` beside it, and ``open`` compares them (a few
    # stats), taking any difference for damage, which the sync then rebuilds. Segment
    # files never change after their commit, so a seal is never stale; a generation
    # without one (killed right after the commit) is just not checked.

    # The seal also counts the documents the generation's segments hold marked deleted,
    # so that ``index`` can tell without Whoosh whether a tidy has work (files.untidy).

    def _seal(self) -> None:
        """Seal the newest generation (we hold the write lock); best effort."""
        with contextlib.suppress(Exception):
            toc = whoosh_index.TOC.read(self._ix.storage, self.name)
            ids = {segment.segment_id() for segment in toc.segments}
            files = {}
            for entry in os.scandir(self.directory):
                if entry.name.split(".", 1)[0] in ids:
                    st = entry.stat()
                    files[entry.name] = [st.st_size, st.st_mtime_ns]
            deleted = sum(segment.deleted_count() for segment in toc.segments)
            path = self.files.seal_path(toc.generation)
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            data = {"files": files, "deleted": deleted}
            write_own(temp, json.dumps(data, sort_keys=True).encode("utf-8"))
            os.replace(temp, path)
            for old in self.directory.glob(f"seal-{self.name}-*.json"):
                if old != path:
                    old.unlink(missing_ok=True)

    def _check_seal(self, generation: int | None) -> None:
        """Raise ``_Damaged`` when a sealed segment file changed since its commit."""
        found = None if generation is None else self.files.read_seal(generation)
        if found is None:  # no seal (or an unreadable one): nothing to compare
            return
        for name, (size, mtime_ns) in found[0].items():
            st = os.stat(self.directory / name)  # FileNotFoundError: open() decides
            if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                raise _Damaged("a segment file was changed after it was written")

    # ------------------------------------------------------------ writing

    def write(
        self,
        upserts: Iterable[tuple[Note, Stamp]],
        deletions: Iterable[str],
        *,
        fresh: bool = False,
        new: Container[str] = (),
        merge: bool = True,
        tidy: bool = False,
        purge: bool = False,
        stop: Callable[[], bool] | None = None,
        more: Callable[[], tuple[list, dict[str, Entry]]] | None = None,
    ) -> None:
        """Apply one batch in one writer and one commit; cancel the writer on any failure.

        ``fresh``: the index was just created (its stamp table starts empty), so documents
        are added without first deleting an older copy, which is a search per note.
        ``new``: paths the index holds no copy of (the sync's plan says so), added so too.
        ``purge``: the same commit rewrites every segment that holds deleted documents
        (this batch's too) and saves the side tables whole (see ``tidy``).
        ``stop``: asked now and then during the commit's merge; when it says so, the
        commit is cancelled with ``Interrupted`` (the watcher, when a save comes in).
        ``more``: called once this writer's own segment is written, for the segments
        another process wrote with ``write_segment`` (and their notes' stamps); the
        commit adds them to the table of contents as they are.
        """
        try:
            writer = segment_writer(self.ix, timeout=30.0)
        except Exception as exc:
            # Failed while making its files (a full disk): what it made is ours to remove.
            self.sweep_unfinished()
            shutil.rmtree(self.directory / f"{self.name}.{os.getpid()}.tmp", ignore_errors=True)
            if isinstance(exc, OSError):
                raise IndexWriteError(
                    f"could not write the index: {exc.strerror or exc}", self.directory
                ) from None
            raise IndexFailure(
                f"cannot open the index for writing ({_why(exc)})", self.directory
            ) from None
        changes: dict[str, tuple | None] = {}
        writer.interrupt = stop
        try:
            with no_gc() if fresh or purge else contextlib.nullcontext():
                self._add(writer, upserts, deletions, changes, fresh, new, more)
                # merge=False leaves Whoosh's small segments for merge_index: the watcher's
                # batches, where a merge (up to ~1.5 s on 10,000 notes) would stall a save;
                # tidy=True then folds them all at once (MERGE_SMALL takes ~5 per commit).
                policy = _merge_small_segments if tidy else (MERGE_SMALL if merge else NO_MERGE)
                writer.commit(mergetype=_without_deleted(policy) if purge else policy)
            if purge:  # what Whoosh's own clean-up does not know
                self.sweep_unfinished(every_writer=True)
            self._seal()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                writer.cancel()
            _let_go(writer)
            self.sweep_unfinished()
            if isinstance(exc, OSError):
                raise IndexWriteError(
                    f"could not write the index: {exc.strerror or exc}", self.directory
                ) from None
            raise
        for index, side in enumerate((self._stamps, self._briefs)):
            side.record(
                writer.generation,
                {p: None if v is None else v[index] for p, v in changes.items()},
                fresh,
                whole=purge,
            )

    def tidy(self, *, small: bool = False, stop: Callable[[], bool] | None = None) -> bool:
        """Leave nothing of a deleted or replaced note in the index folder; hold the index
        lock. Returns whether a commit was made.

        Whoosh only marks a deleted document (or the old copy of an updated one) as
        deleted: its terms, postings and stored fields stay in the segment's file until
        a merge rewrites that segment, and the stamp and brief tables keep a removed path
        in the deltas below a newer table. So: every segment holding deleted documents is
        rewritten without them in one commit (Whoosh's own merge, ``add_reader``; a
        segment of nothing but deleted documents is just dropped), and the commit's
        cleanup deletes the old segment files and every older TOC; the tables are saved
        whole and their older files removed; and files no TOC uses (an unfinished
        commit's, another writer's temp folder, another generation's TOC) are deleted.
        ``small``: merge the watcher's small segments too (``merge_index``). Without
        deleted documents, no commit: the tables are compacted in place.

        Files are unlinked, not overwritten: what the file system does with the freed
        blocks is its own (as with any deleted file).
        """
        from whoosh.index import TOC

        self.sweep_unfinished(every_writer=True)
        try:
            segments = TOC.read(index_storage(self.directory), self.name).segments
            generation = self.ix.latest_generation()
        except Exception as exc:
            raise IndexCorruptError(
                f"the index is unreadable ({_why(exc)})", self.directory
            ) from None
        deleted = any(segment.has_deletions() for segment in segments)
        if deleted or (small and _small_to_merge(segments)):
            self.write((), (), tidy=small, purge=True, stop=stop)
            return True
        for side in (self._stamps, self._briefs):
            if side.stale(generation):
                side.compact(generation)
        sealed = self.files.read_seal(generation)
        if sealed is None or sealed[1] is None:
            self._seal()  # a seal of the first format: counted now, so no-op runs can tell
        return False

    def sweep_unfinished(self, every_writer: bool = False) -> None:
        """Delete segment files and TOC temp files that no table of contents refers to:
        what a failed commit (a full disk) leaves behind, which Whoosh would only clean
        up at the next successful one, so each failed retry piled up more. Call it only
        holding the index lock: another writer's segment in progress looks the same.

        ``every_writer`` (a tidy, when no writer of this index can be running): also the
        TOCs of older generations and the temp folders of every other process, which may
        hold a dead writer's spilled postings."""
        from whoosh.index import TOC

        try:
            toc = TOC.read(index_storage(self.directory), self.name)
            kept = {segment.segment_id() for segment in toc.segments}
        except Exception:  # no readable TOC: nothing is known to be unused
            return
        segment = TOC._segment_pattern(self.name)
        toc_temp = re.compile(rf"^_{re.escape(self.name)}_\d+\.toc\..+$")
        old_toc = TOC._pattern(self.name)
        mine = f"{self.name}.{os.getpid()}.tmp"
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.directory):
                found = segment.match(entry.name)
                if (found and found[1] not in kept) or toc_temp.match(entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                elif not every_writer:
                    continue
                elif (toc_found := old_toc.match(entry.name)) and int(
                    toc_found[1]
                ) != toc.generation:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                elif self.files.is_writer_temp(entry.name) and entry.name != mine:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def _add(self, writer, upserts, deletions, changes: dict, fresh: bool, new, more) -> None:
        add, update = writer.add_document, writer.update_document
        for note, stamp in upserts:
            (add if fresh or note.path in new else update)(**self._document(note, stamp))
            changes[note.path] = _entry(note, stamp)
        # After the upserts: a sync adds the notes it found gone while reading them.
        for path in deletions:
            writer.delete_by_term("vc_path", path)
            changes[path] = None
        if more is not None:  # fetched once this writer's own segment is written

            def fetch() -> list:
                segments, entries = more()
                changes.update(entries)
                return list(segments)

            writer.extra_segments = fetch

    def write_segment(
        self, upserts: Iterable[tuple[Note, Stamp]]
    ) -> tuple[object, dict[str, Entry]]:
        """Index notes into a segment of their own, without committing it: the part of a
        rebuild a second process does (see sync.py). The process that holds the write
        lock commits it with ``write(more=...)``; until then no reader sees it, and if
        that commit never comes, the next commit deletes its files."""
        writer = segment_writer(self.ix, _lk=False)
        entries: dict[str, Entry] = {}
        try:
            with no_gc():
                for note, stamp in upserts:
                    writer.add_document(**self._document(note, stamp))
                    entries[note.path] = _entry(note, stamp)
                segment = writer._finalize_segment()
        finally:
            with contextlib.suppress(Exception):
                writer._tempstorage.destroy()
        return segment, entries

    def _document(self, note: Note, stamp: Stamp) -> dict:
        from ..records import record_of

        stored = record_of(dataclasses.replace(note, text=""))  # plain data, no classes
        doc: dict = {
            "vc_path": note.path,
            "vc_kind": note.kind,
            "vc_stamp": (stamp.mtime_ns, stamp.size, stamp.sha),
            "vc_note": pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL),
            "name": note.title,
            "aliases": " ".join(note.aliases),
            "tags": ",".join(t.lower() for t in note.tags),
            "links": ",".join(link_key(t) for t in (*note.links, *note.attendees)),
            "body": note.text,
        }
        for key, value in note.meta.items():
            name = field_name(key)
            if name and name not in doc:
                doc[name] = " ".join(flatten_values(value))
        return {k: v for k, v in doc.items() if v != "" or k in ("vc_path", "vc_kind")}

    def close(self) -> None:
        self._drop_searcher()
        if self._ix is not None:
            self._ix.close()
            self._ix = None


def _entry(note: Note, stamp: Stamp) -> Entry:
    from ...model.brief import brief_of
    from ..records import record_of

    return (stamp.mtime_ns, stamp.size, stamp.sha), record_of(brief_of(note))


def _note_of(fields: dict) -> Note:
    """The note a document stores (a plain record, see engine/records.py)."""
    from ..records import note_from_record

    return note_from_record(pickle.loads(fields["vc_note"]))


def _let_go(writer) -> None:
    """Release a failed writer's lock for sure. Whoosh's ``cancel`` closes the segment
    files first, which on a full disk fails again before it reaches the lock: a
    long-running ``watch`` would then hold Whoosh's WRITELOCK forever and fail every
    later batch, even after space was freed."""
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()
    with contextlib.suppress(Exception):
        writer._tempstorage.destroy()
    writer.is_closed = True


def _without_deleted(policy: Callable[[object, list], list]) -> Callable[[object, list], list]:
    """A merge policy that first rewrites every segment holding deleted documents (a
    segment of nothing else is dropped), then applies ``policy`` to the rest."""

    def merge(writer, segments: list) -> list:
        from whoosh.reading import SegmentReader

        kept = []
        for seg in segments:
            if not seg.has_deletions():
                kept.append(seg)
            elif seg.doc_count():  # what is left of it goes into this commit's segment
                reader = SegmentReader(writer.storage, writer.schema, seg)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
        return policy(writer, kept)

    return merge


def _merge_small_segments(writer, segments: list) -> list:
    """Tiered merging: segments under a tenth of the index are grouped by size (1-9
    documents, 10-99, 100-999, ...) and any group of four or more is folded into one.

    Whoosh's MERGE_SMALL merges the few smallest segments per commit: it keeps pace with
    one new segment per commit, not with a pile of unmerged watcher batches. Tiers keep
    the segment count logarithmic while a tidy usually merges only a few tiny segments.
    """
    from whoosh.reading import SegmentReader

    merging = _small_to_merge(segments)
    if not merging:
        return segments
    for seg in merging:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in merging]


def _small_to_merge(segments: list) -> list:
    """The segments ``_merge_small_segments`` folds together."""

    def tier(seg) -> int:
        return len(str(max(1, seg.doc_count_all()))) - 1

    total = sum(seg.doc_count_all() for seg in segments)
    groups: dict[int, list] = {}
    for seg in segments:
        if seg.doc_count_all() * 10 < total:  # the big segments are never rewritten
            groups.setdefault(tier(seg), []).append(seg)
    return [seg for group in groups.values() if len(group) >= 4 for seg in group]


# Whoosh's query parser takes time quadratic in a query's length: 4,000 AND-ed words
# took 12 s and one 100,000-character word never finished. Real queries are a few words.
class _Damaged(Exception):
    """A sealed segment file is not as its commit left it."""


def _why(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"missing file {Path(exc.filename).name}"  # not the whole path: one short line
    if isinstance(exc, _Damaged):
        return str(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
