"""Every built-in template rendered against data in every state the time rules know.

A template is code that runs on the user's data: a branch no test renders is a crash
waiting for the day the data takes it (a follow-up due today once took the sheet down).
So each template (Markdown, HTML and the brief; English and Dutch; one person and a
group; and the person template of ``new``) is rendered here with a follow-up due today,
overdue by 1 and by 400 days, scheduled for today and for later, and without a date; a
child not yet born; a 29 February birthday in a common year; a person with no family,
cadence or contact ever; and a person whose every section is empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import EN, NL, on
from test_sweep import bad_parts

from vaultcrm.features.prep import build_sheet
from vaultcrm.present.templates import render_sheet
from vaultcrm.store.vault import Vault

TODAY = dt.date(2027, 2, 28)  # a common year: a 29 February birthday falls today

EVERYTHING = f"""\
---
name: Eva Stam
role: Engineer
team: Core
relation: report
cadence: 14d
last_contact: {TODAY - dt.timedelta(days=14)}
birthday: 1992-02-29
started: {TODAY.replace(year=2020) + dt.timedelta(days=3)}
family:
  - {{name: Roos, relation: daughter, birthday: {TODAY + dt.timedelta(days=40)}}}
  - {{name: Bas, relation: son, birthday: {TODAY - dt.timedelta(days=20)}}}
  - {{name: Kim, relation: partner, birthday: "--03-05"}}
growth: [public speaking]
interests: [chess]
gift_ideas: [tea]
---
## Log
- {TODAY - dt.timedelta(days=14)}: Talked about the move

## Wins
- Shipped the release

## Follow-ups
- [ ] Bake a cake 📅 {TODAY}
- [ ] Call the plumber 📅 {TODAY - dt.timedelta(days=1)}
- [ ] File the old report 📅 {TODAY - dt.timedelta(days=400)}
- [ ] Read the proposal ⏳ {TODAY}
- [ ] Renew the licence ⏳ {TODAY + dt.timedelta(days=1)}
- [ ] Plan the offsite 📅 {TODAY + dt.timedelta(days=9)}
- [ ] Water the plants
"""
NOBODY = "---\nname: No One\n---\n"  # no family, cadence, contact: every section empty
LONELY = "---\nname: Lone Wolf\nrole: Tester\ncadence: 1m\n---\n"  # due, never contacted
DECISION = f"---\ntype: decision\ndate: {TODAY}\nteam: Core\nwhy: Because.\n---\nDone.\n"


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(
        make_vault(
            {
                "people/Eva Stam.md": EVERYTHING,
                "people/No One.md": NOBODY,
                "people/Lone Wolf.md": LONELY,
                "decisions/d.md": DECISION,
            }
        )
    )


def render_all(vault: Vault, names: list[str]) -> dict[str, str]:
    sheet = build_sheet(vault, names, today=TODAY)
    out = {}
    for locale in ("en", "nl"):
        for fmt, template in (("md", None), ("html", None), ("md", "brief")):
            text = render_sheet(dataclasses.replace(sheet, locale=locale), fmt, template, vault)
            out[f"{'+'.join(names)} {locale} {template or fmt}"] = text
    return out


@pytest.mark.parametrize(
    "names", [["eva"], ["no one"], ["lone"], ["eva", "no one", "lone"]], ids="+".join
)
def test_every_template_renders_every_state_cleanly(vault: Vault, names) -> None:
    for name, text in render_all(vault, names).items():
        assert not bad_parts(text, " nl " in name), (name, bad_parts(text, " nl " in name))


def test_each_state_says_what_it_is(vault: Vault) -> None:
    en = render_all(vault, ["eva"])["eva en md"]
    assert "- **due today:** Bake a cake\n" in en
    assert "- **overdue by 1 day:** Call the plumber\n" in en
    assert "- **overdue by 400 days:** File the old report\n" in en
    assert "- Read the proposal\n" in en
    assert "Renew the licence" not in en  # waits for its day
    assert f"- Plan the offsite · due {EN.day(on('2027-03-09'))}\n" in en
    assert "Water the plants" not in en and "- *and 1 more*\n" in en  # past the budget of 5
    assert (
        f"- 🔒 **Roos** (daughter, expected {EN.date(on('2027-04-09'))})\n" in en
    )  # not born yet: no age
    assert "- 🔒 **Bas** (son, newborn)\n" in en  # born 20 days ago: under a month
    assert "- 🔒 **Kim** (partner)\n" in en  # year unknown: no age
    assert "Eva Stam's birthday (turns 35)" in en  # 29 February, on 28 February
    assert "(in 2 days): Eva Stam: 7 years of service" in en
    assert f"**Last contact:** 14 days ago ({EN.date(on('2027-02-14'))}) · **due today**" in en
    nl = render_all(vault, ["eva"])["eva nl md"]
    assert "- **uiterlijk vandaag:** Bake a cake\n" in nl
    assert "- **1 dag te laat:** Call the plumber\n" in nl
    assert f"- 🔒 **Roos** (dochter, verwacht {NL.date(on('2027-04-09'))})\n" in nl


def test_someone_never_contacted_is_due_today(vault: Vault) -> None:
    text = render_all(vault, ["lone"])["lone en md"]
    assert "**Last contact:** no contact recorded yet · **due today**" in text


def test_an_empty_person_gets_a_sheet_with_only_its_header(vault: Vault) -> None:
    text = render_all(vault, ["no one"])["no one en md"]
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## Notes"]


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_person_template_of_new(run, make_vault, locale: str) -> None:
    root = make_vault({}, config=f'locale = "{locale}"\n')
    result = run(root, "new", "Eva Stam", "--role", "Engineer", "--relation", "report")
    assert result.exit_code == 0, result.output
    text = (root / "people/Eva Stam.md").read_text("utf-8")
    assert not bad_parts(text)
    assert ("## Logboek" if locale == "nl" else "## Log") in text
