"""The features through the engine interface: the Whoosh index and a fake that reads the
files agree on what each feature computes (tests/fake_engine.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from fake_engine import FakeEngine

from vaultcrm.features.agenda import build_agenda
from vaultcrm.features.calendar import build_calendar
from vaultcrm.features.check import check_vault
from vaultcrm.features.people import list_people
from vaultcrm.features.prep import build_sheet
from vaultcrm.features.search import search_vault
from vaultcrm.store.vault import Vault

DAYS = [dt.date(2026, 11, 23), dt.date(2026, 12, 2), dt.date(2027, 2, 28)]


@pytest.fixture(scope="module")
def vault(tmp_path_factory) -> Vault:
    import shutil

    from conftest import EXAMPLE_VAULT

    root = tmp_path_factory.mktemp("engine") / "vault"
    shutil.copytree(EXAMPLE_VAULT, root, ignore=shutil.ignore_patterns("index", "locks"))
    return Vault(root)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_agenda_people_and_sheets_are_the_same_without_an_index(vault: Vault, today) -> None:
    fake = FakeEngine(vault)
    assert build_agenda(vault, 30, today, engine=fake).to_dict() == (
        build_agenda(vault, 30, today).to_dict()
    )
    assert list_people(vault, today=today, engine=fake).rows == list_people(vault, today=today).rows
    for name in ("henk", "fatima", "ingrid", "joost"):
        assert build_sheet(vault, [name], today, engine=fake) == build_sheet(vault, [name], today)
    group = ["sanne", "fatima", "henk"]
    assert build_sheet(vault, group, today, engine=fake) == build_sheet(vault, group, today)


def test_check_calendar_and_search_through_a_fake(vault: Vault) -> None:
    fake = FakeEngine(vault)
    assert check_vault(vault, DAYS[0], engine=fake).problems == check_vault(vault, DAYS[0]).problems
    ours = build_calendar(vault, engine=fake).data.replace(b"\r\n ", b"").split(b"\r\n")
    theirs = build_calendar(vault).data.replace(b"\r\n ", b"").split(b"\r\n")
    assert [x for x in ours if not x.startswith(b"DTSTAMP")] == [
        x for x in theirs if not x.startswith(b"DTSTAMP")
    ]
    # (DTSTAMP is the moment of the export, not of the vault)
    found = {h.path for h in search_vault(vault, "jazz", engine=fake).hits}
    assert found and found <= {h.path for h in search_vault(vault, "jazz", limit=50).hits}


def test_no_gc_pauses_collections_and_leaves_cycles_collectable() -> None:
    # The pause for big acyclic work (engine/api.py no_gc): collections are off inside,
    # on again after, nothing stays frozen, and a cycle made inside is still collected.
    import gc
    import weakref

    from vaultcrm.engine.api import no_gc

    class Node:
        pass

    assert gc.isenabled()
    with no_gc():
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gone() is not None  # only the cycle collector frees a cycle
    gc.collect()
    assert gone() is None


def test_no_gc_lets_go_of_no_one_else_s_frozen_objects() -> None:
    import gc

    from vaultcrm.engine.api import no_gc

    kept = [object() for _ in range(10)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with no_gc():
            pass
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
    del kept
