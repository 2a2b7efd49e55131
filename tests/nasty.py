"""A fixed corpus of hostile files, generated in code (nothing huge or binary is committed).

``write_nasty_vault(root, big=False)`` fills ``root`` with every kind of file a real vault
has been known to hold, and some made to hurt: binary junk, huge lines, YAML bombs and
tags, impossible dates, names with path tricks, control characters or only emoji,
symlink loops, a FIFO and (``big=True``) a 50 MB note. It returns what ``check`` must
say about each file: a list of ``Expect`` (a path and a fragment of its message), so
the tests can assert that every bad file is reported with its path.

Not a test module: the hostile-input tests import it (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Expect:
    """``check`` reports ``path`` with a message containing ``says``."""

    path: str
    says: str
    at_index: bool = True  # False: only check sees it (a dangling link needs the whole vault)


GOOD_PERSON = (
    "---\nname: Henk de Vries\naliases: [Henk]\nteam: Klantenservice\ncadence: 14d\n"
    "last_contact: 2026-11-10\nbirthday: 1978-04-12\n---\n# Henk\nHoudt van jazz.\n\n"
    "## Log\n- 2026-11-10: over jazz gesproken\n- [ ] vragen naar Lisa \U0001f4c5 2026-11-30\n"
)

BILLION_LAUGHS = "---\n" + "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)),
        "name: Laughing Man",
        "---",
        "body",
    ]
)


def _nested(depth: int) -> str:
    return "---\nname: Deep\nx: " + "[" * depth + "]" * depth + "\n---\nbody\n"


def _nested_maps(depth: int) -> str:
    lines = ["---", "name: Deep Map"]
    for level in range(depth):
        lines.append("  " * level + f"k{level}:")
    lines.append("  " * depth + "leaf")
    return "\n".join(lines + ["---", "body", ""])


NASTY_TEXT: dict[str, tuple[str | bytes, str | None]] = {
    # path: (content, a fragment of what check says about it; None: nothing to report)
    "people/Henk de Vries.md": (GOOD_PERSON, None),
    "junk/nul-bytes.md": (bytes(range(256)) * 4, "binary file"),
    "junk/latin1.md": ("Caf\xe9 met Zo\xeb\n".encode("latin-1"), "not valid UTF-8"),
    "junk/huge-line.md": ("jazz " * 120_000 + "\n", None),  # 600 KB on one line
    "junk/many-lines.md": ("- [ ] taak \U0001f4c5 2026-11-30 #tag\n" * 10_000, None),
    "yaml/billion-laughs.md": (BILLION_LAUGHS, "YAML aliases"),
    "yaml/recursive.md": ("---\nname: Loop\nself: &x [1, *x]\n---\nbody\n", None),
    "yaml/recursive-map.md": ("---\nname: Loop Map\nm: &m {a: *m}\n---\nbody\n", None),
    "yaml/deep-flow.md": (_nested(60_000), "nested over 16 levels"),
    "yaml/deep-enough.md": (_nested(1_500), "nested over 16 levels"),
    "yaml/deep-block.md": (_nested_maps(400), "nested over 16 levels"),
    "yaml/python-object.md": (
        "---\nname: Evil\nx: !!python/object/apply:os.system ['touch /tmp/vaultcrm-pwned']\n---\n",
        "not valid YAML",
    ),
    "yaml/python-name.md": ("---\nx: !!python/name:os.system\n---\n", "not valid YAML"),
    "yaml/unknown-tag.md": ("---\nx: !secret value\n---\n", "not valid YAML"),
    "yaml/binary-tag.md": ("---\nname: Bin\nx: !!binary aGVsbG8=\n---\nbody\n", None),
    "yaml/list-front-matter.md": ("---\n- a\n- b\n---\nbody\n", "not key: value pairs"),
    "yaml/scalar-front-matter.md": ("---\njust text\n---\nbody\n", "not key: value pairs"),
    "yaml/unhashable-key.md": ("---\n? [a, b]\n: c\n---\nbody\n", "front-matter"),
    "yaml/duplicate-anchors.md": ("---\na: &x 1\nb: &x 2\nc: *x\n---\n", None),
    "yaml/unclosed.md": ("---\nname: Open\nno closing fence\n", "no closing '---'"),
    "yaml/tabs.md": ("---\nname:\tTabbed\n\tbad: indent\n---\n", "not valid YAML"),
    "yaml/huge-int.md": ("---\nn: !!int 9" + "9" * 5000 + "\n---\n", None),
    "yaml/big-float.md": ("---\nf: !!float 1e99999\n---\n", None),
    "people/Lists Where Maps Go.md": (
        "---\nname: [not, a, name]\nfamily: just a string\naliases: {a: b}\n"
        "team: {x: y}\ntags: [[nested]]\ninterests: 42\n---\nbody\n",
        "should be",
    ),
    "people/Family Of Lists.md": ("---\nfamily: [[1, 2], 3, null]\n---\n", "family"),
    "people/Bad Dates.md": (
        "---\nname: Bad Dates\nbirthday: 2026-02-30\nstarted: 2026-13-01\n"
        "last_contact: yesterday\ncadence: often\n---\n## Log\n- 2026-02-30: nooit gebeurd\n"
        "- [ ] iets \U0001f4c5 2026-04-31 \u23f3 0000-00-00\n",
        "not a real date",
    ),
    "people/Edge Dates.md": (
        "---\nname: Edge Dates\nbirthday: 0001-01-01\nstarted: 9999-12-31\n"
        "last_contact: 9999-12-31\ncadence: 99999999y\n"
        "family:\n  - {name: Kid, birthday: --02-29}\n  - {name: Old, birthday: 0001-01-01}\n"
        "---\n## Log\n- 9999-12-31: ver in de toekomst\n"
        "- [ ] later \U0001f4c5 9999-12-31 \u23f3 0001-01-01\n",
        None,
    ),
    "people/Huge Cadence.md": (
        "---\nname: Huge Cadence\ncadence: 999999999999999999999d\n---\n",
        None,
    ),
    "people/Path Tricks.md": (
        '---\nname: "../../etc/passwd"\naliases: ["a/b", "..", "/", "C:\\\\x"]\n---\nbody\n',
        None,
    ),
    "people/\U0001f642\U0001f680\U0001f308.md": ("---\ncadence: 7d\n---\nAlleen emoji.\n", None),
    "people/Ctrl\x07Bell\x1b[31mRed.md": ("---\ncadence: 7d\n---\nControl characters.\n", None),
    "people/Zero\u200bWidth\u202eRTL.md": ("Zero width and right-to-left override.\n", None),
    "people/...md": ("Dots.\n", None),
    "people/" + "L" * 240 + ".md": ("A very long file name.\n", None),
    "people/Internal Keys.md": (
        "---\nname: Internal Keys\nvc_path: people/Henk de Vries.md\nbody_nl: x\n"
        "body: y\nlinks: z\n'*': star\n'tag:x': colon\n'': empty\n---\nbody\n",
        None,
    ),
    "notes/empty.md": (b"", None),
    "notes/only-fence.md": ("---\n", "no closing '---'"),
    "notes/two-fences.md": ("---\n---\n", None),
    "notes/bom-crlf.md": ("\ufeff---\r\nname: BOM\r\n---\r\nWindows\r\n", None),
    "notes/lone-cr.md": ("---\rname: CR\r---\rOld Mac line ends\r", None),
    "notes/links.md": ("[[" * 10_000 + "Henk de Vries" + "]]" * 10_000 + "\n", None),
    "notes/many-links.md": ("".join(f"[[Nobody {i}]] " for i in range(10_000)) + "\n", "link"),
    "notes/many-tags.md": (" ".join(f"#t{i}" for i in range(5_000)) + "\n", None),
    "notes/unclosed-code.md": ("```\n- [ ] not a task\n", None),
    "notes/regex-bomb.md": ("#" + "a/" * 50_000 + "!\n" + "- " * 100_000 + "\n", None),
    "notes/surrogates.md": (b"x \xed\xb3\xbf y\n", "not valid UTF-8"),
}


def write_nasty_vault(root: Path, big: bool = False) -> list[Expect]:
    """Fill ``root`` with the hostile corpus; return what ``check`` must report."""
    (root / ".vaultcrm").mkdir(parents=True, exist_ok=True)
    (root / ".vaultcrm" / "config.toml").write_text('languages = ["nl", "en"]\n', "utf-8")
    expect: list[Expect] = []
    for rel, (content, says) in NASTY_TEXT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path.write_bytes(data)
        if says:
            expect.append(Expect(rel, says, at_index=says != "link"))
    rng = random.Random(1)
    (root / "junk/random.md").write_bytes(rng.randbytes(100_000))
    expect.append(Expect("junk/random.md", "binary file"))
    _links(root)
    _special_files(root)
    if big:
        with (root / "junk/fifty-megabytes.md").open("wb") as handle:
            line = b"- 2026-01-01: " + b"x" * 1010 + b"\n"
            for _ in range(50 * 1024):
                handle.write(line)
        expect.append(Expect("junk/fifty-megabytes.md", "over the"))
    return expect


def _links(root: Path) -> None:
    """Symlink loops and links out of the vault: never followed, never a hang."""
    links = root / "links"
    links.mkdir()
    os.symlink(".", links / "self-loop")  # a folder that contains itself
    os.symlink("..", links / "parent-loop")
    os.symlink("b.md", links / "a.md")  # a.md -> b.md -> a.md
    os.symlink("a.md", links / "b.md")
    os.symlink("/etc/passwd", links / "passwd.md")  # out of the vault
    os.symlink("/", links / "root")
    os.symlink("nowhere.md", links / "dangling.md")
    os.symlink("../people/Henk de Vries.md", links / "henk-link.md")  # inside: read


def _special_files(root: Path) -> None:
    """A FIFO named like a note: reading it would block forever."""
    os.mkfifo(root / "junk" / "fifo.md")
    (root / "junk" / "folder.md").mkdir()
    (root / "junk" / "folder.md" / "inside.md").write_text("In a folder named .md\n")
