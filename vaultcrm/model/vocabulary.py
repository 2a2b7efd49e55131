"""The words of the note format (SPEC §2): what the parser recognises and the writers use.

Kept apart from the parser and free of imports, so the CLI can offer the relations as
choices without loading any of the library. (What vaultcrm *says* in each language is
``present/words.py``; these are the words a note is written in.)
"""

from __future__ import annotations

# SPEC §2's relations: the one list `new --relation` accepts, `check` verifies and the
# sheets and network know.
RELATIONS = (
    "report",
    "peer",
    "manager",
    "skip",
    "client",
    "freelancer",
    "supplier",
    "former",
    "other",
)

# Section headings, in English and Dutch (matched folded, any level).
LOG_HEADINGS = frozenset({"log", "logboek"})
WINS_HEADINGS = frozenset({"wins", "successen"})
WHY_HEADINGS = frozenset({"why", "waarom"})
PRIVATE_HEADINGS = frozenset({"private", "prive"})  # ## Private / ## Privé (folded)
# A person note's own prose (the prep sheet's Context): under this heading if there is one.
CONTEXT_HEADINGS = frozenset({"context", "achtergrond"})
FOLLOW_UP_HEADINGS = frozenset(
    {"follow-ups", "follow-up", "follow ups", "followups", "opvolging", "opvolgen", "opvolgpunten"}
)

# Front-matter keys whose plain names (no [[link]]) are the people a note is with: a CRM
# vault's meeting notes often say ``attendees: [Max Klein, Anna de Wit]``.
ATTENDEE_KEYS = ("attendees", "participants", "people", "with", "deelnemers", "aanwezigen")

# The key and value ``prep --save`` writes into a saved sheet: such a note is preparation
# (contact only once its day has passed), and what it says was copied from other notes.
PREPARED_KEY, PREPARED_BY = "prepared_by", "vaultcrm"

MEETINGS_DIR = "meetings"  # a note in this folder (any case) is a meeting note
