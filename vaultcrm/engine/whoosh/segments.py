"""How a commit writes its Whoosh segment: Whoosh's own writer, with its per-posting
machinery replaced where a build spends its time.

Whoosh handles every posting (one word of one note) through half a dozen Python calls:
the analyzer's token, the pool's tuple, a sort, a run file, a length lookup in a file
just written, the codec's checks. On 10,000 notes (1.5 million postings) that was most
of a 60 s build. Here a document's postings go to the pool one field at a time, grouped
by term; a term's postings go to the codec's block buffer in slices. The files written
are Whoosh's own W3 format, byte for byte what its writer makes of the same postings
(tests/test_segments.py compares them), so every reader, merge and query is Whoosh's.

Everything here reaches into Whoosh-Reloaded 2.7.5 internals; pyproject.toml pins it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# The pool's memory before it spills a run to disk sets a build's peak memory.
WRITER_MB = 64
INLINE_POSTINGS = 5  # a term in fewer notes than this keeps its postings in the term table
_POSTING_BYTES = 80  # what one posting costs in _TermPool: three list slots, int, float
_TERM_BYTES = 200  # and a term: its key tuple, bytes and list
_CHECK_EVERY = 512  # documents or terms between two looks at a writer's ``interrupt``


class Interrupted(Exception):
    """A commit given up because its writer's ``interrupt`` asked (the watcher's tidy)."""


def codec() -> object:
    """Whoosh's W3 codec, with small posting lists kept in the term table.

    Its default writes even a one-posting list as a pickled, zlib-compressed block of its
    own: most terms of a vault are rare (names, made-up words, typos), and on 2,000 notes
    that was ~22,000 blocks, a tenth of a build.
    """
    from whoosh.codec.whoosh3 import W3Codec, W3TermInfo

    # Whoosh-Reloaded 2.7.5 calls the setter by a name it lacks, which is why its own
    # default never inlines; the reading side (is_inlined, ListMatcher) is intact.
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined
    return W3Codec(inlinelimit=INLINE_POSTINGS)


class _Lengths:
    """Each field's document lengths, read once from the column the commit just wrote
    (Whoosh reads them back per posting, ~5 µs each). Values are Whoosh's own: stored as
    one byte, decoded."""

    def __init__(self, reader):
        self._reader = reader
        self._tables: dict[str, list[int]] = {}

    def table(self, fieldname: str) -> list[int]:
        found = self._tables.get(fieldname)
        if found is None:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
            from whoosh.util.numeric import byte_to_length

            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            found = [] if column is None else [byte_to_length(b) if b else 0 for b in column]
            self._tables[fieldname] = found
        return found

    def close(self) -> None:
        self._reader.close()


class _TermPool:
    """The postings of a commit, grouped by term as they arrive.

    Whoosh's own pool keeps each posting as a tuple (~350 bytes) and, past its memory
    limit, sorts and pickles postings one by one to run files it merges back one by one:
    on 10,000 notes that was a third of a build. Here a term's postings are one flat list
    ``[doc, weight, value, doc, weight, value, …]``, a spill pickles whole terms, and only
    the distinct terms are sorted. Postings arrive in document order, so each list is
    already sorted; one that is not (a merge could, in principle) is sorted when read.
    """

    def __init__(self, tempstorage, limitmb: int):
        self._storage = tempstorage
        self._limit = limitmb * 1024 * 1024
        self._fields: dict[str, dict[bytes, list]] = {}  # field → term → flat postings
        self._unordered: set[tuple[str, bytes]] = set()
        self._size = 0
        self._runs: list[str] = []
        self.fieldnames: set[str] = set()

    def add_terms(self, fieldname: str, docnum: int, items: Iterable[tuple]) -> None:
        """One document's postings in one field: (term, freq, weight, value) tuples."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        size = 0
        for tbytes, _freq, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                terms[tbytes] = [docnum, weight, vbytes]
                size += _TERM_BYTES + len(tbytes)
            else:
                if docnum < postings[-3]:
                    self._unordered.add((fieldname, tbytes))
                postings += (docnum, weight, vbytes)
                size += _POSTING_BYTES
        self._size += size
        if self._size > self._limit:
            self._spill()

    def add(self, item: tuple) -> None:
        """Whoosh's interface (its merges add postings one by one)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_terms(fieldname, docnum, ((tbytes, 0, weight, vbytes),))

    def add_postings(self, fieldname: str, tbytes: bytes, flat: list) -> None:
        """A term's postings at once, flat as kept here (a merge, a term at a time)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = flat
            self._size += _TERM_BYTES + len(tbytes) + _POSTING_BYTES * (len(flat) // 3 - 1)
        else:
            if flat[0] < postings[-3]:
                self._unordered.add((fieldname, tbytes))
            postings += flat
            self._size += _POSTING_BYTES * (len(flat) // 3)
        if self._size > self._limit:
            self._spill()

    def _sorted_terms(self) -> list:
        for fieldname, tbytes in self._unordered:
            terms = self._fields[fieldname]
            terms[tbytes] = _by_doc(terms[tbytes])
        self._unordered.clear()
        return [
            ((fieldname, tbytes), terms[tbytes])
            for fieldname, terms in sorted(self._fields.items())
            for tbytes in sorted(terms)
        ]

    def _spill(self) -> None:
        name = f"pool{len(self._runs)}.run"
        # One pickle per term, not one Pickler for the run: a Pickler's memo (and the
        # Unpickler's, reading back) keeps every object of the run alive to the end, which
        # held all spilled postings in memory at once (a 30,000-note build peaked at 580 MB).
        with self._storage.create_file(name).raw_file() as f:
            for entry in self._sorted_terms():
                pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append(name)
        self._fields, self._size = {}, 0

    def _read_run(self, name: str) -> Iterator[tuple]:
        with self._storage.open_file(name).raw_file() as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return

    def terms(self) -> Iterator[tuple[tuple[str, bytes], list]]:
        """((field, term), flat postings) in field and term order, each term once."""
        if not self._runs:
            yield from self._sorted_terms()
            return
        sources = [self._read_run(name) for name in self._runs] + [self._sorted_terms()]
        merged = heapq.merge(*sources, key=lambda entry: entry[0])  # stable: runs in order
        for key, group in itertools.groupby(merged, key=lambda entry: entry[0]):
            parts = [flat for _, flat in group]
            flat = [x for part in parts for x in part] if len(parts) > 1 else parts[0]
            if any(a[-3] > b[0] for a, b in itertools.pairwise(parts)):
                flat = _by_doc(flat)
            yield key, flat

    def cleanup(self) -> None:
        for name in self._runs:
            with contextlib.suppress(Exception):
                self._storage.delete_file(name)
        self._runs, self._fields = [], {}


def _by_doc(flat: list) -> list:
    """A flat posting list sorted by document."""
    triples = sorted(zip(flat[0::3], flat[1::3], flat[2::3], strict=True), key=lambda t: t[0])
    return [x for triple in triples for x in triple]


def _write_terms(
    fieldwriter,
    schema,
    lengths: _Lengths,
    pool: _TermPool,
    check: Callable[[], None] | None = None,
) -> None:
    """The pool's postings into the codec: what Whoosh's ``add_postings`` does posting by
    posting (``add_posting`` per posting), done a block-sized slice of a term at a time.
    Blocks come out the same: full blocks of ``blocklimit`` postings, the rest last.
    ``check`` is called every few hundred terms (it may raise to give the commit up)."""
    current = None
    table: list[int] = []
    for n, ((fieldname, tbytes), flat) in enumerate(pool.terms()):
        if check is not None and n % _CHECK_EVERY == 0:
            check()
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current, table = fieldname, lengths.table(fieldname)
        fieldwriter.start_term(tbytes)
        postings = fieldwriter._postwriter
        limit = postings._blocklimit
        docs, weights, values = flat[0::3], flat[1::3], flat[2::3]
        for start in range(0, len(docs), limit):
            if len(postings._ids) >= limit:
                postings._write_block()
            chunk = docs[start : start + limit]
            postings._ids.extend(chunk)
            chunk_weights = weights[start : start + limit]
            postings._weights.extend(chunk_weights)
            postings._values.extend(v for v in values[start : start + limit] if v)
            postings._maxweight = max(postings._maxweight, max(chunk_weights))
            found = [table[d] for d in chunk if d < len(table) and table[d]]
            if found:
                low, high = min(found), max(found)
                if postings._minlength is None or low < postings._minlength:
                    postings._minlength = low
                if high > postings._maxlength:
                    postings._maxlength = high
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _all_postings(matcher) -> tuple[list, list, list]:
    """A term's postings (ids, weights, values), deleted documents included, a block at a
    time where the matcher is Whoosh's W3 block reader (a posting at a time otherwise)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    ids: list = []
    weights: list = []
    values: list = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids += matcher._ids
            weights += matcher._weights
            values += matcher._values
            matcher._next_block()
        return ids, weights, values
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return ids, weights, values


def _writer_class() -> type:
    from whoosh.writing import SegmentWriter

    class Writer(SegmentWriter):
        """Whoosh's SegmentWriter with the pool, document and flush paths above, and
        room for segments another process wrote."""

        def __init__(self, ix, **kwargs):
            try:
                super().__init__(ix, **kwargs)
            except BaseException:
                # Failed after taking Whoosh's WRITELOCK (a full disk while it makes its
                # first files): release it, or this process (a 'watch') could never write
                # again; the caller removes the files it made.
                lock = getattr(self, "writelock", None)
                if lock is not None:
                    with contextlib.suppress(Exception):
                        lock.release()
                temp = getattr(self, "_tempstorage", None)
                if temp is not None:
                    with contextlib.suppress(Exception):
                        temp.destroy()
                raise
            if kwargs.get("_lk", True):  # the writer that holds the lock tidies up
                _sweep_temp_folders(self.storage.folder, self.indexname)
            self.pool = _TermPool(self._tempstorage, kwargs.get("limitmb", WRITER_MB))
            self.extra_segments: Callable[[], list] | None = None
            # Asked now and then while merging and writing postings: True cancels the
            # commit with ``Interrupted`` (the watcher's tidy, when a save comes in).
            self.interrupt: Callable[[], bool] | None = None

        def check_interrupt(self) -> None:
            if self.interrupt is not None and self.interrupt():
                raise Interrupted

        def write_per_doc(self, fieldnames, reader):
            # Whoosh's, looking at ``interrupt`` between documents.
            docs = reader.iter_docs

            def iter_docs():
                for n, item in enumerate(docs()):
                    if n % _CHECK_EVERY == 0:
                        self.check_interrupt()
                    yield item

            reader.iter_docs = iter_docs
            try:
                return super().write_per_doc(fieldnames, reader)
            finally:
                del reader.iter_docs

        def add_postings_to_pool(self, reader, startdoc, docmap):
            # Whoosh's adds a merged segment's postings one by one (six calls each: 4 s of
            # a 6,000-note segment's merge); here a term's postings go at once, read a
            # block at a time, deleted documents (absent from ``docmap``) left out.
            schema, terms, pool = self.schema, reader._terms, self.pool
            for n, (fieldname, tbytes) in enumerate(reader.all_terms()):
                if n % _CHECK_EVERY == 0:
                    self.check_interrupt()
                if fieldname not in schema:
                    continue
                ids, weights, values = _all_postings(
                    terms.matcher(fieldname, tbytes, schema[fieldname].format)
                )
                flat: list = []
                if docmap is None:
                    for doc, weight, value in zip(ids, weights, values, strict=True):
                        flat += (startdoc + doc, weight, value)
                else:
                    for doc, weight, value in zip(ids, weights, values, strict=True):
                        new = docmap.get(doc)
                        if new is not None:
                            flat += (new, weight, value)
                if flat:
                    pool.add_postings(fieldname, tbytes, flat)

        def add_document(self, **fields):
            # Whoosh's, for the fields vaultcrm has (no vectors, spelling or boosts),
            # handing the pool a field's postings at once.
            self._check_state()
            schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
            perdoc.start_doc(docnum)
            try:
                for name in sorted(fields):
                    value = fields[name]
                    if value is None or name.startswith("_"):
                        continue
                    field = schema[name]
                    length = 0
                    if field.indexed:
                        items = list(field.index(value))
                        if field.scorable:
                            length = sum(item[1] for item in items)
                        self.pool.add_terms(name, docnum, items)
                    perdoc.add_field(name, field, value if field.stored else None, length)
                    if field.column_type:
                        column_value = field.to_column_value(value)
                        perdoc.add_column_value(name, field.column_type, column_value)
            except BaseException:
                perdoc.cancel_doc()
                raise
            perdoc.finish_doc()
            self._added = True
            self.docnum += 1

        def _flush_segment(self):
            self.perdocwriter.close()
            lengths = _Lengths(self.per_document_reader())
            try:
                self.check_interrupt()
                _write_terms(
                    self.fieldwriter, self.schema, lengths, self.pool, self.check_interrupt
                )
                self.fieldwriter.close()
            finally:
                lengths.close()

        def _commit_toc(self, segments):
            self.check_interrupt()  # the last moment a commit can still be given up
            extra = self.extra_segments() if self.extra_segments else []
            super()._commit_toc(list(segments) + extra)

    return Writer


def index_storage(folder: Path | str) -> object:
    """Whoosh's FileStorage for the index folder, giving each process a temporary folder
    of its own. Whoosh names it after the index alone, so the two processes of a
    rebuild would share it, and the first to finish would delete the other's files.
    (A writer and its per-document writer both ask for it: they share it, as in Whoosh,
    and the writer removes it when done.)"""
    global _STORAGE
    if _STORAGE is None:
        from whoosh.filedb.filestore import FileStorage

        class Storage(FileStorage):
            def create_file(self, name, *args, **kwargs):
                # Never write through a link that has one of the index's names: it would
                # overwrite whatever it points to (vaultcrm writes only files of its own).
                if os.path.islink(self._fpath(name)):
                    from ...errors import ForeignPathError

                    raise ForeignPathError(
                        "is a symlink, not a file of vaultcrm's own; not writing through it",
                        self._fpath(name),
                    )
                return super().create_file(name, *args, **kwargs)

            def temp_storage(self, name=None):
                if name and name.endswith(".tmp"):
                    name = f"{name[:-4]}.{os.getpid()}.tmp"
                return super().temp_storage(name)

        _STORAGE = Storage
    return _STORAGE(str(folder))


_STORAGE = None


def _sweep_temp_folders(folder: str, indexname: str) -> None:
    """Remove the temporary folders of writers whose process is gone (killed mid-build,
    perhaps with spilled runs in them). Whoosh's own clean-up knows only its segment
    files. A folder whose process id is in use (alive, or reused) is left alone."""
    import shutil

    prefix = f"{indexname}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


_WRITER = None


def segment_writer(ix, **kwargs) -> object:
    """A writer on ``ix`` (Whoosh's keyword arguments: timeout, limitmb, _lk, …)."""
    global _WRITER
    if _WRITER is None:
        _WRITER = _writer_class()
    kwargs.setdefault("limitmb", WRITER_MB)
    return _WRITER(ix, codec=codec(), **kwargs)
