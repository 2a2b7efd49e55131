"""scoring.py ranks exactly as Whoosh's own searcher does, only faster.

Every query here is run both ways on the same index, one built by a rebuild and then
changed note by note without merging (several segments, deleted documents), so offsets
and deletions are exercised as well as boosts, stems, fields and ties.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vaultcrm.engine.sync import index_for, sync_vault
from vaultcrm.engine.whoosh.scoring import rank
from vaultcrm.store.vault import Vault

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate_vault  # noqa: E402

QUERIES = [
    "tentamen",
    "tentamens",
    "jazz",
    "zeilen",
    "tentamen jazz",
    "jazz OR zeilen",
    "team:sales",
    "tag:mentor",
    "kind:person",
    "Anouk",
    "release planning",
    "(jazz OR zeilen) tentamen",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("vault")
    generate_vault(root, notes=600, seed=5)
    (root / ".vaultcrm" / "config.toml").write_text('languages = ["nl", "en"]\n')
    vault = Vault(root)
    sync_vault(vault, rebuild=True)
    notes = sorted(p for p in root.rglob("*.md") if ".vaultcrm" not in p.parts)
    for i, path in enumerate(notes[::37]):  # edits and deletions, each its own segment
        rel = path.relative_to(root).as_posix()
        if i % 3 == 0:
            path.unlink()
        else:
            path.write_text(path.read_text() + f"\nNog een tentamen en jazz {i}.\n")
        sync_vault(vault, paths=[rel], merge=False)
    idx = index_for(vault).open()
    yield idx
    idx.close()


def test_the_index_has_several_segments_and_deletions(index) -> None:
    with index.ix.reader() as reader:
        assert not reader.is_atomic()
        assert reader.has_deletions()


@pytest.mark.parametrize("limit", [10, None])
@pytest.mark.parametrize("text", QUERIES)
def test_ranks_as_whoosh_does(index, text: str, limit: int | None) -> None:
    query = index.parse(text)
    searcher = index._current_searcher()
    ours = rank(searcher, query, limit)
    assert ours is not None, "a word-and-OR query takes the fast path"
    theirs = searcher.search(query, limit=limit, terms=True)
    assert [doc for doc, _, _ in ours] == [hit.docnum for hit in theirs]
    assert [score for _, score, _ in ours] == pytest.approx([hit.score for hit in theirs])
    for (_, _, terms), hit in zip(ours, theirs, strict=True):
        expected = {(f, t.decode() if isinstance(t, bytes) else t) for f, t in hit.matched_terms()}
        assert set(terms) == expected
    assert len(ours) > 0 or text == "tag:mentor"


@pytest.mark.parametrize("text", ['"haar wiskunde"', "tent*", "jazz NOT zeilen", "jazz^2"])
def test_other_shapes_are_left_to_whoosh(index, text: str) -> None:
    assert rank(index._current_searcher(), index.parse(text), 10) is None


def test_a_repeated_query_is_answered_from_the_kept_postings(index, monkeypatch) -> None:
    import vaultcrm.engine.whoosh.scoring

    reads: list[bytes] = []
    real = vaultcrm.engine.whoosh.scoring._postings

    def counted(reader, field, btext):
        reads.append(btext)
        return real(reader, field, btext)

    monkeypatch.setattr(vaultcrm.engine.whoosh.scoring, "_postings", counted)
    index._drop_searcher()
    searcher = index._current_searcher()
    query = index.parse("tentamen")
    first = rank(searcher, query, 10)
    assert reads  # read from the index the first time
    reads.clear()
    assert rank(searcher, query, 10) == first
    assert reads == []  # and not again


def test_the_kept_postings_stay_within_their_budget(index, monkeypatch) -> None:
    import vaultcrm.engine.whoosh.scoring

    monkeypatch.setattr(vaultcrm.engine.whoosh.scoring, "_CACHED_POSTINGS", 500)
    index._drop_searcher()
    searcher = index._current_searcher()
    for word in ("tentamen", "jazz", "zeilen", "release", "planning"):
        rank(searcher, index.parse(word), 10)
        cache = searcher._vaultcrm_cache
        assert cache.size == sum(len(ids) for ids, _ in cache.postings.values())
        # over budget only by the one term just read (it is kept until the next)
        assert cache.size <= 500 or len(cache.postings) == 1
