"""The prep sheet on paper: a 1:1 sheet of the example vault's richest person prints on
one A4 page, a group sheet of three on two at most (issue 15).

Printed to PDF by headless Chromium, as a user's "Print" would, and the pages counted
from the PDF itself (its ``/Type /Page`` objects; Chromium writes them uncompressed).
Without Chromium (CI may not have it) the test is skipped and says why; ``apt-get
install chromium`` brings it on Debian. The sheets' budgets are checked without it in
tests/test_prep_parts.py.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from conftest import chromium

from vaultcrm.features.prep import build_sheet
from vaultcrm.present.templates import render_sheet
from vaultcrm.store.vault import Vault

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-pdf-header-footer",
]
DAYS = ("2026-11-23", "2026-11-27")  # the tests' day, and the day after Lisa's exam


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF: its page objects (not the ``/Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def printed_pages(browser: str, html: str, folder: Path) -> int:
    page, pdf = folder / "sheet.html", folder / "sheet.pdf"
    page.write_text(html, encoding="utf-8")
    pdf.unlink(missing_ok=True)
    subprocess.run(
        [browser, *FLAGS, f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert pdf.is_file(), "Chromium wrote no PDF"
    return pdf_pages(pdf.read_bytes())


def test_counting_pages_reads_page_objects_not_the_page_tree() -> None:
    pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>"
    assert pdf_pages(pdf) == 2


@pytest.mark.timeout(300)
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_1_1_sheet_prints_on_one_page_and_a_group_of_three_on_two(
    example_vault: Path, tmp_path: Path, locale: str
) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); budgets are tested")
    (example_vault / ".vaultcrm").mkdir(exist_ok=True)
    (example_vault / ".vaultcrm" / "config.toml").write_text(f'locale = "{locale}"\n')
    vault = Vault(example_vault)
    for day in DAYS:
        today = dt.date.fromisoformat(day)
        henk = render_sheet(build_sheet(vault, ["Henk"], today=today), "html")
        assert printed_pages(browser, henk, tmp_path) == 1, (locale, day)
        group = render_sheet(build_sheet(vault, ["Sanne", "Henk", "Fatima"], today=today), "html")
        assert printed_pages(browser, group, tmp_path) <= 2, (locale, day)
