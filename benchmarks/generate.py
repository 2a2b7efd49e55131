"""A deterministic synthetic vault: the same seed gives the same bytes, on any machine.

The mix follows a manager's real vault: ~8% people (every SPEC §2 front-matter key, a
Log with dated entries, follow-ups with 📅/⏳, wins, Dutch or English prose), ~55%
meeting notes that link people with ``[[Name]]``, ``[[Name|alias]]`` and
``[[Name#Log]]``, ~25% daily notes with inline #tags, and decisions and projects. Prose
draws from a Zipf-distributed vocabulary of made-up words on top of real Dutch and
English sentences, so the index sees a realistic, long-tailed term dictionary rather
than the same fifty words.

As a module: ``generate_vault(root, notes, seed=0)``. As a script::

    python -m benchmarks.generate /tmp/vault10k --notes 10k --seed 0
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import shutil
import sys
from pathlib import Path

GENERATOR_VERSION = 1  # bump when the output changes, so cached vaults are regenerated
MARKER = ".vaultcrm/generated.json"
TODAY = dt.date(2026, 11, 23)  # fixed, so the vault does not depend on the day it is made


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = _words(
    "Henk Daan Sanne Anouk Bram Fatima Ingrid Joost Lucas Noor Pieter Sander Zoë Dominique "
    "Emma Julia Sophie Tess Fleur Lotte Lieke Saar Eva Anna Isa Mila Femke Roos Maud Iris "
    "Jesse Thijs Ruben Sem Finn Milan Jens Lars Stijn Koen Bas Tim Niels Wouter Jeroen Rik "
    "Olivia Amelia George Oliver Harry Charlotte Grace Jack Thomas Emily James Hannah "
    "Mohamed Yusuf Aylin Elif Mehmet Priya Arjun Chen Wei Mei Kofi Amara Siobhan Niamh "
    "Björn Åsa Søren Zoltán Ágnes Łukasz Renée José Inés Chloé Noël Gaël François Maëlle"
)
LAST = _words(
    "de Vries|Jansen|Visser|Peters|Mulder|El Amrani|Haugen|Willems|Meijer|Smit|Vos|"
    "de Groot|Bakker|van Dijk|Bos|de Boer|van den Berg|Dekker|Hendriks|van Leeuwen|"
    "Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|Kok|Jacobs|van Wijk|Vermeulen|"
    "van der Linden|Kuipers|Schouten|Post|Huisman|Kramer|van Beek|Hoekstra|Koster|Prins|"
    "Smith|Jones|Taylor|Brown|Williams|Wilson|Evans|Thomas|Roberts|Walker|Wright|Clarke|"
    "Hughes|Green|Hall|Wood|Harris|Lewis|Martin|Cooper|Yılmaz|Kaya|Demir|Şahin|Öztürk|"
    "Nguyen|Patel|Okafor|Mensah|O'Brien|Müller|Schäfer|Nowak|Kowalski|Fernández|García|"
    "Dubois|Lefèvre|Lindqvist|Johansson|Nielsen|Kovács|Novák|Rossi|Bianchi|Costa",
    "|",
)
TEAMS = _words(
    "Klantenservice Finance HR Sales Engineering Marketing Operations Legal Data "
    "Security Facilities Product Design Support Logistics"
)
ROLES = _words(
    "Senior Support Engineer|Teamlead|Accountmanager|Data Analyst|HR Business Partner|"
    "Product Owner|Software Engineer|Scrum Master|Controller|Recruiter|UX Designer|"
    "Sales Manager|Office Manager|Security Officer|Juridisch Adviseur|Marketeer",
    "|",
)
RELATIONS = _words("report peer manager skip client freelancer supplier former other")
INTERESTS = _words(
    "wielrennen jazz hardlopen koken fotografie schaken tuinieren zeilen klimmen "
    "boardgames sci-fi piano gitaar yoga voetbal hockey tennis wandelen vissen bakken"
)
GIFTS = _words(
    "jazz-concertkaartjes|boek over koken|fietscomputer|wijnpakket|museumkaart|"
    "plantje|koffiebonen|sportschoenen|theaterbon|puzzel",
    "|",
)
GROWTH = _words(
    "leading a team|Spanish|public speaking|data science|coaching|negotiation|"
    "architecture|Python|project management|German",
    "|",
)
TAGS = _words("mentor klantenservice onboarding talent risico escalatie project q4 budget hiring")
FAMILY = (("daughter", 6, 25), ("son", 6, 25), ("partner", 28, 60), ("wife", 28, 60))
FAMILY_NAMES = _words("Lisa Tom Eva Sam Noah Lina Max Nina Olaf Yara Ben Sara Jay Kim")
FAMILY_NOTES = (
    "maths exam in November",
    "eindexamen in mei",
    "begint op de universiteit",
    "net verhuisd naar Utrecht",
    "plays football on Saturdays",
    "zwemdiploma B gehaald",
    "recovering from knee surgery",
)

NL = (
    "Rustig en betrouwbaar, kent elk oud systeem en elke lastige klant bij naam.",
    "Wil doorgroeien naar teamlead en oefent met het voorzitten van de stand-up.",
    "Liever een 1:1 met koffie bij het raam dan een teamuitje met borrel.",
    "Dochter heeft eind november haar wiskunde-tentamen; pas daarna vragen hoe het ging.",
    "Fietst elk weekend met de club over de Utrechtse Heuvelrug.",
    "Twijfelt of de nieuwe planning haalbaar is met de huidige bezetting.",
    "De storing bij de klant is binnen veertig minuten opgelost.",
    "Afgesproken dat de offerte voor volgend jaar eind deze maand de deur uit gaat.",
    "Maakt zich zorgen over de werkdruk na de tariefwijziging.",
    "Heeft een goed voorstel voor het inwerkprogramma van nieuwe collega's.",
    "Gaat volgend jaar een maand naar Andalusië en wil daarom Spaans leren.",
    "Vindt het lastig om nee te zeggen tegen extra verzoeken van sales.",
)
EN = (
    "Calm and reliable, knows every legacy system and every difficult customer by name.",
    "Wants to grow into a team lead role and is practising by chairing the stand-up.",
    "Prefers a one-to-one over coffee by the window to a team outing.",
    "Her son has his final exams in May; ask how the revision is going.",
    "Cycles every weekend with the club and follows jazz concerts in town.",
    "Worried whether the new planning is feasible with the current staffing.",
    "Resolved the outage for the customer within forty minutes.",
    "Agreed that the proposal for next year goes out before the end of the month.",
    "Concerned about workload after the price change.",
    "Has a good proposal for onboarding new colleagues, worth backing in the MT.",
    "Is going to Andalusia for a month next year and wants to learn Spanish.",
    "Finds it hard to say no to extra requests from sales.",
)
LOG_NL = (
    "1:1 gehad; mentorschap loopt goed.",
    "Kort bijgepraat bij de koffieautomaat over de drukte.",
    "Leiderschapstraining besproken, pas na het voorjaar.",
    "Feedback gegeven op de presentatie voor het MT.",
    "Moe na de piek; afgesproken dat vrijdag vrij is.",
)
LOG_EN = (
    "1:1; mentoring is going well.",
    "Quick catch-up about the release planning.",
    "Discussed the leadership training, after spring.",
    "Gave feedback on the roadmap presentation.",
    "Tired after the peak; agreed to take Friday off.",
)
TASKS = (
    "Vragen hoe het tentamen ging",
    "Ask how the exams went",
    "Leiderschapstraining aanvragen bij HR",
    "Send the escalation matrix",
    "Offerte 2027 nasturen",
    "Check in about the move",
    "Budget voor de cursus regelen",
    "Share the SLA report",
)
SYLLABLES = _words(
    "ka ro mi te lo van der sen berg stra tel ing heid lijk aar ver ont be ge "
    "flux sync port data log plan board team ops net core ware cloud desk"
)


class _Words:
    """A Zipf-distributed vocabulary of made-up words: realistic term statistics."""

    def __init__(self, rng: random.Random, size: int = 20_000):
        words: list[str] = []
        seen: set[str] = set()
        while len(words) < size:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(size)))

    def sentence(self, rng: random.Random, n: int) -> str:
        total = self.cumulative[-1]
        picks = (self.words[bisect.bisect(self.cumulative, rng.random() * total)] for _ in range(n))
        text = " ".join(picks)
        return text[:1].upper() + text[1:] + "."


def _day(rng: random.Random, back: int, ahead: int = 0) -> dt.date:
    return TODAY + dt.timedelta(days=rng.randint(-back, ahead))


def _names(count: int, rng: random.Random) -> list[str]:
    """``count`` unique person names; a number is added only when the pairs run out."""
    pairs = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(pairs)
    out = pairs[:count]
    round_ = 2
    while len(out) < count:
        out.extend(f"{p} {round_}" for p in pairs[: count - len(out)])
        round_ += 1
    return out


def _prose(rng: random.Random, words: _Words, dutch: bool, sentences: int) -> str:
    pool = NL if dutch else EN
    parts = []
    for _ in range(sentences):
        if rng.random() < 0.6:
            parts.append(rng.choice(pool))
        else:
            parts.append(words.sentence(rng, rng.randint(5, 14)))
    return " ".join(parts)


def _link(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.7:
        return f"[[{name}]]"
    if roll < 0.85:
        return f"[[{name}|{name.split()[0]}]]"
    if roll < 0.95:
        return f"[[{name}#Log]]"
    return f"![[{name}]]"


def _task(rng: random.Random, done_share: float = 0.3) -> str:
    mark = "x" if rng.random() < done_share else " "
    text = rng.choice(TASKS)
    roll = rng.random()
    if roll < 0.4:
        text += f" 📅 {_day(rng, 30, 30)}"
    elif roll < 0.6:
        text += f" ⏳ {_day(rng, 10, 20)}"
    elif roll < 0.7:
        text += f" ⏳ {_day(rng, 10, 10)} 📅 {_day(rng, 0, 40)}"
    return f"- [{mark}] {text}"


def _person(rng: random.Random, words: _Words, name: str, people: list[str]) -> str:
    dutch = rng.random() < 0.6
    first = name.split()[0]
    birthday = _day(rng, 60 * 365, -22 * 365)
    kids = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        relation, young, old = rng.choice(FAMILY)
        born = TODAY - dt.timedelta(days=rng.randint(young * 365, old * 365))
        kids.append(
            f"  - {{name: {rng.choice(FAMILY_NAMES)}, relation: {relation}, "
            f"birthday: {born}, note: {rng.choice(FAMILY_NOTES)}}}"
        )
    manager = rng.choice(people)
    lines = [
        "---",
        f"name: {name}",
        f"aliases: [{first}, {''.join(p[0] for p in name.split() if p[0].isupper())}]",
        f"role: {rng.choice(ROLES)}",
        f"team: {rng.choice(TEAMS)}",
        f"relation: {rng.choice(RELATIONS)}",
        f'manager: "[[{manager}]]"',
        f"email: {first.lower()}.{rng.randint(1, 999)}@example.com",
        f"birthday: {birthday if rng.random() < 0.8 else birthday.strftime('--%m-%d')}",
        f"started: {_day(rng, 20 * 365, -30)}",
        f"met: {rng.choice(('HR-congres Utrecht', 'sollicitatie', 'a client visit', 'the MT offsite'))}, {rng.randint(2010, 2026)}",
        f"cadence: {rng.choice(('7d', '14d', '2w', '1m', '1q', '90d'))}",
        f"last_contact: {_day(rng, 120)}",
        "family:" if kids else "family: []",
        *kids,
        f"interests: [{', '.join(rng.sample(INTERESTS, rng.randint(1, 3)))}]",
        f"gift_ideas: [{', '.join(rng.sample(GIFTS, rng.randint(0, 2)))}]",
        f"growth: [{', '.join(rng.sample(GROWTH, rng.randint(0, 2)))}]",
        f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]",
        "---",
        f"# {name}",
        "",
        _prose(rng, words, dutch, rng.randint(3, 8)),
        "",
        _prose(rng, words, dutch, rng.randint(1, 4)) + f" #{rng.choice(TAGS)}",
        "",
        "## Logboek" if dutch else "## Log",
    ]
    day = TODAY
    for _ in range(rng.randint(2, 12)):
        day -= dt.timedelta(days=rng.randint(3, 30))
        entry = rng.choice(LOG_NL if dutch else LOG_EN)
        if rng.random() < 0.3:
            other = _link(rng, rng.choice(people))
            entry += f" Met {other} erbij." if dutch else f" With {other}."
        lines.append(f"- {day}: {entry}")
    lines += ["", "## Follow-ups"]
    lines += [_task(rng) for _ in range(rng.randint(1, 5))]
    lines += ["", "## Successen" if dutch else "## Wins"]
    lines += [f"- {_prose(rng, words, dutch, 1)}" for _ in range(rng.randint(0, 3))]
    return "\n".join(lines) + "\n"


def _meeting(rng: random.Random, words: _Words, day: dt.date, people: list[str]) -> str:
    dutch = rng.random() < 0.6
    who = rng.sample(people, min(len(people), rng.randint(1, 5)))
    attendees = ", ".join(f'"[[{w}]]"' for w in who)
    lines = [
        "---",
        f"date: {day}",
        "type: meeting",
        f"attendees: [{attendees}]",
        "---",
        f"# {'Overleg' if dutch else 'Meeting'} {day}",
        "",
        f"{'Aanwezig' if dutch else 'Present'}: {', '.join(_link(rng, w) for w in who)}.",
        "",
        "## Besproken" if dutch else "## Discussed",
    ]
    for _ in range(rng.randint(3, 9)):
        line = _prose(rng, words, dutch, rng.randint(1, 2))
        if rng.random() < 0.4:
            line += f" ({_link(rng, rng.choice(who))})"
        lines.append(f"- {line}")
    lines += ["", "## Acties" if dutch else "## Actions"]
    lines += [_task(rng, 0.4) + f" [[{rng.choice(who)}]]" for _ in range(rng.randint(1, 4))]
    return "\n".join(lines) + "\n"


def _daily(rng: random.Random, words: _Words, day: dt.date, people: list[str]) -> str:
    dutch = rng.random() < 0.6
    lines = [f"# {day:%A %d %B %Y}", ""]
    for _ in range(rng.randint(2, 8)):
        line = _prose(rng, words, dutch, 1)
        if rng.random() < 0.5:
            line = f"{_link(rng, rng.choice(people))}: {line}"
        if rng.random() < 0.2:
            line += f" #{rng.choice(TAGS)}"
        lines.append(f"- {line}")
    if rng.random() < 0.5:
        lines += ["", _task(rng)]
    return "\n".join(lines) + "\n"


def _decision(rng: random.Random, words: _Words, title: str, day: dt.date) -> str:
    dutch = rng.random() < 0.6
    teams = rng.sample(TEAMS, rng.randint(1, 2))
    return "\n".join(
        [
            "---",
            "type: decision",
            f"date: {day}",
            f"teams: [{', '.join(teams)}]",
            "---",
            f"# {title}",
            "",
            _prose(rng, words, dutch, rng.randint(2, 5)),
            "",
            "## Waarom" if dutch else "## Why",
            _prose(rng, words, dutch, rng.randint(1, 3)),
            "",
        ]
    )


def _project(rng: random.Random, words: _Words, title: str, people: list[str]) -> str:
    dutch = rng.random() < 0.6
    owner = rng.choice(people)
    lines = [
        "---",
        f"title: {title}",
        f'owner: "[[{owner}]]"',
        f"status: {rng.choice(('active', 'paused', 'done'))}",
        f"tags: [{', '.join(rng.sample(TAGS, 2))}]",
        "---",
        f"# {title}",
        "",
        _prose(rng, words, dutch, rng.randint(3, 10)),
        "",
        "## Team",
        *(f"- {_link(rng, p)}" for p in rng.sample(people, min(len(people), rng.randint(1, 6)))),
        "",
        "## Open",
        *(_task(rng) for _ in range(rng.randint(0, 4))),
    ]
    return "\n".join(lines) + "\n"


CONFIG = """\
# Generated by benchmarks/generate.py
languages = ["nl", "en"]
locale = "nl"
people_dirs = ["people"]
"""


def _plan(notes: int, people: int | None = None) -> dict[str, int]:
    """How many notes of each kind; the shares add up to exactly ``notes``. ``people``
    fixes the number of people (default 8% of the notes); meetings make up the rest."""
    people = max(1, round(notes * 0.08)) if people is None else max(1, min(people, notes))
    rest = (notes - people) / 0.92  # the other kinds keep their shares of what is left
    decisions = round(rest * 0.05)
    projects = round(rest * 0.07)
    daily = round(rest * 0.25)
    meetings = max(0, notes - people - decisions - projects - daily)
    return {
        "people": people,
        "meetings": meetings,
        "daily": daily,
        "decisions": decisions,
        "projects": projects,
    }


def generate_vault(root: Path, notes: int, seed: int = 0, people: int | None = None) -> dict:
    """Write a vault of exactly ``notes`` notes under ``root`` (made empty first); with
    ``people``, that many of them are people (the same seed and sizes, the same bytes).

    Returns what was made: counts per kind, total bytes, and the parameters, which are
    also written to ``.vaultcrm/generated.json`` so a runner can reuse the vault.
    """
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / ".vaultcrm").mkdir(parents=True)
    (root / ".obsidian").mkdir()
    (root / ".vaultcrm" / "config.toml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(seed)
    words = _Words(random.Random(seed + 1))
    plan = _plan(notes, people)
    people = _names(plan["people"], rng)
    files: dict[str, str] = {}
    for name in people:
        files[f"people/{name}.md"] = _person(rng, words, name, people)
    # Meetings spread over ~6 years, several a day, filed by year as many vaults do.
    for i in range(plan["meetings"]):
        day = TODAY - dt.timedelta(days=(i * 2190) // max(1, plan["meetings"]))
        who = rng.choice(people).split()[0]
        rel = f"meetings/{day.year}/{day} 1-1 {who} {i:06d}.md"
        files[rel] = _meeting(rng, words, day, people)
    for i in range(plan["daily"]):
        day = TODAY - dt.timedelta(days=i)
        files[f"daily/{day.year}/{day}.md"] = _daily(rng, words, day, people)
    for i in range(plan["decisions"]):
        day = TODAY - dt.timedelta(days=rng.randint(0, 2000))
        title = f"{day} Besluit {i:05d} {words.sentence(rng, 2).rstrip('.')}"
        files[f"decisions/{title}.md"] = _decision(rng, words, title, day)
    for i in range(plan["projects"]):
        title = f"Project {i:05d} {words.sentence(rng, 2).rstrip('.')}"
        files[f"projects/{title}.md"] = _project(rng, words, title, people)
    total = 0
    made_dirs: set[Path] = set()
    for rel, text in files.items():
        path = root / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    info = {
        "generator": GENERATOR_VERSION,
        "notes": len(files),
        "seed": seed,
        "bytes": total,
        "kinds": plan,
    }
    (root / MARKER).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def ensure_vault(root: Path, notes: int, seed: int = 0, people: int | None = None) -> dict:
    """The vault at ``root`` as ``generate_vault`` would make it, reused when it already is.

    A reused vault is only trusted when its marker matches; benchmarks that change a note
    put it back, and any index under ``.vaultcrm/index`` is the runner's business.
    """
    marker = Path(root) / MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        if (info.get("generator"), info.get("notes"), info.get("seed")) == (
            GENERATOR_VERSION,
            notes,
            seed,
        ) and info.get("kinds", {}).get("people") == _plan(notes, people)["people"]:
            return info
    except (OSError, ValueError):
        pass
    return generate_vault(root, notes, seed, people=people)


def parse_size(text: str) -> int:
    """``1k`` → 1000, ``100k`` → 100000, ``50`` → 50, ``1m`` → 1000000."""
    text = text.strip().lower()
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 50, 1k, 10k)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("a vault needs at least one note")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic vault.")
    parser.add_argument("root", type=Path, help="folder to write (replaced if it exists)")
    parser.add_argument("--notes", type=parse_size, default=1000, help="e.g. 1k, 10k, 100k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--people", type=parse_size, help="how many of the notes are people (default ~8%%)"
    )
    args = parser.parse_args(argv)
    info = generate_vault(args.root, args.notes, args.seed, people=args.people)
    print(f"{info['notes']} notes, {info['bytes'] / 1e6:.1f} MB in {args.root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
