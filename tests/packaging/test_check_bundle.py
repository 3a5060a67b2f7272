"""packaging/check_bundle.py (the CI bundle step) on fake bundles: its size report and its refusals."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load():
    spec = importlib.util.spec_from_file_location("check_bundle", ROOT / "packaging" / "check_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "fhud"
    (bundle / "_internal" / "big").mkdir(parents=True)
    (bundle / "_internal" / "big" / "model.bin").write_bytes(b"\0" * 3_000_000)
    (bundle / "_internal" / "small.so").write_bytes(b"\0" * 1_000_000)
    (bundle / "fhud").write_bytes(b"\0" * 500_000)
    return bundle


def test_size_report_names_the_largest_parts(tmp_path, capsys):
    total = load().size_report(fake_bundle(tmp_path), top=1)
    out = capsys.readouterr().out
    assert total == 4_500_000
    assert "is 4 MB" in out and "3.0 MB  big" in out and "1 others" in out


def test_a_missing_bundle_is_one_sentence(tmp_path, capsys):
    assert load().main([str(tmp_path / "nope")]) == 2
    assert "run scripts/bundle.sh first" in capsys.readouterr().err


def test_evict_leaves_the_files(tmp_path):
    bundle = fake_bundle(tmp_path)
    load().evict(bundle)
    assert (bundle / "_internal" / "big" / "model.bin").stat().st_size == 3_000_000
