"""Issue 12, second round of hostile testing: nothing outside the vault is touched.

vaultcrm deletes and replaces files only in folders of its own (``.vaultcrm/``, its
index, its locks), and there only files whose names it writes itself. A state, index
or locks path that is a symlink (or a file where the folder belongs) is refused with
one line and exit 3; whatever it points to is left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vaultcrm.engine.sync import index_for
from vaultcrm.store.vault import GITIGNORE, Vault

READING = [
    ("index",),
    ("index", "--rebuild"),
    ("search", "jazz"),
    ("people",),
    ("agenda",),
    ("check",),
    ("prep", "henk"),
    ("calendar",),
]


def documents(root: Path) -> dict[str, bytes]:
    """A folder of someone's files, with a subfolder, and what it holds."""
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "thesis.docx").write_bytes(b"four years of work")
    (root / "sub" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    (root / "notes.md").write_text("# mine\n", encoding="utf-8")
    return snapshot(root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def user_files(vault: Path) -> dict[str, bytes]:
    """Every file of the vault outside .vaultcrm/: the user's notes."""
    return {k: v for k, v in snapshot(vault).items() if not k.startswith(".vaultcrm/")}


def assert_refused(result, path: Path) -> None:
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"vaultcrm: {path}: "), lines


# ---------------------------------------------------------------- the index folder


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_an_index_linked_to_a_folder_of_documents_is_refused(
    example_vault: Path, tmp_path: Path, run, command: tuple[str, ...]
) -> None:
    before = documents(tmp_path / "docs")
    (example_vault / ".vaultcrm" / "index").symlink_to(tmp_path / "docs")
    assert_refused(run(example_vault, *command), example_vault / ".vaultcrm" / "index")
    assert snapshot(tmp_path / "docs") == before


@pytest.mark.parametrize("command", [("index", "--rebuild"), ("search", "jazz"), ("people",)])
def test_an_index_linked_to_the_vault_itself_is_refused(
    example_vault: Path, run, command: tuple[str, ...]
) -> None:
    before = user_files(example_vault)
    for target in ("..", str(example_vault)):  # relative and absolute
        link = example_vault / ".vaultcrm" / "index"
        link.symlink_to(target)
        assert_refused(run(example_vault, *command), link)
        link.unlink()
    assert user_files(example_vault) == before


def test_an_index_that_was_built_then_replaced_by_a_link_is_refused(
    example_vault: Path, tmp_path: Path, run
) -> None:
    """The link appears later (a sync of a shared vault): the next rebuild refuses too."""
    assert run(example_vault, "index").exit_code == 0
    before = documents(tmp_path / "docs")
    shutil.rmtree(example_vault / ".vaultcrm" / "index")
    (example_vault / ".vaultcrm" / "index").symlink_to(tmp_path / "docs")
    assert_refused(run(example_vault, "index", "--rebuild"), example_vault / ".vaultcrm" / "index")
    assert snapshot(tmp_path / "docs") == before


def test_a_dangling_index_link_is_refused_and_nothing_is_made_where_it_points(
    example_vault: Path, tmp_path: Path, run
) -> None:
    (example_vault / ".vaultcrm" / "index").symlink_to(tmp_path / "nowhere")
    assert_refused(run(example_vault, "search", "jazz"), example_vault / ".vaultcrm" / "index")
    assert not (tmp_path / "nowhere").exists()


def test_a_hard_link_at_the_index_path_is_replaced_without_touching_its_other_name(
    example_vault: Path, tmp_path: Path, run
) -> None:
    """A plain file at the index's own path (a sync conflict) is vaultcrm's to replace
    (tests/test_faults_corruption.py); removing it never follows it anywhere."""
    other = tmp_path / "other-name.txt"
    other.write_text("mine", encoding="utf-8")
    os.link(other, example_vault / ".vaultcrm" / "index")
    assert run(example_vault, "index").exit_code == 0
    assert (example_vault / ".vaultcrm" / "index").is_dir()
    assert other.read_text(encoding="utf-8") == "mine"


def test_a_state_folder_linked_elsewhere_is_refused(
    example_vault: Path, tmp_path: Path, run
) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(example_vault / ".vaultcrm", elsewhere)
    before = documents(elsewhere / "index")
    (example_vault / ".vaultcrm").symlink_to(elsewhere)
    for command in (("index", "--rebuild"), ("search", "jazz"), ("log", "henk", "zzlogged")):
        assert_refused(run(example_vault, *command), example_vault / ".vaultcrm")
    assert snapshot(elsewhere / "index") == before
    assert "zzlogged" not in (example_vault / "people" / "Henk de Vries.md").read_text(
        encoding="utf-8"
    )
    result = run(None, "init", str(example_vault))
    assert_refused(result, example_vault / ".vaultcrm")


def test_a_rebuild_removes_only_files_vaultcrm_writes(example_vault: Path, run) -> None:
    """Files of vaultcrm's naming (this and other versions) go; anything else stays."""
    index = example_vault / ".vaultcrm" / "index"
    assert run(example_vault, "index").exit_code == 0
    old = [
        "_vaultcrm2_en_1.toc",
        "vaultcrm2_en_0123abcd.seg",
        "vaultcrm2_nl_en_5a2fee4f_WRITELOCK",
        "stamps-vaultcrm2_en-1-0.pickle",
        "walk-vaultcrm2_en-1.digest",
        "seal-vaultcrm2_en-1.json",
    ]
    for name in old:
        (index / name).write_bytes(b"old")
    (index / "vaultcrm2_en.999999.tmp").mkdir()
    (index / "vaultcrm2_en.999999.tmp" / "pool0.run").write_bytes(b"old")
    foreign = {"README.txt": b"mine", "keep/a.md": b"# a\n", "vaultcrm.md": b"# v\n"}
    for rel, data in foreign.items():
        (index / rel).parent.mkdir(exist_ok=True)
        (index / rel).write_bytes(data)
    result = run(example_vault, "index", "--rebuild")
    assert result.exit_code == 0, result.output
    names = {p.name for p in index.iterdir()}
    assert not names & {*old, "vaultcrm2_en.999999.tmp"}
    for rel, data in foreign.items():
        assert (index / rel).read_bytes() == data
    assert run(example_vault, "search", "jazz").exit_code == 0


def test_a_link_with_an_index_file_name_is_never_written_through(
    example_vault: Path, tmp_path: Path, run
) -> None:
    """A link planted under the name of a temp file the next commit writes."""
    assert run(example_vault, "index").exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    idx = index_for(Vault(example_vault))
    generation = idx.open().ix.latest_generation()
    idx.close()
    index = example_vault / ".vaultcrm" / "index"
    for name in (
        f"stamps-{idx.name}-{generation + 1}-1.pickle.{os.getpid()}.tmp",
        f".seal-{idx.name}-{generation + 1}.json.{os.getpid()}.tmp",
    ):
        (index / name).symlink_to(victim)
    note = example_vault / "people" / "Henk de Vries.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nmore jazz\n", encoding="utf-8")
    result = run(example_vault, "index")
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    assert victim.read_text(encoding="utf-8") == "precious"


# ---------------------------------------------------------------- locks


def test_a_locks_folder_linked_elsewhere_is_refused(
    example_vault: Path, tmp_path: Path, run
) -> None:
    before = documents(tmp_path / "docs")
    (example_vault / ".vaultcrm" / "locks").symlink_to(tmp_path / "docs")
    note = example_vault / "people" / "Henk de Vries.md"
    text = note.read_bytes()
    assert_refused(run(example_vault, "log", "henk", "hi"), example_vault / ".vaultcrm" / "locks")
    assert note.read_bytes() == text
    assert snapshot(tmp_path / "docs") == before


@pytest.mark.parametrize("which", ["index.lock", "note lock"])
def test_a_lock_file_linked_to_a_file_is_refused_and_the_file_kept(
    example_vault: Path, tmp_path: Path, run, which: str
) -> None:
    from vaultcrm.store.writes import lock_path_for

    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    state = example_vault / ".vaultcrm"
    if which == "index.lock":
        lock, command = state / "index.lock", ("index",)
    else:
        lock = lock_path_for(state, example_vault / "people" / "Henk de Vries.md")
        lock.parent.mkdir(parents=True, exist_ok=True)
        command = ("log", "henk", "hi")
    lock.symlink_to(victim)
    assert_refused(run(example_vault, *command), lock)
    assert victim.read_text(encoding="utf-8") == "precious"


# ---------------------------------------------------------------- what git shares


def test_the_gitignore_keeps_a_link_named_index_out_of_git(tmp_path: Path, run) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    vault = tmp_path / "v"
    assert run(None, "init", str(vault)).exit_code == 0
    subprocess.run(["git", "init", "-q", str(vault)], check=True)
    (vault / ".vaultcrm" / "index").symlink_to("..")
    (vault / ".vaultcrm" / "locks").write_text("", encoding="utf-8")
    (vault / "people" / "index").write_text("a note folder's file", encoding="utf-8")
    for rel, ignored in (
        (".vaultcrm/index", True),
        (".vaultcrm/locks", True),
        (".vaultcrm/index.lock", True),
        ("people/index", False),
    ):
        done = subprocess.run(["git", "-C", str(vault), "check-ignore", "-q", rel])
        assert (done.returncode == 0) == ignored, rel


@pytest.mark.parametrize("edited", [False, True])
def test_an_old_gitignore_is_brought_up_to_date_unless_edited(
    make_vault, run, edited: bool
) -> None:
    old = "# vaultcrm's index and locks are a cache, rebuilt from the notes.\nindex/\nlocks/\n*.lock\n"
    text = old + ("drafts/\n" if edited else "")
    vault = make_vault({"people/Ann.md": "---\nname: Ann\n---\n"})
    (vault / ".vaultcrm" / ".gitignore").write_text(text, encoding="utf-8")
    assert run(vault, "index").exit_code == 0
    now = (vault / ".vaultcrm" / ".gitignore").read_text(encoding="utf-8")
    assert now == (text if edited else GITIGNORE)


# ---------------------------------------------------------------- config paths


@pytest.mark.parametrize(
    "setting",
    [
        'people_dirs = ["../.."]',
        'people_dirs = [".."]',
        'people_dirs = ["people/../../elsewhere"]',
        'people_dirs = ["/abs/path"]',
        'people_dirs = ["people", "/etc"]',
        "people_dirs = ['C:\\\\Users\\\\me']",
        'people_dirs = ["~/people"]',
        'people_dirs = [".hidden"]',
        'people_dirs = "../people"',
        'ignore = ["../**"]',
        'ignore = ["/abs/**"]',
    ],
)
@pytest.mark.parametrize("command", [("people",), ("new", "Eva Dekker"), ("search", "x")])
def test_a_path_setting_that_leaves_the_vault_is_refused_at_its_line(
    make_vault, tmp_path: Path, run, setting: str, command: tuple[str, ...]
) -> None:
    config = f'# my settings\nlanguages = ["en"]\n\n{setting}\nlocale = "en"\n'
    vault = make_vault({"people/Ann.md": "---\nname: Ann\n---\n"}, config=config)
    before = snapshot(tmp_path)
    result = run(vault, *command)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    key = setting.split(" ", 1)[0]
    assert line.startswith(f"vaultcrm: {vault / '.vaultcrm' / 'config.toml'}:4: '{key}'"), line
    assert snapshot(tmp_path) == before, "nothing written anywhere"


@pytest.mark.parametrize(
    "setting, people",
    [
        ('people_dirs = ["people/"]', ("people",)),
        ('people_dirs = ["./team//people"]', ("team/people",)),
        ('people_dirs = ["team\\\\people"]', ("team/people",)),
        ('people_dirs = ["."]', ("",)),
    ],
)
def test_a_path_setting_inside_the_vault_is_kept(tmp_path: Path, setting: str, people) -> None:
    from vaultcrm.store.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(setting + "\n", encoding="utf-8")
    assert load_config(path).people_dirs == people


@pytest.mark.parametrize(
    "text, line",
    [
        ('locale = "en"\nlanguages = ["klingon"]\n', 2),
        ("\n\nmax_file_size = -1\n", 3),
        ('"locale" = 3\n', 1),
        ('languages = ["en"]\n  ignore = 4\n', 2),
        ("[prep]\nignore = 4\n", None),  # not a top-level setting: read as the table's own
    ],
)
def test_every_bad_setting_names_its_line(tmp_path: Path, text: str, line) -> None:
    from vaultcrm.errors import VaultcrmError
    from vaultcrm.store.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    if line is None:
        assert load_config(path).extra == {"prep": {"ignore": 4}}
        return
    with pytest.raises(VaultcrmError) as caught:
        load_config(path)
    assert caught.value.line == line


# ---------------------------------------------------------------- templates read only templates

SECRET = "SECRET-ssh-key-material"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "id_rsa").write_text(SECRET, encoding="utf-8")
    (folder / "prep.md.j2").write_text(SECRET, encoding="utf-8")
    (folder / "person.md.j2").write_text(f"---\nname: {SECRET}\n---\n", encoding="utf-8")
    return folder


def templates_of(vault: Path) -> Path:
    folder = vault / ".vaultcrm" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_template_refused(result, vault: Path) -> None:
    assert result.exit_code == 3, result.output
    assert SECRET not in result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and "templates folder" in result.stderr
    for note in vault.rglob("*.md"):
        assert SECRET not in note.read_text(encoding="utf-8", errors="replace"), note


def _file_link(folder: Path, secret: Path) -> list[str]:
    (folder / "prep.md.j2").symlink_to(secret / "id_rsa")
    return ["prep", "henk"]


def _folder_link(folder: Path, secret: Path) -> list[str]:
    folder.rmdir()
    folder.symlink_to(secret)
    return ["prep", "henk"]


def _include_link(folder: Path, secret: Path) -> list[str]:
    (folder / "prep.md.j2").write_text('{% include "key.j2" %}\n', encoding="utf-8")
    (folder / "key.j2").symlink_to(secret / "id_rsa")
    return ["prep", "henk"]


def _include_from_linked_folder(folder: Path, secret: Path) -> list[str]:
    (folder / "prep.md.j2").write_text('{% include "parts/id_rsa" %}\n', encoding="utf-8")
    (folder / "parts").symlink_to(secret)
    return ["prep", "henk"]


def _extends_a_link(folder: Path, secret: Path) -> list[str]:
    (folder / "prep.md.j2").write_text(
        '{% extends "base.j2" %}{% block x %}{% endblock %}\n', encoding="utf-8"
    )
    (folder / "base.j2").symlink_to(secret / "id_rsa")
    return ["prep", "henk"]


def _named_template(folder: Path, secret: Path) -> list[str]:
    (folder / "brief.md.j2").symlink_to(secret / "id_rsa")
    return ["prep", "henk", "--template", "brief"]


def _html_override(folder: Path, secret: Path) -> list[str]:
    (folder / "prep.html.j2").symlink_to(secret / "id_rsa")
    return ["prep", "henk", "--format", "html"]


@pytest.mark.parametrize(
    "plant",
    [
        _file_link,
        _folder_link,
        _include_link,
        _include_from_linked_folder,
        _extends_a_link,
        _named_template,
        _html_override,
    ],
)
@pytest.mark.parametrize("save", [False, True])
def test_a_template_that_leads_out_of_its_folder_is_refused(
    example_vault: Path, secret: Path, run, plant, save: bool
) -> None:
    args = plant(templates_of(example_vault), secret)
    result = run(example_vault, *args, *(["--save"] if save else []))
    assert_template_refused(result, example_vault)
    assert not (example_vault / "meetings").exists() or not any(
        p.name.startswith("2026-11-23") for p in (example_vault / "meetings").iterdir()
    )


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_person_template_that_leads_out_is_refused(
    example_vault: Path, secret: Path, run, how: str
) -> None:
    folder = templates_of(example_vault)
    if how == "file":
        (folder / "person.md.j2").symlink_to(secret / "person.md.j2")
    else:
        folder.rmdir()
        folder.symlink_to(secret)
    result = run(example_vault, "new", "Eva Dekker")
    assert_template_refused(result, example_vault)
    assert not (example_vault / "people" / "Eva Dekker.md").exists()


def test_templates_that_stay_inside_their_folder_still_work(example_vault: Path, run) -> None:
    folder = templates_of(example_vault)
    (folder / "parts").mkdir()
    (folder / "parts" / "footer.j2").write_text("FOOTER-{{ sheet.person.name }}\n", "utf-8")
    (folder / "footer-link.j2").symlink_to(folder / "parts" / "footer.j2")  # inside: fine
    (folder / "prep.md.j2").write_text(
        '{% extends "builtin/prep.md.j2" %}{% block notes %}'
        '{% include "footer-link.j2" %}{% include "parts/footer.j2" %}{% endblock %}\n',
        encoding="utf-8",
    )
    result = run(example_vault, "prep", "henk")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("FOOTER-Henk de Vries") == 2
    assert "Meeting prep" in result.stdout


@pytest.mark.parametrize("name", ["../config.toml", "/etc/passwd", "../../../../etc/passwd"])
def test_an_include_by_a_path_out_of_the_folder_finds_nothing(
    example_vault: Path, run, name: str
) -> None:
    (templates_of(example_vault) / "prep.md.j2").write_text(
        f'{{% include "{name}" %}}\n', encoding="utf-8"
    )
    result = run(example_vault, "prep", "henk")
    assert result.exit_code == 3, result.output
    assert "root:" not in result.output and "languages" not in result.stdout
