"""segments.py writes what Whoosh's own writer writes, byte for byte, only faster.

The index is a cache, but a wrong one gives wrong answers: so the fast paths (pool,
document, flush) are checked against Whoosh's stock SegmentWriter on the same notes,
file by file, including posting lists long enough to span blocks, short enough to be
inlined, and pools small enough to spill to disk.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from vaultcrm.engine.whoosh.index import NoteIndex, Stamp
from vaultcrm.engine.whoosh.schema import make_schema
from vaultcrm.engine.whoosh.segments import codec, index_storage, segment_writer
from vaultcrm.model.notes import parse_note

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate_vault  # noqa: E402


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[dict]:
    root = tmp_path_factory.mktemp("corpus")
    generate_vault(root, notes=400, seed=3)
    maker = NoteIndex(root / "unused", ["nl", "en"])
    docs = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        docs.append(maker._document(parse_note(rel, raw), Stamp(1, len(raw), "x")))
    return docs


def _segment_files(folder: Path, make_writer, docs: list[dict]) -> dict[str, bytes]:
    """Index ``docs`` in one commit; the segment's files by name without the segment id."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(["nl", "en"]), indexname="t")
    writer = make_writer(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    (segment,) = ix._read_toc().segments
    segid = segment.segment_id()
    return {
        p.name.replace(segid, "SEG"): p.read_bytes()
        for p in folder.iterdir()
        if p.name.startswith(segid)
    }


def test_segment_files_equal_whoosh_s_own_writer_s(tmp_path, documents) -> None:
    ours = _segment_files(
        tmp_path / "ours", lambda ix: segment_writer(ix, compound=False), documents
    )
    stock = _segment_files(
        tmp_path / "stock", lambda ix: ix.writer(codec=codec(), compound=False), documents
    )
    assert sorted(ours) == sorted(stock)
    assert {".trm", ".pst", ".col"} <= {Path(n).suffix for n in ours}
    for name in ours:
        assert ours[name] == stock[name], name


def _postings(folder: Path) -> dict:
    """Every term's statistics and postings, decoded."""
    ix = whoosh_index.open_dir(str(folder), indexname="t")
    out = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            matcher = reader.postings(field, term)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            out[field, term] = (stats, items)
    return out


def test_a_pool_that_spills_to_disk_writes_the_same_postings(tmp_path, documents) -> None:
    # Byte for byte the files differ, even between two stock writers with and without
    # spilling: pickle shares repeated values within a block only while they are one
    # object in memory. What a reader decodes is the same.
    for name, make in {
        "ours": lambda ix: segment_writer(ix, compound=False, limitmb=1),
        "stock": lambda ix: ix.writer(codec=codec(), compound=False, limitmb=1),
        "whole": lambda ix: segment_writer(ix, compound=False),
    }.items():
        _segment_files(tmp_path / name, make, documents)
    ours = _postings(tmp_path / "ours")
    assert len(ours) > 1000
    assert ours == _postings(tmp_path / "stock") == _postings(tmp_path / "whole")


def test_the_corpus_exercises_blocks_inlining_and_single_postings(tmp_path, documents) -> None:
    folder = tmp_path / "ix"
    _segment_files(folder, lambda ix: segment_writer(ix, compound=False), documents)
    ix = whoosh_index.open_dir(str(folder), indexname="t")
    with ix.reader() as reader:
        counts = [reader.doc_frequency("body", term) for term in reader.lexicon("body")]
    assert max(counts) > 128  # spans more than one block of postings
    assert any(2 <= c < 5 for c in counts)  # inlined in the term table
    assert 1 in counts


def test_a_writer_s_temporary_files_are_its_process_s_and_are_removed(tmp_path, documents) -> None:
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.FileIndex.create(index_storage(folder), make_schema(["nl", "en"]), "t")
    dead = folder / "t.999999999.tmp"  # left by a writer that was killed
    dead.mkdir()
    (dead / "pool0.run").write_bytes(b"spilled")
    writer = segment_writer(ix, limitmb=1)
    assert not dead.exists()
    for doc in documents:
        writer.add_document(**doc)
    temp = Path(writer._tempstorage.folder)
    assert temp == folder / f"t.{os.getpid()}.tmp"
    assert any(temp.iterdir())  # a 1 MB pool spilled runs here
    writer.commit()
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_merging_segments_with_deletions_gives_whoosh_s_postings(tmp_path, documents) -> None:
    # A merge adds each old segment's postings one by one (add_reader), renumbered, with
    # deleted documents left out: through _TermPool.add, spilling, as Whoosh's pool does.
    def build(name: str) -> whoosh_index.FileIndex:  # four segments, one of deletions
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.FileIndex.create(index_storage(folder), make_schema(["nl", "en"]), "t")
        for start in range(0, len(documents), 100):
            writer = segment_writer(ix)
            for doc in documents[start : start + 100]:
                writer.add_document(**doc)
            writer.commit(merge=False)
        writer = segment_writer(ix)
        for doc in documents[::7]:
            writer.delete_by_term("vc_path", doc["vc_path"])
        writer.commit(merge=False)
        return ix

    # (Whoosh's own writer cannot be the reference here: its pool rejects the '' value
    # its ListMatcher gives for inlined postings without values. The reference is a
    # single commit of the surviving notes, in the order the merge keeps them.)
    merged = build("merged")
    assert len(merged._read_toc().segments) == 4
    segment_writer(merged, limitmb=1).commit(optimize=True)
    assert len(merged._read_toc().segments) == 1
    kept = [d for i, d in enumerate(documents) if i % 7]
    _segment_files(tmp_path / "fresh", lambda ix: segment_writer(ix, compound=False), kept)
    assert _postings(tmp_path / "merged") == _postings(tmp_path / "fresh")


@pytest.mark.parametrize("spill", [False, True])
def test_the_pool_gives_each_term_once_with_its_postings_in_document_order(
    tmp_path, spill: bool
) -> None:
    from whoosh.filedb.filestore import FileStorage

    from vaultcrm.engine.whoosh.segments import _TermPool

    pool = _TermPool(FileStorage(str(tmp_path)).create(), limitmb=64)
    pool.add(("body", b"jazz", 7, 1.0, b"a"))
    pool.add(("body", b"cello", 1, 1.0, b"b"))
    if spill:
        pool._spill()
    pool.add(("body", b"jazz", 3, 2.0, b"c"))  # out of order, as a merge could add it
    pool.add_terms("name", 4, [(b"henk", 1, 1.0, b"d")])
    assert list(pool.terms()) == [
        (("body", b"cello"), [1, 1.0, b"b"]),
        (("body", b"jazz"), [3, 2.0, b"c", 7, 1.0, b"a"]),
        (("name", b"henk"), [4, 1.0, b"d"]),
    ]
    pool.cleanup()
    assert list(tmp_path.iterdir()) == []
