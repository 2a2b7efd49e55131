"""Reading address books and filling notes from them (issue 16), byte for byte.

The .vcf files are written here in the shapes Google (3.0), Apple (3.0 with item groups
and X-APPLE-OMIT-YEAR), Outlook (2.1 with quoted-printable soft line breaks and CHARSET)
and vCard 4.0 exporters produce.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcrm.errors import RefusedWriteError
from vaultcrm.features.contacts import (
    Conflict,
    Contact,
    ContactsError,
    fill_front_matter,
    import_contacts,
    read_contacts,
)
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 11, 23)

GOOGLE = """BEGIN:VCARD
VERSION:3.0
FN:Henk de Vries
N:de Vries;Henk;;;
NICKNAME:HdV
EMAIL;TYPE=INTERNET;TYPE=HOME:henk@home.example
EMAIL;TYPE=INTERNET;TYPE=WORK;TYPE=pref:henk@example.com
TEL;TYPE=CELL:0612345678
TEL;TYPE=WORK:020 123 4567
ADR;TYPE=HOME:;;Straat 1;Utrecht;;01234;NL
ORG:Acme B.V.;Klantenservice
TITLE:Senior Support Engineer
BDAY:1978-04-12
NOTE:Met at the HR-congres\\, Utrecht. Daughter Lisa\\; maths exam in Novem
 ber.\\nLikes jazz.
CATEGORIES:myContacts,Team A\\, Utrecht,mentor
END:VCARD
"""

APPLE = """BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 15.1//EN
N:Jansen;Sanne;;;
FN:Sanne Jansen
ORG:Acme B.V.;
item1.EMAIL;type=INTERNET;type=pref:sanne@example.com
item1.X-ABLabel:_$!<Other>!$_
TEL;type=CELL;type=VOICE;type=pref:+31 6 1234 5678
BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-19
X-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE:ABPerson
END:VCARD
"""

OUTLOOK = """BEGIN:VCARD
VERSION:2.1
N;LANGUAGE=nl;CHARSET=utf-8:Bakker;Zo=C3=AB
FN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Zo=C3=AB Bakker
ORG:Acme B.V.;HR
TITLE:Recruiter
NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Eerste regel=0D=0ATweede regel met een lange tekst die Out=
look afbreekt
TEL;WORK;VOICE:+31612345678
EMAIL;PREF;INTERNET:zoe@example.com
X-MS-OL-DEFAULT-POSTAL-ADDRESS:0
END:VCARD
"""

V4 = """BEGIN:VCARD
VERSION:4.0
FN:Pieter Smit
N:Smit;Pieter;;;
EMAIL;TYPE=work;PREF=1:pieter@example.com
TEL;VALUE=uri;TYPE="voice,cell":tel:+31-6-1111-2222
BDAY:--0412
CATEGORIES:peer
END:VCARD
"""


def vcf(tmp_path: Path, *cards: str, name: str = "contacts.vcf", eol: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_bytes("".join(cards).replace("\n", eol).encode("utf-8"))
    return path


def test_google(tmp_path: Path) -> None:
    book = read_contacts(vcf(tmp_path, GOOGLE))
    assert book.problems == ()
    assert book.contacts == (
        Contact(
            name="Henk de Vries",
            line=1,
            aliases=("HdV",),
            emails=("henk@example.com", "henk@home.example"),  # the preferred first
            phone="0612345678",
            role="Senior Support Engineer",
            organisation="Acme B.V.",
            team="Klantenservice",
            birthday="1978-04-12",
            tags=("Team A, Utrecht", "mentor"),  # Google's own group left out
            note="Met at the HR-congres, Utrecht. Daughter Lisa; maths exam in November.\nLikes jazz.",
        ),
    )


def test_apple_groups_and_a_year_less_birthday(tmp_path: Path) -> None:
    (sanne,) = read_contacts(vcf(tmp_path, APPLE, eol="\n")).contacts
    assert (sanne.name, sanne.emails, sanne.phone) == (
        "Sanne Jansen",
        ("sanne@example.com",),
        "+31 6 1234 5678",
    )
    assert sanne.birthday == "--07-19"
    assert (sanne.organisation, sanne.team) == ("Acme B.V.", "")


def test_outlook_2_1_quoted_printable(tmp_path: Path) -> None:
    (zoe,) = read_contacts(vcf(tmp_path, OUTLOOK)).contacts
    assert zoe.name == "Zoë Bakker"
    assert zoe.note == "Eerste regel\r\nTweede regel met een lange tekst die Outlook afbreekt"
    assert (zoe.emails, zoe.phone, zoe.team, zoe.role) == (
        ("zoe@example.com",),
        "+31612345678",
        "HR",
        "Recruiter",
    )


def test_a_comma_left_unescaped_is_only_a_comma(tmp_path: Path) -> None:
    """Outlook files people as "Dijk, Jan" and many exporters do not escape commas in
    text: the name, role, organisation and note are kept whole, not cut at the comma."""
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Van Dijk, Jan\nTITLE:Head of Sales\\, EMEA\n"
        "ORG:Smith, Jones & Co;Sales, Benelux\nNOTE:first, second\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nFN:Zo=C3=AB\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Caf=C3=A9 liefhebber, =\n"
        "spreekt Fran=C3=A7ais\nEND:VCARD\n"
    )
    jan, zoe = read_contacts(vcf(tmp_path, card)).contacts
    assert (jan.name, jan.role, jan.organisation, jan.team, jan.note) == (
        "Van Dijk, Jan",
        "Head of Sales, EMEA",
        "Smith, Jones & Co",
        "Sales, Benelux",
        "first, second",
    )
    assert zoe.note == "Café liefhebber, spreekt Français"


def test_what_a_card_holds_stays_text_in_the_vault(tmp_path: Path) -> None:
    """No link, second line or comment mark from an address book acts in a note."""
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Smit\nCATEGORIES:[[Henk]],team\n"
        "TITLE:Lead\\n## Log\nNOTE:%% hidden? [[Bob]] %%\nEND:VCARD\n"
    )
    (ann,) = read_contacts(vcf(tmp_path, card)).contacts
    assert (ann.tags, ann.role) == (("Henk", "team"), "Lead ## Log")
    assert ann.note == "\\%\\% hidden? Bob \\%\\%"


def test_windows_1252_and_utf16(tmp_path: Path) -> None:
    card = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Zoë Bakker\r\nEND:VCARD\r\n"
    (tmp_path / "a.vcf").write_bytes(card.encode("cp1252"))
    (tmp_path / "b.vcf").write_bytes(card.encode("utf-16"))
    for name in ("a.vcf", "b.vcf"):
        assert [c.name for c in read_contacts(tmp_path / name).contacts] == ["Zoë Bakker"]


def test_vcard_4(tmp_path: Path) -> None:
    (pieter,) = read_contacts(vcf(tmp_path, V4)).contacts
    assert (pieter.phone, pieter.birthday, pieter.tags) == ("+31-6-1111-2222", "--04-12", ("peer",))


@pytest.mark.parametrize(
    "bday, expected",
    [
        ("19780412", "1978-04-12"),
        ("1978-04-12T00:00:00Z", "1978-04-12"),
        ("--04-12", "--04-12"),
        ("--0412", "--04-12"),
        ("--0229", "--02-29"),
        ("1978-02-30", ""),
        ("circa 1800", ""),
    ],
)
def test_birthdays(tmp_path: Path, bday: str, expected: str) -> None:
    card = f"BEGIN:VCARD\nVERSION:3.0\nFN:A B\nBDAY:{bday}\nEND:VCARD\n"
    book = read_contacts(vcf(tmp_path, card))
    assert book.contacts[0].birthday == expected
    assert bool(book.problems) == (not expected)


def test_bad_cards_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    nameless = "BEGIN:VCARD\nVERSION:3.0\nEMAIL:x@example.com\nEND:VCARD\n"
    broken = "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis is not a vcard line\nEND:VCARD\n"
    cut = "BEGIN:VCARD\nVERSION:3.0\nFN:Cut off\n"
    path = vcf(tmp_path, nameless, GOOGLE, broken, V4, cut)
    book = read_contacts(path)
    assert [c.name for c in book.contacts] == ["Henk de Vries", "Pieter Smit"]
    assert [(p.line, p.message) for p in book.problems] == [
        (36, "the file ends inside this contact (cut off?)"),
        (1, "a contact without a name (FN or N) (x@example.com); skipped"),
        (25, "this contact is not valid vCard; skipped"),
    ]


def test_reading_adds_no_log_handler_per_card(tmp_path: Path, capfd) -> None:
    """vobject's messages are kept quiet once, not with a handler per card read: those
    piled up (1,000 per import of 1,000 cards) and every import scanned them again."""
    import logging

    handlers = logging.getLogger("vobject").handlers
    before = len(handlers)
    broken = "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis is not a vcard line\nEND:VCARD\n"
    path = vcf(tmp_path, GOOGLE, broken, APPLE, OUTLOOK, V4)
    for _ in range(3):
        read_contacts(path)
    assert len(handlers) == before >= 1
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("content", [b"", b"hello\n", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"])
def test_not_a_vcard_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.vcf"
    path.write_bytes(content)
    with pytest.raises(ContactsError) as caught:
        read_contacts(path)
    assert caught.value.message == "not a vCard file (it holds no BEGIN:VCARD)"
    assert caught.value.exit_code == 2


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContactsError, match="contacts file does not exist"):
        read_contacts(tmp_path / "gone.vcf")


# ---------------------------------------------------------------- byte-exact fills

HENK = Contact(
    name="Henk de Vries",
    emails=("henk@example.com", "henk@home.example"),
    phone="0612345678",
    role="Senior Support Engineer",
    birthday="1978-04-12",
    tags=("mentor",),
)


def test_crlf_bom_comments_and_no_final_newline_stay() -> None:
    before = (
        "\ufeff---\r\n"
        "name: Henk de Vries   # the name\r\n"
        "aliases: [Henk]\r\n"
        "email:          # work address\r\n"
        "role: ''\r\n"
        'phone: "06 12 34 56 78"  \r\n'
        "tags: []\r\n"
        "---\r\n"
        "# Henk  \r\n"
        "- 2026-10-01: coffee  "
    ).encode()
    fill = fill_front_matter(before, HENK, "people/Henk de Vries.md")
    assert fill.filled == ("role", "email", "emails", "birthday", "tags")
    assert fill.conflicts == ()
    assert (
        fill.data
        == (
            "\ufeff---\r\n"
            "name: Henk de Vries   # the name\r\n"
            "aliases: [Henk]\r\n"
            "email: henk@example.com # work address\r\n"
            "role: Senior Support Engineer\r\n"
            'phone: "06 12 34 56 78"  \r\n'
            "tags: [mentor]\r\n"
            "emails: [henk@home.example]\r\n"
            "birthday: 1978-04-12\r\n"
            "---\r\n"
            "# Henk  \r\n"
            "- 2026-10-01: coffee  "
        ).encode()
    )
    again = fill_front_matter(fill.data, HENK, "people/Henk de Vries.md")
    assert again.data == fill.data and again.filled == () and again.conflicts == ()


def test_a_comment_keeps_its_column_when_there_is_room() -> None:
    before = b"---\nrole:                          # what they do\nemail:\n---\n"
    contact = Contact(name="x", role="Engineer")
    assert fill_front_matter(before, contact, "people/x.md").data == (
        b"---\nrole: Engineer" + b" " * 17 + b"# what they do\nemail:\n---\n"
    )


def test_values_are_never_overwritten_and_differences_listed() -> None:
    before = (
        b"---\nname: Hendrik de Vries\nemail: h.devries@example.com\nphone: 0687654321\n"
        b"birthday: 1978-05-01\ntags: [golf]\nrole: Engineer\n---\nBody\n"
    )
    fill = fill_front_matter(before, HENK, "people/Hendrik de Vries.md")
    assert fill.data == before and fill.filled == ()  # none of a conflicting email's others
    assert fill.conflicts == (
        Conflict("name", "Hendrik de Vries", "Henk de Vries"),
        Conflict("role", "Engineer", "Senior Support Engineer"),
        Conflict("email", "h.devries@example.com", "henk@example.com"),
        Conflict("phone", "0687654321", "0612345678"),
        Conflict("birthday", "1978-05-01", "1978-04-12"),
        Conflict("tags", "golf", "mentor"),
    )


def test_the_notes_address_may_be_any_of_the_contacts() -> None:
    before = b"---\nemail: HENK@home.example\nemails: [henk@example.com]\n---\n"
    fill = fill_front_matter(before, HENK, "people/Henk de Vries.md")
    assert fill.conflicts == () and "email" not in fill.filled and "emails" not in fill.filled


def test_phones_and_postcodes_stay_text() -> None:
    fill = fill_front_matter(b"---\n---\n", Contact(name="x", phone="+31612345678"), "people/x.md")
    assert fill.data == b"---\nphone: '+31612345678'\n---\n"


def test_a_note_without_front_matter_gets_one() -> None:
    fill = fill_front_matter(b"Just text\r\n", Contact(name="x", role="Engineer"), "people/x.md")
    assert fill.data == b"---\r\nrole: Engineer\r\n---\r\nJust text\r\n"


def test_unreadable_front_matter_is_left_alone() -> None:
    from vaultcrm.errors import VaultcrmError

    with pytest.raises(VaultcrmError, match="front-matter cannot be read"):
        fill_front_matter(b"---\nrole: [unclosed\n---\n", Contact(name="x", role="E"), "x.md")


# ---------------------------------------------------------------- the import, in the library


def test_a_dry_run_writes_nothing_and_yes_writes_it_all(make_vault, tmp_path: Path) -> None:
    root = make_vault({"people/Henk de Vries.md": "---\nemail: henk@example.com\n---\n"})
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    path = vcf(tmp_path, GOOGLE, APPLE, OUTLOOK, V4)
    dry = import_contacts(Vault(root), path, TODAY)
    assert [(p.symbol, p.name) for p in dry.planned] == [
        ("~", "Henk de Vries"),
        ("+", "Sanne Jansen"),
        ("+", "Zoë Bakker"),
        ("+", "Pieter Smit"),
    ]
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before
    done = import_contacts(Vault(root), path, TODAY, write=True)
    assert [p.status for p in done.planned] == ["updated", "new", "new", "new"]
    assert (root / "people/Sanne Jansen.md").is_file()
    again = import_contacts(Vault(root), path, TODAY, write=True)
    assert [p.status for p in again.planned] == ["unchanged"] * 4
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 4, "conflicts": 0}


def test_a_read_only_note_stops_the_import_before_any_write(make_vault, tmp_path: Path) -> None:
    root = make_vault({"people/Henk de Vries.md": "---\nemail: henk@example.com\n---\n"})
    henk = root / "people/Henk de Vries.md"
    henk.chmod(0o444)
    path = vcf(tmp_path, GOOGLE, APPLE)
    dry = import_contacts(Vault(root), path, TODAY)
    assert [(p.path, p.message) for p in dry.problems] == [
        ("people/Henk de Vries.md", "is read-only: import --yes changes nothing until it is")
    ]
    with pytest.raises(RefusedWriteError, match="nothing was imported"):
        import_contacts(Vault(root), path, TODAY, write=True)
    assert sorted(p.name for p in (root / "people").iterdir()) == ["Henk de Vries.md"]
    henk.chmod(0o644)


def test_two_cards_for_one_person_make_one_note(make_vault, tmp_path: Path) -> None:
    root = make_vault({})
    second = "BEGIN:VCARD\nVERSION:3.0\nFN:Henk\nEMAIL:henk@home.example\nTITLE:Boss\nEND:VCARD\n"
    result = import_contacts(Vault(root), vcf(tmp_path, GOOGLE, second), TODAY, write=True)
    assert [(p.status, p.path) for p in result.planned] == [
        ("new", "people/Henk de Vries.md"),
        ("conflicts", "people/Henk de Vries.md"),
    ]
    assert result.planned[1].conflicts == (
        Conflict("name", "Henk de Vries", "Henk"),
        Conflict("role", "Senior Support Engineer", "Boss"),
    )
    assert [p.name for p in (root / "people").iterdir()] == ["Henk de Vries.md"]


def test_a_large_book_read_by_a_second_process_imports_as_one_read_here(
    make_vault, tmp_path: Path, monkeypatch
) -> None:
    """From AHEAD_FROM cards a forked child parses them while import plans the ones
    before (where there is a core for it): the plan, its order, the problems and the
    notes are the same as when this process reads every card itself."""
    import vaultcrm.engine.forked as forked

    nameless = "BEGIN:VCARD\nVERSION:3.0\nEMAIL:x{}@example.com\nEND:VCARD\n"
    cards = []
    for n in range(forked.AHEAD_FROM + 60):
        card = GOOGLE.replace("Henk de Vries", f"Henk de Vries {n}")
        card = card.replace("henk@", f"henk{n}@").replace("HdV", f"HdV{n}")
        cards.append(card if n % 37 else nameless.format(n))
    cards.insert(forked.AHEAD_FROM + 20, cards[1].replace("FN:Henk de Vries 1", "FN:Henk"))
    path = vcf(tmp_path, *cards)
    results = {}
    for way in ("ahead", "here"):
        if way == "here":
            monkeypatch.setattr(forked, "can_fork", lambda: False)
        root = make_vault({}).rename(tmp_path / way)
        got = import_contacts(Vault(root), path, TODAY, write=True)
        notes = {p.name: p.read_bytes() for p in (root / "people").iterdir()}
        results[way] = (got.planned, got.problems, got.counts, notes)
    assert results["ahead"] == results["here"]
    planned, problems, counts, _ = results["ahead"]
    assert counts["new"] == len(cards) - 5 - 1  # five without a name, one seen before
    assert [(p.name, p.path) for p in planned if p.status == "conflicts"] == [
        ("Henk de Vries 1", "people/Henk de Vries 1.md")
    ]
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert len(problems) == 5


def test_an_import_keeps_no_quoted_value_once_done(make_vault, tmp_path: Path) -> None:
    """Values that need quotes are dumped once per import (``dumped_scalar`` keeps them
    meanwhile); the process keeps none of them after it."""
    from vaultcrm.present.templates import dumped_scalar

    root = make_vault({})
    import_contacts(Vault(root), vcf(tmp_path, GOOGLE), TODAY, write=True)
    assert "tags: ['Team A, Utrecht', mentor]" in (root / "people/Henk de Vries.md").read_text()
    assert dumped_scalar.cache_info().currsize == 0


def test_names_that_cannot_be_imported(make_vault, tmp_path: Path) -> None:
    root = make_vault(
        {
            "people/Piet Smit.md": "---\naliases: [Piet]\n---\n",
            "people/Piet Jansen.md": "---\naliases: [Piet]\n---\n",
        }
    )
    piet = "BEGIN:VCARD\nVERSION:3.0\nFN:Piet\nEND:VCARD\n"
    slash = "BEGIN:VCARD\nVERSION:3.0\nFN:Sales / EMEA\nEND:VCARD\n"
    result = import_contacts(Vault(root), vcf(tmp_path, piet, slash), TODAY, write=True)
    assert result.planned == ()
    assert [p.line for p in result.problems] == [1, 5]
    assert "several people answer to 'Piet'" in result.problems[0].message


@pytest.mark.parametrize(
    "value",
    [
        "Henk de Vries",
        "henk@example.com",
        "Acme B.V.",
        "Zoë Bakker",
        "O'Brien",
        "R&D (EMEA)",
        "Sales / EMEA",
        "yes",
        "No",
        "null",
        "Team A, Utrecht",
        "key: value",
        "a #tag",
        "- dash",
        "@handle",
        "x-",
        "Ünïcödé naam",
    ],
)
def test_plain_values_are_written_as_yaml_would(value: str) -> None:
    from vaultcrm.features.contacts import _scalar
    from vaultcrm.present.templates import dumped_scalar, yaml_scalar

    expected = dumped_scalar(value)
    assert yaml_scalar(value) == expected
    assert _scalar(value) == expected
    assert fill_front_matter(b"---\n---\n", Contact(name="x", role=value), "x.md").data == (
        f"---\nrole: {expected}\n---\n".encode()
    )


@given(st.from_regex(r"[\w+(.][\w .@+'&()/:-]{0,30}", fullmatch=True))
@settings(max_examples=500, deadline=None)
def test_plain_text_is_written_as_the_dump_writes_it(text: str) -> None:
    """The fast path of yaml_scalar gives PyYAML's own answer, and reads back as itself."""
    import yaml

    from vaultcrm.present.templates import dumped_scalar, yaml_scalar

    assert yaml_scalar(text) == dumped_scalar(text)
    assert yaml.safe_load(f"k: {yaml_scalar(text)}")["k"] == text


@pytest.mark.parametrize(
    "text",
    [
        "0612345678",
        "+31 6 1234 5678",
        "+31612345678",
        "(020) 123 45 67",
        "2026-11-23",
        "1.5",
        "12e3",
        "1_000",
        "0x1F",
        "0o17",
        "...",
        ".5",
        "+.5",
        "-1",
        "_x",
        "Yes",
        "NULL",
        "~",
        "1:30",
        "190:20:30",
    ],
)
def test_tricky_values_are_written_as_the_dump_writes_them(text: str) -> None:
    import yaml

    from vaultcrm.present.templates import dumped_scalar, yaml_scalar

    assert yaml_scalar(text) == dumped_scalar(text)
    assert yaml.safe_load(f"k: {yaml_scalar(text)}")["k"] == text
