"""The documentation is self-contained: the human-readable model cards match their JSON cards,
every shipped model has one, LICENSE and CITATION.cff exist, and the docs refer to no document
outside the repository."""

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"

# references that point outside the repository
OUTSIDE = ("science" + ".md", "../shared/docs", "shared/docs/")  # (split: this file names none)
# the one place that may name where the measured data lie on the development machines
DATA_PATH_ALLOWED = {"docs/conventions.md"}


def _model_cards():
    spec = importlib.util.spec_from_file_location("model_cards", ROOT / "scripts" / "model_cards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _docs_files():
    """The files these checks cover: docs/, models/*.md, LICENSE, CITATION.cff."""
    files = sorted((ROOT / "docs").glob("*.md")) + sorted(MODELS.glob("*.md"))
    files += [ROOT / "LICENSE", ROOT / "CITATION.cff"]
    return [f for f in files if f.exists()]


def test_every_shipped_model_has_a_readable_card():
    names = sorted(p.stem for p in MODELS.glob("*.json"))
    assert names, "no shipped models found"
    missing = [n for n in names if not (MODELS / f"{n}.md").exists()]
    assert not missing, f"no models/NAME.md for {missing}: run python scripts/model_cards.py"
    readme = (MODELS / "README.md").read_text(encoding="utf-8")
    assert all(f"({n}.md)" in readme for n in names), "models/README.md must link every card"


def test_readable_cards_are_up_to_date(tmp_path):
    module = _model_cards()
    assert module.main(["--out", str(tmp_path)]) == 0
    for fresh in sorted(tmp_path.glob("*.md")):
        shipped = MODELS / fresh.name
        assert shipped.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"models/{fresh.name} is out of date with its JSON card: "
            "run python scripts/model_cards.py")


def test_cards_state_use_limits_training_and_figures():
    module = _model_cards()
    for name, text in module.cards().items():
        for heading in ("## Intended use", "## Input conventions and limits", "## Training",
                        "## Validation", "## Measured benchmark figures"):
            assert heading in text, f"{name}: no '{heading}'"
        assert "8 x 8" in text and "Time grids:" in text and "seed" in text
        assert name in module.BENCHMARKS and name in module.ROLE


def test_license_and_citation():
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    assert "the mrai authors" in license_text
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license"):
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert cff["license"] == "MIT"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{cff["version"]}"' in pyproject
    titles = " ".join(r["title"] for r in cff["references"])
    for words in ("Beyond traditional magnetic resonance processing",
                  "Rectified Linear Units", "Rethinking ReLU"):
        assert words in titles
    for ref in cff["references"]:
        assert ref["type"] and ref["authors"] and ref["title"]


@pytest.mark.parametrize("path", _docs_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_refer_to_nothing_outside_the_repository(path):
    rel = str(path.relative_to(ROOT))
    text = path.read_text(encoding="utf-8")
    for needle in OUTSIDE:
        assert needle not in text, f"{rel} refers to {needle!r}, outside the repository"
    if rel not in DATA_PATH_ALLOWED:
        assert "../shared" not in text, (
            f"{rel} names ../shared; name the data (e.g. MALT1.ft2) and describe it in "
            "docs/conventions.md instead")


def test_repository_paths_named_in_docs_exist():
    """Every `docs/...`, `models/...`, `scripts/...` or `tests/...` path the docs name exists."""
    pattern = re.compile(r"`((?:docs|models|scripts|tests)/[\w./-]+\.(?:md|py|json))`")
    tracked = None
    missing = []
    for path in _docs_files():
        for target in pattern.findall(path.read_text(encoding="utf-8")):
            if not (ROOT / target).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {target}")
    if missing:
        try:
            tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                                     text=True, check=True).stdout.split()
        except (OSError, subprocess.CalledProcessError):
            tracked = []
        missing = [m for m in missing if m.split(" -> ")[1] not in tracked]
    assert not missing, "paths named in the docs that do not exist: " + "; ".join(missing)


def test_section_names_cited_in_docs_exist_in_conventions():
    """A quoted section name after docs/conventions.md must be a heading there."""
    headings = {line[3:].strip() for line in
                (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("## ")}
    cited = re.compile(r'`?docs/conventions\.md`?,?\s+(?:sections?\s+)?"([^"]+)"')
    bad = []
    for path in _docs_files():
        text = " ".join(path.read_text(encoding="utf-8").split())
        for name in cited.findall(text):
            if name not in headings:
                bad.append(f"{path.relative_to(ROOT)}: \"{name}\"")
    assert not bad, "sections of docs/conventions.md that do not exist: " + "; ".join(bad)


def _tracked_text_files():
    """Every tracked text file but this test (which holds the search strings)."""
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    keep = (".py", ".md", ".sh", ".toml", ".cff", ".txt", ".json", "LICENSE")
    return [ROOT / name for name in out.stdout.split()
            if name.endswith(keep) and name != "tests/test_docs.py" and (ROOT / name).exists()]


def test_no_tracked_file_refers_to_a_document_outside_the_repository():
    for path in _tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in OUTSIDE:
            assert needle not in text, f"{path.relative_to(ROOT)} refers to {needle!r}"
