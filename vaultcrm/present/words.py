"""Every word vaultcrm shows a user in English or Dutch, in one table, and the phrases made
from them.

One table, so a language is complete or visibly not: ``tests/test_words.py`` checks that
every key has every language. Entries that count (``1 day`` / ``3 days``) are a pair,
the singular and the plural with ``{n}``; ``Language.n`` picks one. Dates are written by
Babel from CLDR data, the way the locale writes them ("maandag 23 november 2026"),
so a locale without words here (de, fr) still gets its dates right and English words.

``locale`` in config.toml chooses the language of the outputs meant to be read as
prose: prep sheets, the agenda, the people list, calendar events and the headings
``log`` creates. Messages about vaultcrm itself (errors, index notices) stay English.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

Entry = str | tuple[str, str]

WORDS: dict[str, dict[str, Entry]] = {
    "en": {
        # the prep sheet
        "title": "Meeting prep",
        "group_title": "Group meeting prep",
        "prepared": "Prepared",
        "to_raise": "To raise",
        "ask_about": "Ask about",
        "family": "Family",
        "coming_up": "Coming up",
        "growth": "Growth",
        "wins": "Wins to recognise",
        "recent": "Recent",
        "mentioned_in": "Mentioned in",
        "newest_of": "newest {shown} of {total}",
        "decisions": "Decisions to explain",
        "why": "Why",
        "interests": "Interests",
        "gift_ideas": "Gift ideas",
        "interests_gifts": "Interests and gift ideas",
        "notes": "Notes",
        "notes_hint": "During the meeting: new follow-ups written as - [ ] tasks here come back on the next sheet.",
        "people": "People",
        "manager": "manager",
        "met": "met",
        "email": "email",
        "last_contact": "Last contact",
        "from_calendar": "from the calendar",
        "no_contact": "no contact recorded yet",
        "cadence": "rhythm",
        "next_due": "next due {date} ({when})",
        "contact_due_today": "due today",
        "contact_overdue": "overdue by {days}",
        "from": "from",
        "due": "due",
        "due_today": "due today",
        "expected": "expected {date}",
        "age": "{n}",
        "about": "about",
        "and": "and",
        "of": "of",
        "none": "Nothing to prepare: this person's note is still empty.",
        "footer": "vaultcrm · {date}",
        # the prep sheet's parts for a 1:1 (issue 15)
        "context": "Context",
        "since_last": "Since last time",
        "since_date": "since {date} ({ago})",
        "since_log": "log",
        "since_win": "win",
        "since_done": "done",
        "since_decision": "decision",
        "since_meeting": "meeting",
        "since_note": "note",
        "mine": "What I promised",
        "theirs": "What they promised",
        "more": ("and 1 more", "and {n} more"),
        "ask_before": "{what}, {date} ({when}): wish them luck",
        "ask_today": "{what}, today: wish them luck",
        "ask_during": "{what}, this month",
        "ask_after": "{what}, {date} ({when}): ask how it went",
        "ask_month_before": "{what}, in {month}",
        "ask_month_after": "{what}, in {month}: ask how it went",
        # phrases
        "today": "today",
        "yesterday": "yesterday",
        "tomorrow": "tomorrow",
        "days": ("1 day", "{n} days"),
        "years": ("1 year", "{n} years"),
        "ago": "{what} ago",
        "in": "in {what}",
        "overdue_by": "overdue by {what}",
        "birthday_of": "{who}'s birthday",
        "turns": "turns {n}",
        "of_service": "{who}: {years} of service",
        # the agenda
        "agenda_due": "Due for a catch-up",
        "agenda_due_by_health": "Due for a catch-up, weakest relationship first",
        "health_score": "health {score}",
        "agenda_coming_up": "Coming up in the next {days}",
        "agenda_follow_ups": "Follow-ups",
        "agenda_nothing": "Nothing due.",
        "days_overdue": ("1 day overdue", "{n} days overdue"),
        "due_in": "due in {what}",
        "due_tomorrow": "due tomorrow",
        "scheduled": "scheduled",
        "last_contact_on": "last contact {date} ({ago})",
        "last_met_on": "last contact {date} ({ago}, from the calendar)",
        "no_contact_yet": "no contact yet",
        "agenda_meetings": "Meetings in the next {days}",
        "agenda_meetings_today": "Meetings today",
        "agenda_meetings_tomorrow": "Meetings today and tomorrow",
        "every": "every {cadence}",
        "turns_line": "{who} turns {n}",
        "birthday_line": "{who}: birthday",
        "relative_of": "{who} ({relation} of {person})",
        "family_of": "{who} (family of {person})",
        "work_anniversary": "{who}: work anniversary",
        "agenda_coming_up_today": "Coming up today",
        "agenda_coming_up_tomorrow": "Coming up today and tomorrow",
        "months": ("1 month", "{n} months"),
        "newborn": "newborn",
        # the people list
        "never": "never",
        "no_people": "No people in this vault yet.",
        "no_people_match": "No people match.",
        # calendar events
        "cal_birthday": "Birthday: {who}",
        "cal_family": "Birthday: {who} ({relation} of {person})",
        "cal_family_plain": "Birthday: {who} (family of {person})",
        "cal_anniversary": "Work anniversary: {who} (since {year})",
        "cal_follow_up": "Follow-up: {text}",
        "cal_born": "Born {date}.",
        "cal_started": "Started {date}.",
        "cal_name": "vaultcrm: people",
        # headings ``log`` adds to a note that has none
        "log_heading": "## Log",
        "follow_up_heading": "## Follow-ups",
        "wins_heading": "## Wins",
        # ``import``: a contact's NOTE in a new person note, and the summary
        "contact_note_heading": "## From the address book",
        "import_fills": "fills {keys}",
        "import_conflict": "{what}: {note} in the note, {contact} in the contact",
        "import_summary": "{new} new, {updated} updated, {unchanged} unchanged, {conflicts} with conflicts",
        "import_dry_run": "Dry run: nothing was written. Run again with --yes to write.",
        "import_kept": "Conflicting values were kept as they are in the notes.",
        "import_none": "No contacts in this file.",
        # network (issue 17)
        "net_people": ("1 person", "{n} people"),
        "net_lines": ("1 line", "{n} lines"),
        "net_groups": ("1 connected group", "{n} connected groups"),
        "net_neighbourhood": "{name}: lines up to {depth} away",
        "net_isolated": "No line to anyone",
        "net_bridges": "Bridges: who holds the lines between teams, inside and outside",
        "net_reach": "reaches {teams}",
        "net_cut_off": (
            "without them {names} loses every line to the rest",
            "without them {names} lose every line to the rest",
        ),
        "net_teams_cut": "{teams} cut off",
        "net_clusters": "Clusters",
        "net_parties": "Outside parties: teams with no line to them",
        "net_no_line_from": "no line from {teams}",
        "net_line_from_all": "a line from every team",
        "net_stale": "No fresh line",
        "net_via": "fresh line via {name}",
        "net_lines_of": "Lines",
        "net_more": ("… and 1 more", "… and {n} more"),
        "kind_manager": "manager",
        "kind_reports_to": "reports to",
        "kind_manages": "manages",
        "kind_link": "link",
        "kind_meeting": ("1 meeting", "{n} meetings"),
        "kind_introduced": "introduced",
        "kind_met": "met",
        "side_inside": "inside",
        "side_outside": "outside",
        "path_title": "Who can introduce {a} to {b}",
        "path_none": "No line runs from {a} to {b}.",
        "path_direct": "direct line",
        "path_via": "via {names}",
        "path_you": "You: {a} {when_a}; {b} {when_b}",
        "grid": "Stakeholder grid",
        "manage_closely": "Manage closely",
        "keep_satisfied": "Keep satisfied",
        "keep_informed": "Keep informed",
        "monitor": "Monitor",
        "grid_levels": "influence {influence}, interest {interest}",
        "grid_unplaced": (
            "1 person without influence: and interest:",
            "{n} people without influence: and interest:",
        ),
        "grid_empty": "No one has influence: and interest: yet.",
        "level_high": "high",
        "level_medium": "medium",
        "level_low": "low",
        "page_title": "Relationship network",
        "page_legend": "Relation",
        "page_size": "size: contacts in the last year",
        "page_search": "Find a person",
        "page_contacts": ("1 contact in the last year", "{n} contacts in the last year"),
        "page_hint": "Scroll to zoom, drag to move, click a person for their lines.",
        "no_relation": "no relation given",
        # health (issue 17)
        "h_person": "person",
        "h_rhythm": "rhythm",
        "h_contacts": "contacts/month",
        "h_drift": "drift",
        "h_promises": "promises",
        "h_win": "last win",
        "h_growth": "growth idle",
        "h_reciprocity": "reached out",
        "h_recognition": "recognition",
        "h_summary": "summary",
        "h_window": "{start} – {end}, {total} contacts",
        "period_w": ("1 week", "{n} weeks"),
        "period_m": ("1 month", "{n} months"),
        "period_q": ("1 quarter", "{n} quarters"),
        "period_y": ("1 year", "{n} years"),
        "period_of": ("1 period of {cadence}", "{n} periods of {cadence}"),
        "rhythm_kept": "rhythm kept {kept} of {what}",
        "rhythm_since": "since {date}",
        "no_cadence": "no cadence",
        "promises_late": ("1 promise late", "{n} promises late"),
        "p_on_time": "{n} on time",
        "p_late": "{n} late",
        "p_done": "{n} done",
        "p_open": "{n} open",
        "p_overdue": "{n} overdue",
        "p_none": "no follow-ups",
        "late_item": "late",
        "overdue_item": "overdue",
        "h_growth_full": "growth",
        "trend_rarer": "contact getting rarer",
        "trend_steady": "steady",
        "trend_more_often": "contact more often",
        "not_due": "not due",
        "next_due_on": "next due {date}",
        "growth_idle_n": ("1 growth wish not followed up", "{n} growth wishes not followed up"),
        "growth_idle": "not followed up in {months}: {wishes}",
        "growth_ok": "followed up in the last {months}",
        "no_growth": "no growth wishes",
        "last_win": "last win {date} ({ago})",
        "wins_undated": ("1 win, not dated", "{n} wins, none dated"),
        "no_wins": "no wins recorded",
        "reciprocity": "they reached out {theirs} of {total} times",
        "reciprocity_short": "they {theirs} · you {mine}",
        "reciprocity_unknown": "not marked in the log",
        # export (SPEC §6): everything about one person
        "x_title": "Everything this vault holds about {name}",
        "x_intro": "Exported {date} by vaultcrm. 🔒 marks a private fact.",
        "x_note": "Their note",
        "x_private_keys": "Private front-matter keys: {keys}",
        "x_contact": "Contact",
        "x_mentions": "Passages in other notes",
        "x_file_names": "Notes whose file name holds their name",
        "x_follow_ups": "Follow-ups about them",
        "x_done": "done",
        "x_open": "open",
        "x_surprise": "a surprise for them",
        "x_dates": "Dates",
        "x_decisions": "Decisions that name them",
        "x_index": "What the index keeps",
        "x_index_text": "The search index in {folder} holds the words of their note and of every note above, and this record of their note:",
        "x_none": "none",
        "x_birthday": "birthday",
        "x_anniversary": "started working here",
        "x_family_birthday": "birthday",
    },
    "nl": {
        "title": "Voorbereiding gesprek",
        "group_title": "Voorbereiding groepsoverleg",
        "prepared": "Voorbereid",
        "to_raise": "Bespreken",
        "ask_about": "Vragen naar",
        "family": "Familie",
        "coming_up": "Binnenkort",
        "growth": "Groei",
        "wins": "Successen om te erkennen",
        "recent": "Recent",
        "mentioned_in": "Genoemd in",
        "newest_of": "nieuwste {shown} van {total}",
        "decisions": "Besluiten om toe te lichten",
        "why": "Waarom",
        "interests": "Interesses",
        "gift_ideas": "Cadeau-ideeën",
        "interests_gifts": "Interesses en cadeau-ideeën",
        "notes": "Aantekeningen",
        "notes_hint": "Tijdens het gesprek: nieuwe follow-ups als - [ ] taak hier komen terug op het volgende overzicht.",
        "people": "Deelnemers",
        "manager": "leidinggevende",
        "met": "leren kennen",
        "email": "e-mail",
        "last_contact": "Laatste contact",
        "from_calendar": "uit de agenda",
        "no_contact": "nog geen contact vastgelegd",
        "cadence": "ritme",
        "next_due": "volgende uiterlijk {date} ({when})",
        "contact_due_today": "vandaag aan de beurt",
        "contact_overdue": "{days} over tijd",
        "from": "uit",
        "due": "uiterlijk",
        "due_today": "uiterlijk vandaag",
        "expected": "verwacht {date}",
        "age": "{n}",
        "about": "over",
        "and": "en",
        "of": "van",
        "none": "Niets voor te bereiden: de notitie over deze persoon is nog leeg.",
        "footer": "vaultcrm · {date}",
        "context": "Achtergrond",
        "since_last": "Sinds de vorige keer",
        "since_date": "sinds {date} ({ago})",
        "since_log": "logboek",
        "since_win": "succes",
        "since_done": "gedaan",
        "since_decision": "besluit",
        "since_meeting": "overleg",
        "since_note": "notitie",
        "mine": "Wat ik beloofde",
        "theirs": "Wat zij beloofden",
        "more": ("en nog 1", "en nog {n}"),
        "ask_before": "{what}, {date} ({when}): succes wensen",
        "ask_today": "{what}, vandaag: succes wensen",
        "ask_during": "{what}, deze maand",
        "ask_after": "{what}, {date} ({when}): vragen hoe het ging",
        "ask_month_before": "{what}, in {month}",
        "ask_month_after": "{what}, in {month}: vragen hoe het ging",
        "today": "vandaag",
        "yesterday": "gisteren",
        "tomorrow": "morgen",
        "days": ("1 dag", "{n} dagen"),
        "years": ("1 jaar", "{n} jaar"),
        "ago": "{what} geleden",
        "in": "over {what}",
        "overdue_by": "{what} te laat",
        "birthday_of": "Verjaardag {who}",
        "turns": "wordt {n}",
        "of_service": "{who}: {years} in dienst",
        "agenda_due": "Tijd voor contact",
        "agenda_due_by_health": "Tijd voor contact, zwakste band eerst",
        "health_score": "gezondheid {score}",
        "agenda_coming_up": "Binnenkort, de komende {days}",
        "agenda_follow_ups": "Opvolgen",
        "agenda_nothing": "Niets aan de beurt.",
        "days_overdue": ("1 dag over tijd", "{n} dagen over tijd"),
        "due_in": "uiterlijk over {what}",
        "due_tomorrow": "uiterlijk morgen",
        "scheduled": "gepland",
        "last_contact_on": "laatste contact {date} ({ago})",
        "last_met_on": "laatste contact {date} ({ago}, uit de agenda)",
        "no_contact_yet": "nog geen contact",
        "agenda_meetings": "Afspraken de komende {days}",
        "agenda_meetings_today": "Afspraken vandaag",
        "agenda_meetings_tomorrow": "Afspraken vandaag en morgen",
        "every": "elke {cadence}",
        "turns_line": "{who} wordt {n}",
        "birthday_line": "{who}: verjaardag",
        "relative_of": "{who} ({relation} van {person})",
        "family_of": "{who} (familie van {person})",
        "work_anniversary": "{who}: werkjubileum",
        "agenda_coming_up_today": "Vandaag",
        "agenda_coming_up_tomorrow": "Vandaag en morgen",
        "months": ("1 maand", "{n} maanden"),
        "newborn": "pasgeboren",
        "never": "nooit",
        "no_people": "Nog niemand in deze vault.",
        "no_people_match": "Niemand gevonden.",
        "cal_birthday": "Verjaardag: {who}",
        "cal_family": "Verjaardag: {who} ({relation} van {person})",
        "cal_family_plain": "Verjaardag: {who} (familie van {person})",
        "cal_anniversary": "Werkjubileum: {who} (in dienst sinds {year})",
        "cal_follow_up": "Opvolgen: {text}",
        "cal_born": "Geboren {date}.",
        "cal_started": "In dienst sinds {date}.",
        "cal_name": "vaultcrm: mensen",
        "log_heading": "## Logboek",
        "follow_up_heading": "## Opvolging",
        "wins_heading": "## Successen",
        "contact_note_heading": "## Uit het adresboek",
        "import_fills": "vult {keys} aan",
        "import_conflict": "{what}: {note} in de notitie, {contact} in het contact",
        "import_summary": "{new} nieuw, {updated} aangevuld, {unchanged} ongewijzigd, {conflicts} met conflicten",
        "import_dry_run": "Proefdraai: er is niets geschreven. Voer opnieuw uit met --yes om te schrijven.",
        "import_kept": "Waarden die verschillen zijn gelaten zoals ze in de notities staan.",
        "import_none": "Geen contacten in dit bestand.",
        "net_people": ("1 persoon", "{n} personen"),
        "net_lines": ("1 lijn", "{n} lijnen"),
        "net_groups": ("1 verbonden groep", "{n} verbonden groepen"),
        "net_neighbourhood": "{name}: lijnen tot {depth} ver",
        "net_isolated": "Geen lijn met iemand",
        "net_bridges": "Bruggen: wie de lijnen tussen teams, binnen en buiten vasthoudt",
        "net_reach": "bereikt {teams}",
        "net_cut_off": (
            "zonder hen verliest {names} elke lijn met de rest",
            "zonder hen verliezen {names} elke lijn met de rest",
        ),
        "net_teams_cut": "{teams} afgesneden",
        "net_clusters": "Clusters",
        "net_parties": "Externe partijen: teams zonder lijn ernaartoe",
        "net_no_line_from": "geen lijn vanuit {teams}",
        "net_line_from_all": "een lijn vanuit elk team",
        "net_stale": "Geen verse lijn",
        "net_via": "verse lijn via {name}",
        "net_lines_of": "Lijnen",
        "net_more": ("… en nog 1", "… en nog {n}"),
        "kind_manager": "leidinggevende",
        "kind_reports_to": "rapporteert aan",
        "kind_manages": "geeft leiding aan",
        "kind_link": "link",
        "kind_meeting": ("1 overleg", "{n} overleggen"),
        "kind_introduced": "geïntroduceerd",
        "kind_met": "leren kennen",
        "side_inside": "binnen",
        "side_outside": "buiten",
        "path_title": "Wie kan {a} aan {b} voorstellen",
        "path_none": "Er loopt geen lijn van {a} naar {b}.",
        "path_direct": "directe lijn",
        "path_via": "via {names}",
        "path_you": "Jij: {a} {when_a}; {b} {when_b}",
        "grid": "Stakeholderkaart",
        "manage_closely": "Nauw betrekken",
        "keep_satisfied": "Tevreden houden",
        "keep_informed": "Informeren",
        "monitor": "Monitoren",
        "grid_levels": "invloed {influence}, belang {interest}",
        "grid_unplaced": (
            "1 persoon zonder influence: en interest:",
            "{n} personen zonder influence: en interest:",
        ),
        "grid_empty": "Nog niemand heeft influence: en interest:.",
        "level_high": "hoog",
        "level_medium": "gemiddeld",
        "level_low": "laag",
        "page_title": "Relatienetwerk",
        "page_legend": "Relatie",
        "page_size": "grootte: contacten in het afgelopen jaar",
        "page_search": "Zoek een persoon",
        "page_contacts": ("1 contact in het afgelopen jaar", "{n} contacten in het afgelopen jaar"),
        "page_hint": "Scroll om te zoomen, sleep om te schuiven, klik op een persoon voor de lijnen.",
        "no_relation": "geen relatie opgegeven",
        "h_person": "persoon",
        "h_rhythm": "ritme",
        "h_contacts": "contact/maand",
        "h_drift": "afdrijven",
        "h_promises": "beloftes",
        "h_win": "laatste succes",
        "h_growth": "groei stil",
        "h_reciprocity": "initiatief",
        "h_recognition": "erkenning",
        "h_summary": "samenvatting",
        "h_window": "{start} – {end}, {total} contacten",
        "period_w": ("1 week", "{n} weken"),
        "period_m": ("1 maand", "{n} maanden"),
        "period_q": ("1 kwartaal", "{n} kwartalen"),
        "period_y": ("1 jaar", "{n} jaar"),
        "period_of": ("1 periode van {cadence}", "{n} periodes van {cadence}"),
        "rhythm_kept": "ritme gehouden {kept} van {what}",
        "rhythm_since": "sinds {date}",
        "no_cadence": "geen ritme",
        "promises_late": ("1 belofte te laat", "{n} beloftes te laat"),
        "p_on_time": "{n} op tijd",
        "p_late": "{n} te laat",
        "p_done": "{n} gedaan",
        "p_open": "{n} open",
        "p_overdue": "{n} over tijd",
        "p_none": "geen follow-ups",
        "late_item": "te laat",
        "overdue_item": "over tijd",
        "h_growth_full": "groei",
        "trend_rarer": "contact wordt zeldzamer",
        "trend_steady": "stabiel",
        "trend_more_often": "vaker contact",
        "not_due": "niet aan de beurt",
        "next_due_on": "volgende uiterlijk {date}",
        "growth_idle_n": ("1 groeiwens niet opgevolgd", "{n} groeiwensen niet opgevolgd"),
        "growth_idle": "niet opgevolgd in {months}: {wishes}",
        "growth_ok": "opgevolgd in de afgelopen {months}",
        "no_growth": "geen groeiwensen",
        "last_win": "laatste succes {date} ({ago})",
        "wins_undated": ("1 succes, zonder datum", "{n} successen, zonder datum"),
        "no_wins": "geen successen vastgelegd",
        "reciprocity": "zij namen {theirs} van de {total} keer het initiatief",
        "reciprocity_short": "zij {theirs} · jij {mine}",
        "reciprocity_unknown": "niet gemarkeerd in het logboek",
        "x_title": "Alles wat deze kluis bewaart over {name}",
        "x_intro": "Geëxporteerd {date} door vaultcrm. 🔒 markeert een privégegeven.",
        "x_note": "Hun notitie",
        "x_private_keys": "Privévelden in de front-matter: {keys}",
        "x_contact": "Contact",
        "x_mentions": "Passages in andere notities",
        "x_file_names": "Notities met hun naam in de bestandsnaam",
        "x_follow_ups": "Opvolgpunten over hen",
        "x_done": "gedaan",
        "x_open": "open",
        "x_surprise": "een verrassing voor hen",
        "x_dates": "Datums",
        "x_decisions": "Besluiten die hen noemen",
        "x_index": "Wat de index bewaart",
        "x_index_text": "De zoekindex in {folder} bevat de woorden van hun notitie en van elke notitie hierboven, en dit record van hun notitie:",
        "x_none": "geen",
        "x_birthday": "verjaardag",
        "x_anniversary": "in dienst gekomen",
        "x_family_birthday": "verjaardag",
    },
}

# SPEC §2's relations, and the family relations people write, as each language says them.
RELATIONS: dict[str, dict[str, str]] = {
    "en": {
        "report": "direct report",
        "peer": "peer",
        "manager": "manager",
        "skip": "skip-level",
        "client": "client",
        "freelancer": "freelancer",
        "supplier": "supplier",
        "former": "former colleague",
        "other": "other",
    },
    "nl": {
        "report": "medewerker",
        "peer": "collega",
        "manager": "leidinggevende",
        "skip": "skip-level",
        "client": "klant",
        "freelancer": "freelancer",
        "supplier": "leverancier",
        "former": "oud-collega",
        "other": "overig",
        "daughter": "dochter",
        "son": "zoon",
        "child": "kind",
        "partner": "partner",
        "wife": "vrouw",
        "husband": "man",
        "mother": "moeder",
        "father": "vader",
        "sister": "zus",
        "brother": "broer",
        "dog": "hond",
        "cat": "kat",
        "family": "familie",
    },
}


@functools.cache
def _babel_dates() -> Any:
    """``babel.dates``, imported with pytz out of its sight. On import it finds the
    machine's time zone, through pytz when pytz is installed (vobject, for ``import``,
    pulls it in), and pytz then opens each of its ~600 zone files to list the zones it
    has: 12 ms of every command that shows a date. Without it Babel takes the zone from
    the standard library's zoneinfo, as it does on any machine without pytz; vaultcrm
    formats dates and times of day, never a zone, so nothing shown changes."""
    import sys

    hide = "pytz" not in sys.modules and "babel.dates" not in sys.modules
    if hide:
        sys.modules["pytz"] = None  # type: ignore[assignment]  # "import pytz" fails
    try:
        import babel.dates
    finally:
        if hide:
            del sys.modules["pytz"]  # vobject imports it as usual
    return babel.dates


class Language:
    """Words, phrases and dates in the vault's ``locale`` (Babel for the dates)."""

    def __init__(self, locale: str | None):
        from babel import Locale, UnknownLocaleError

        try:
            self.locale = Locale.parse((locale or "en").replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            self.locale = Locale.parse("en")
        self.lang = self.locale.language if self.locale.language in WORDS else "en"
        self.words = WORDS[self.lang]
        # What templates see as ``t``: every plain entry (the counted ones via filters).
        self.labels = {k: v for k, v in self.words.items() if isinstance(v, str)}
        self._dates: dict[tuple[str, dt.date], str] = {}

    def __call__(self, key: str, **values: Any) -> str:
        """The entry ``key`` with ``values`` filled in."""
        entry = self.words[key]
        return (entry if isinstance(entry, str) else entry[1]).format(**values)

    def n(self, key: str, n: int, **values: Any) -> str:
        """A counted entry: ``n("days", 1)`` is ``1 day``, ``n("days", 3)`` ``3 days``."""
        entry = self.words[key]
        one, many = (entry, entry) if isinstance(entry, str) else entry
        return (one if n == 1 else many).format(n=n, **values)

    # dates -------------------------------------------------------------------------

    def _format(self, form: str, day: dt.date) -> str:
        """``day`` in a CLDR form ("medium", "full") or skeleton ("MMMEd"), kept: Babel
        matches a skeleton anew on every call (~0.5 ms), and an agenda of a large vault
        writes the same few hundred days again and again."""
        key = (form, day)
        found = self._dates.get(key)
        if found is None:
            dates = _babel_dates()
            if form in ("medium", "full", "LLLL"):  # LLLL: a month's name on its own
                found = dates.format_date(day, form, locale=self.locale)
            else:
                found = dates.format_skeleton(form, day, locale=self.locale)
            self._dates[key] = found
        return found

    def date(self, day: dt.date | None) -> str:
        """``Nov 10, 2026`` / ``10 nov 2026``."""
        return self._format("medium", day) if day else ""

    def longdate(self, day: dt.date | None) -> str:
        """``Monday, November 23, 2026`` / ``maandag 23 november 2026``."""
        return self._format("full", day) if day else ""

    def day(self, day: dt.date | None, today: dt.date | None = None) -> str:
        """``Thu, Nov 26`` / ``do 26 nov``: a day in the coming weeks; with its year
        (``Wed, Nov 4, 2026``) when that is not the year of ``today``."""
        if day is None:
            return ""
        skeleton = "yMMMEd" if today is not None and day.year != today.year else "MMMEd"
        return self._format(skeleton, day)

    def time(self, moment: dt.datetime | dt.time) -> str:
        """``10:00 AM`` / ``10:00``: a time of day as the locale writes it."""
        return _babel_dates().format_time(moment, "short", locale=self.locale)

    def meeting_when(self, start: dt.datetime, today: dt.date | None = None) -> str:
        """``Thu, Dec 3 10:00 AM`` / ``do 3 dec 10:00``: when a meeting starts, in the
        zone ``start`` is in (the caller's: the user's own)."""
        return f"{self.day(start.date(), today)} {self.time(start.time())}"

    def weekday(self, day: dt.date) -> str:
        """``Wed`` / ``wo``: the short weekday beside an ISO date."""
        return self._format("EEE", day)

    def daymonth(self, day: Any) -> str:
        """``April 12`` / ``12 april``: a birthday, with or without its year."""
        if day is None:
            return ""
        when = day if isinstance(day, dt.date) else dt.date(2000, day.month, day.day)
        return self._format("MMMMd", when)

    # phrases -----------------------------------------------------------------------

    def days(self, n: int) -> str:
        """``1 day``, ``3 days`` / ``1 dag``, ``3 dagen``."""
        return self.n("days", n)

    def ago(self, days: int | None) -> str:
        """``today``, ``yesterday``, ``5 days ago``; never a negative number."""
        if days is None:
            return self("no_contact")
        if days < 0:
            return self.in_days(-days)
        if days <= 1:
            return self(("today", "yesterday")[days])
        return self("ago", what=self.days(days))

    def in_days(self, days: int) -> str:
        """``today``, ``tomorrow``, ``in 5 days``; never a negative number."""
        if days < 0:
            return self.ago(-days)
        if days <= 1:
            return self(("today", "tomorrow")[days])
        return self("in", what=self.days(days))

    def overdue(self, days: int) -> str:
        """A follow-up's lateness: ``overdue by 2 days`` / ``2 dagen te laat``."""
        return self("overdue_by", what=self.days(days))

    def more(self, n: int) -> str:
        """What a part left out for its budget: ``and 3 more`` / ``en nog 3``."""
        return self.n("more", n)

    def ask(self, a: Any, today: dt.date | None = None) -> str:
        """A dated event as a question for today (``sheet.Ask``): ``maths exam, Wed,
        Nov 25 (2 days ago): ask how it went``; before it, wish them luck."""
        if a.month_only:
            month = self._format("LLLL", a.date)
            key = {"before": "ask_month_before", "after": "ask_month_after"}.get(
                a.phase, "ask_during"
            )
            return self(key, what=a.what, month=month)
        if a.phase in ("today", "during"):
            return self("ask_today", what=a.what)
        when = self.in_days(a.days) if a.phase == "before" else self.ago(a.days)
        return self(f"ask_{a.phase}", what=a.what, date=self.day(a.date, today), when=when)

    def relation(self, word: str) -> str:
        table = RELATIONS.get(self.lang, {})
        return table.get((word or "").strip().lower(), word or "")

    def kin(self, r: Any) -> str:
        """What to say of a relative beside their name: ``daughter, 17``, ``son, 4 months``,
        ``son, expected Mar 2, 2027``; empty when nothing is known."""
        age: Any = r.age
        if r.expected:
            age = self("expected", date=self.date(r.expected))
        elif r.months is not None:  # under a year: months, as parents count them
            age = self.n("months", r.months) if r.months else self("newborn")
        return ", ".join(str(x) for x in (self.relation(r.relation), age) if x not in ("", None))

    def event(self, e: Any, with_person: bool = False) -> str:
        """``Lisa's birthday (daughter, turns 18)`` / ``Verjaardag Lisa (dochter, wordt 18)``;
        ``with_person`` adds whose family it is, for a group sheet."""
        if e.kind == "anniversary":
            return self("of_service", who=e.who, years=self.n("years", e.years or 0))
        details = []
        if e.family:
            relation = self.relation(e.relation or "family")
            if with_person:
                relation = f"{relation} {self('of')} {e.of}"
            details.append(relation)
        if e.years is not None:
            details.append(self("turns", n=e.years))
        head = self("birthday_of", who=e.who)
        return f"{head} ({', '.join(details)})" if details else head

    def event_line(self, e: Any) -> str:
        """The agenda's line for a date: ``Lisa (daughter of Henk de Vries) turns 18``."""
        if e.kind == "anniversary":
            if e.years:
                return self("of_service", who=e.who, years=self.n("years", e.years))
            return self("work_anniversary", who=e.who)
        who = e.who
        if e.family:
            relation = self.relation(e.relation)
            key = "relative_of" if e.relation else "family_of"
            who = self(key, who=who, relation=relation, person=e.of)
        return self("turns_line", who=who, n=e.years) if e.years else self("birthday_line", who=who)

    def join_and(self, items: Any) -> str:
        items = [str(i) for i in items]
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self('and')} {items[-1]}"


@functools.lru_cache(maxsize=8)
def language(locale: str | None) -> Language:
    """The shared ``Language`` of a locale (Babel's locale data is parsed once)."""
    return Language(locale)
