"""render_sheet: templates, overrides, the vault's language, HTML escaping and template errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import EN, NL, on

from vaultcrm.errors import TemplateError, UsageError
from vaultcrm.features.prep import build_sheet
from vaultcrm.model.notes import unlink
from vaultcrm.model.rules import DateEvent
from vaultcrm.present.templates import format_for, packaged_dir, render_sheet
from vaultcrm.present.words import Language
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 11, 23)
ANN = """\
---
name: Ann Smit
role: Designer
team: Studio
relation: peer
cadence: 7d
last_contact: 2026-11-20
family:
  - {name: Tom, relation: son, birthday: 2016-12-01, note: "loves <b>Lego</b>"}
growth: [public speaking]
interests: [climbing]
---
## Log
- 2026-11-20: Talked about <script>alert(1)</script> & the roadmap
- 2026-11-01: Lunch with [[Bob Vos|Bob]]

## Follow-ups
- [ ] Send the <i>brief</i> 📅 2026-11-21
- [x] Old thing

## Wins
- Shipped the redesign
"""


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault({"people/Ann Smit.md": ANN, "people/Bare.md": ""}))


def render(vault: Vault, names=("ann",), fmt="md", template=None) -> str:
    return render_sheet(build_sheet(vault, list(names), today=TODAY), fmt, template, vault)


# ---------------------------------------------------------------- Markdown


def test_the_markdown_sheet(vault: Vault) -> None:
    assert render(vault) == (
        "# Meeting prep: [[Ann Smit]]\n"
        "\n"
        "Designer · Studio · peer · rhythm 7d\n"
        "\n"
        f"**Last contact:** 3 days ago ({EN.date(on('2026-11-20'))}) · "
        f"next due {EN.day(on('2026-11-27'))} (in 4 days)\n"
        "\n"
        # the health line: the owner's own assessment, marked as for their eyes only
        "🔒 *rhythm kept 2 of 4 weeks · 1 promise late · 1 growth wish not followed up*\n"
        "\n"
        f"*Prepared {EN.longdate(on('2026-11-23'))}*\n"
        "\n"
        "## What I promised\n"
        "\n"
        "- **overdue by 2 days:** Send the <i>brief</i>\n"
        "\n"
        "## Ask about\n"
        "\n"
        "- 🔒 **Tom** (son, 9): loves <b>Lego</b>\n"  # family is private: marked for the owner
        f"- 🔒 {EN.day(on('2026-12-01'))} (in 8 days): Tom's birthday (son, turns 10)\n"
        "\n"
        "## Growth\n"
        "\n"
        "- public speaking\n"
        "\n"
        "## Wins to recognise\n"
        "\n"
        "- Shipped the redesign\n"
        "\n"
        "## Recent\n"
        "\n"
        f"- {EN.date(on('2026-11-20'))}: Talked about <script>alert(1)</script> & the roadmap\n"
        f"- {EN.date(on('2026-11-01'))}: Lunch with Bob\n"  # other people's links become text
        "\n"
        "## Interests and gift ideas\n"
        "\n"
        "- Interests: climbing\n"
        "\n"
        "## Notes\n"
        "\n"
        "<!-- During the meeting: new follow-ups written as - [ ] tasks here come back on "
        "the next sheet. -->\n"
    )


def test_empty_sections_are_left_out(vault: Vault) -> None:
    text = render(vault, ["bare"])
    assert re.findall(r"^## .*$", text, re.MULTILINE) == ["## Notes"]
    assert text.startswith(
        "# Meeting prep: [[Bare]]\n\n**Last contact:** no contact recorded yet\n\n*Prepared"
    )


def test_a_group_sheet_links_everyone_and_pools(vault: Vault) -> None:
    text = render(vault, ["ann", "bare"])
    assert text.startswith("# Group meeting prep: [[Ann Smit]] and [[Bare]]\n")
    assert "- **overdue by 2 days:** Send the <i>brief</i> · *Ann Smit*\n" in text
    assert "Tom" not in text  # family is private: not for the group
    assert "\n## Ann Smit\n" in text and "\n## Bare\n" not in text  # nothing to say: left out


# ---------------------------------------------------------------- language


def test_a_dutch_vault_gets_a_dutch_sheet(make_vault) -> None:
    root = make_vault({"people/Ann Smit.md": ANN}, config='locale = "nl"\n')
    text = render(Vault(root))
    assert text.startswith("# Voorbereiding gesprek: [[Ann Smit]]\n")
    assert "Designer · Studio · collega · ritme 7d\n" in text
    assert (
        f"**Laatste contact:** 3 dagen geleden ({NL.date(on('2026-11-20'))}) · "
        f"volgende uiterlijk {NL.day(on('2026-11-27'))}"
    ) in text
    assert f"*Voorbereid {NL.longdate(on('2026-11-23'))}*" in text
    assert "## Wat ik beloofde\n\n- **2 dagen te laat:** Send the <i>brief</i>\n" in text
    assert "🔒 *ritme gehouden 2 van 4 weken · 1 belofte te laat" in text
    assert (
        f"- 🔒 {NL.day(on('2026-12-01'))} (over 8 dagen): Verjaardag Tom (zoon, wordt 10)\n" in text
    )
    assert "## Successen om te erkennen\n" in text


EN_PHRASES = ("today", "yesterday", "3 days ago", "tomorrow", "in 2 days", "overdue by 1 day")
NL_PHRASES = ("vandaag", "gisteren", "3 dagen geleden", "morgen", "over 2 dagen", "1 dag te laat")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", EN_PHRASES), ("nl", NL_PHRASES), ("nl_BE", NL_PHRASES), ("xx", EN_PHRASES)],
)
def test_phrases_in_each_language(locale: str, expected: tuple) -> None:
    lang = Language(locale)  # an unknown locale falls back to English
    got = (lang.ago(0), lang.ago(1), lang.ago(3), lang.in_days(1), lang.in_days(2), lang.overdue(1))
    assert got == expected


def test_dates_are_written_the_way_the_language_writes_them() -> None:
    day = dt.date(2026, 4, 12)
    # Which CLDR form each filter asks for, in the locale's own order; the words are CLDR's.
    from babel.dates import format_date, format_skeleton

    assert Language("en").longdate(day) == format_date(day, "full", locale="en")
    assert Language("en_GB").longdate(day) == format_date(day, "full", locale="en_GB")
    assert Language("nl").longdate(day) == format_date(day, "full", locale="nl")
    assert Language("nl").date(day) == format_date(day, "medium", locale="nl")
    assert Language("nl").day(day) == format_skeleton("MMMEd", day, locale="nl")
    assert Language("nl").daymonth(day) == format_skeleton("MMMMd", day, locale="nl")
    assert Language("en_GB").longdate(day) != Language("en").longdate(day)  # day-month order


def test_events_read_naturally() -> None:
    en, nl = Language("en"), Language("nl")
    own = DateEvent(TODAY, 0, "birthday", "Ann", "Ann", "people/Ann.md", "", 40)
    kid = DateEvent(TODAY, 0, "family_birthday", "Tom", "Ann", "people/Ann.md", "son", None)
    work = DateEvent(TODAY, 0, "anniversary", "Ann", "Ann", "people/Ann.md", "", 1)
    assert [en.event(e) for e in (own, kid, work)] == [
        "Ann's birthday (turns 40)",
        "Tom's birthday (son)",
        "Ann: 1 year of service",
    ]
    assert nl.event(kid, with_person=True) == "Verjaardag Tom (zoon van Ann)"
    assert nl.event(work) == "Ann: 1 jaar in dienst"


def test_unlink_keeps_the_words_and_drops_the_links() -> None:
    assert unlink("ask [[Anouk Peters|HR]] and [[Daan]] about ![[Plan#Goals]]") == (
        "ask HR and Daan about Plan"
    )
    assert unlink("see [[folder/Note.md]]") == "see Note"


# ---------------------------------------------------------------- HTML


def test_html_is_escaped_self_contained_and_made_for_a4(vault: Vault) -> None:
    html = render(vault, fmt="html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the roadmap" in html
    assert "<script" not in html
    assert "Send the &lt;i&gt;brief&lt;/i&gt;" in html and "<i>" not in html
    assert "loves &lt;b&gt;Lego&lt;/b&gt;" in html
    assert not re.search(r"(src|href)\s*=|@import|url\(|<link", html)  # nothing external
    assert "@page { size: A4;" in html
    assert "break-inside: avoid" in html
    assert '<html lang="en">' in html
    assert "<h1>Ann Smit</h1>" in html


def test_empty_sections_are_left_out_of_the_html_too(vault: Vault) -> None:
    html = render(vault, ["bare"], fmt="html")
    assert re.findall(r"<h2>(.*?)</h2>", html) == ["Notes"]


def test_the_format_follows_the_template_or_output_name() -> None:
    assert format_for("brief.html.j2", None) == "html"
    assert format_for(None, None, "/tmp/sheet.HTML") == "html"
    assert format_for("brief.html.j2", "md") == "md"
    assert format_for(None, None, "sheet.md") == "md"


# ---------------------------------------------------------------- templates


def test_the_packaged_templates_are_found() -> None:
    folder = packaged_dir()
    assert folder is not None
    assert {"prep.md.j2", "prep.html.j2"} <= {p.name for p in Path(folder).iterdir()}


def _user_template(vault: Vault, name: str, text: str) -> Path:
    path = vault.state_dir / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_template_in_the_vault_overrides_the_packaged_one(vault: Vault) -> None:
    _user_template(vault, "prep.md.j2", "Hi {{ sheet.person.name }}, {{ t.to_raise }}\n")
    assert render(vault) == "Hi Ann Smit, To raise\n"
    assert render(vault, fmt="html").startswith("<!DOCTYPE html>")  # only md was overridden


def test_an_override_can_extend_the_builtin_and_change_one_block(vault: Vault) -> None:
    _user_template(
        vault,
        "prep.md.j2",
        '{% extends "builtin/prep.md.j2" %}{% block wins %}\n## Kudos\n{% endblock %}',
    )
    text = render(vault)
    assert "## Kudos\n" in text and "Wins to recognise" not in text
    assert "## What I promised\n" in text


def test_template_by_name_or_by_path(vault: Vault, tmp_path: Path) -> None:
    _user_template(vault, "brief.md.j2", "brief: {{ sheet.names|join_and }}")
    assert render(vault, ["ann", "bare"], template="brief") == "brief: Ann Smit and Bare\n"
    loose = tmp_path / "mine.html.j2"
    loose.write_text("<p>{{ sheet.person.recent[0].text }}</p>", encoding="utf-8")
    assert render(vault, fmt="html", template=str(loose)) == (
        "<p>Talked about &lt;script&gt;alert(1)&lt;/script&gt; &amp; the roadmap</p>\n"
    )


def test_an_unknown_template_name_lists_what_there_is(vault: Vault) -> None:
    with pytest.raises(
        UsageError,
        match=r"no template called 'nope'; available: brief.md.j2, prep.html.j2, prep.md.j2",
    ):
        render(vault, template="nope")
    with pytest.raises(UsageError, match="template file ./nope.j2 does not exist"):
        render(vault, template="./nope.j2")


def test_a_syntax_error_names_the_file_and_line(vault: Vault) -> None:
    path = _user_template(vault, "prep.md.j2", "fine\n\n{% if %}\n")
    with pytest.raises(TemplateError) as caught:
        render(vault)
    assert (Path(caught.value.path), caught.value.line) == (path, 3)
    assert caught.value.exit_code == 3
    assert str(caught.value).startswith(f"{path}:3: template error: ")


def test_an_undefined_name_names_the_file_and_line(vault: Vault) -> None:
    path = _user_template(vault, "prep.md.j2", "one\ntwo\n{{ sheet.person.nickname }}\n")
    with pytest.raises(TemplateError) as caught:
        render(vault)
    assert (Path(caught.value.path), caught.value.line) == (path, 3)
    assert "nickname" in caught.value.message


def test_an_error_in_an_included_template_points_there(vault: Vault) -> None:
    _user_template(vault, "prep.md.j2", "{% include 'part.j2' %}\n")
    part = _user_template(vault, "part.j2", "ok\n{{ 1 / 0 }}\n")
    with pytest.raises(TemplateError) as caught:
        render(vault)
    assert (Path(caught.value.path), caught.value.line) == (part, 2)
    assert "ZeroDivisionError" in caught.value.message


def test_templates_run_in_a_sandbox(vault: Vault) -> None:
    _user_template(vault, "prep.md.j2", "{{ sheet.__class__.__init__.__globals__ }}")
    with pytest.raises(TemplateError):
        render(vault)


def test_compiled_templates_are_kept_outside_the_vault_and_follow_edits(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    _user_template(vault, "prep.md.j2", "One {{ sheet.person.name }}\n")
    assert render(vault) == "One Ann Smit\n"
    cached = list((tmp_path / "tmp").glob("_jinja2-cache-*/*.cache"))
    assert cached, "the compiled template is kept for the next run"
    assert not [p for p in vault.root.rglob("*.cache")]
    _user_template(vault, "prep.md.j2", "Two {{ sheet.person.name }}\n")
    assert render(vault) == "Two Ann Smit\n"  # an edit is compiled again, not served stale
    assert render(vault) == "Two Ann Smit\n"


def test_an_unusable_template_cache_only_costs_time(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    assert render(vault).startswith("# Meeting prep: [[Ann Smit]]\n")


def test_a_template_compiled_for_html_is_never_reused_for_markdown(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Escaping is decided when a template compiles: one cached build for both formats
    # would escape the Markdown, or worse, leave the HTML unescaped.
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    template = _user_template(vault, "shared.j2", "{{ '<b>&' }}\n")
    assert render(vault, fmt="html", template=str(template)) == "&lt;b&gt;&amp;\n"
    assert render(vault, fmt="md", template=str(template)) == "<b>&\n"
    assert render(vault, fmt="html", template=str(template)) == "&lt;b&gt;&amp;\n"


def test_a_template_compiled_in_one_language_is_never_reused_for_another(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jinja folds a filter on a constant into the compiled code: an English build of
    # '{{ 0|in_days }}' says 'today' forever, so the locale is part of the cache entry.
    import dataclasses
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    template = str(_user_template(vault, "folded.j2", "{{ 0|in_days }}\n"))
    sheet = build_sheet(vault, ["ann"], today=TODAY)
    for locale, expected in (("en", "today\n"), ("nl", "vandaag\n"), ("en", "today\n")):
        localised = dataclasses.replace(sheet, locale=locale)
        assert render_sheet(localised, "md", template, vault) == expected


def test_join_sheets() -> None:
    from vaultcrm.present.templates import join_sheets

    assert join_sheets(["# A\n"], "md") == "# A\n"
    assert join_sheets(["# A\n", "# B"], "md") == "# A\n\n---\n\n# B\n"
    page = "<html><head><style>x</style></head><body>\n{}\n</body></html>\n"
    joined = join_sheets([page.format("<h1>A</h1>"), page.format("<h1>B</h1>")], "html")
    assert joined.count("<html>") == 1 and joined.count("<style>") == 1
    assert joined.index("<h1>A</h1>") < joined.index("break-before: page") < joined.index("B</h1>")
    assert join_sheets(["<p>A</p>", "<p>B</p>"], "html") == "<p>A</p><p>B</p>"  # no body
