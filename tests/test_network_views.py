"""`network --format html`: one self-contained page, checked as text always and, where
Chromium is installed, in a real headless browser with a screenshot.

The browser test lays out 200 people, then reads the page back (--dump-dom) and looks
at the screenshot's pixels: every person drawn at a real position, the colours of
their relations on screen. Without Chromium (CI may not have it) that test is skipped
and says why; `apt-get install chromium` brings it on Debian.
"""

from __future__ import annotations

import random
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import chromium, on

from vaultcrm.features.network import RELATION_COLOURS, network_report
from vaultcrm.features.network_views import render_html
from vaultcrm.present.words import language
from vaultcrm.store.vault import Vault

TODAY = "2026-11-23"
RELATIONS = ["report", "peer", "manager", "skip", "client", "freelancer", "supplier", "former"]
TEAMS = ["Support", "Billing", "Sales", "HR", "Acme", "Initech", "Globex", ""]


def crowd(count: int = 200, meetings: int = 300, seed: int = 1) -> dict[str, str]:
    """``count`` people in teams with relations, and meetings among them."""
    rng = random.Random(seed)
    names = [f"Person {i:03d}" for i in range(count)]
    files = {}
    for i, name in enumerate(names):
        team = TEAMS[i % len(TEAMS)]
        files[f"people/{name}.md"] = (
            f"---\nrelation: {RELATIONS[i % len(RELATIONS)]}\nteam: '{team}'\ncadence: 1m\n---\n"
        )
    for m in range(meetings):
        day = on(TODAY).toordinal() - rng.randint(0, 400)
        team = rng.randrange(len(TEAMS))
        group = [n for i, n in enumerate(names) if i % len(TEAMS) == team]
        who = rng.sample(group, 3) + ([rng.choice(names)] if rng.random() < 0.3 else [])
        attendees = ", ".join(f"'[[{w}]]'" for w in who)
        date = on(TODAY).fromordinal(day).isoformat()
        files[f"meetings/{date} m{m}.md"] = (
            f"---\ndate: {date}\ntype: meeting\nattendees: [{attendees}]\n---\n"
        )
    return files


def page_for(root: Path, locale: str = "en") -> str:
    net = network_report(Vault(root), on(TODAY))
    return render_html(net, language(locale))


def test_the_page_fetches_nothing(example_vault) -> None:
    page = page_for(example_vault)
    assert page.startswith("<!DOCTYPE html>")
    # The only URL is the SVG namespace name, which browsers never fetch.
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]
    for outside in ("src=", "href=", "<link", "@import", "url(", "<iframe", "<img"):
        assert outside not in page
    assert "Stakeholder grid" in page and "Manage closely" in page
    assert "Ingrid Haugen" in page


def test_names_are_escaped(make_vault) -> None:
    root = make_vault(
        {
            "people/Evil.md": "---\nname: '<script>alert(1)</script> & \"Co\"'\n"
            "relation: client\ninfluence: high\ninterest: high\n---\n",
            "people/Zed.md": "---\nrelation: peer\n---\n[[Evil]]\n",
        }
    )
    page = page_for(root)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;" in page  # the grid
    assert "\\u003cscript>alert(1)\\u003c/script>" in page  # the JSON island


def test_a_dutch_page(example_vault) -> None:
    page = page_for(example_vault, "nl")
    assert '<html lang="nl">' in page and "Stakeholderkaart" in page


FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
    "--window-size=1280,900",
]


def read_png(path: Path) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    pixels = [tuple(row[x : x + 3]) for row in rows for x in range(0, stride, channels)]
    return width, height, pixels


@pytest.mark.timeout(180)
def test_two_hundred_people_in_headless_chromium(make_vault, tmp_path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip(
            "no Chromium on this machine (apt-get install chromium); the page's text checks ran"
        )
    root = make_vault(crowd())
    page = tmp_path / "network.html"
    page.write_text(page_for(root), encoding="utf-8")
    url = page.as_uri()
    dom = subprocess.run(
        [browser, *FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=120
    ).stdout
    assert 'data-ready="200"' in dom  # the script ran to its end for 200 people
    circles = re.findall(r'<circle cx="([-\d.e]+)" cy="([-\d.e]+)" r="([\d.]+)"', dom)
    assert len(circles) == 200
    assert all(abs(float(x)) < 1e5 and abs(float(y)) < 1e5 for x, y, _ in circles)
    assert len({(x, y) for x, y, _ in circles}) == 200  # nobody on top of another
    shot = tmp_path / "network.png"
    subprocess.run([browser, *FLAGS, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    width, height, pixels = read_png(shot)
    assert (width, height) == (1280, 900)
    colours = set(pixels)
    assert len(colours) > 50  # a picture, not a blank page
    for relation in ("report", "client", "supplier"):
        rgb = tuple(int(RELATION_COLOURS[relation][i : i + 2], 16) for i in (1, 3, 5))
        assert sum(1 for p in pixels if p == rgb) > 200, relation  # circles in that colour
