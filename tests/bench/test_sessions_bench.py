"""The session-library benchmark runs end to end on a small library and judges its figures."""

from __future__ import annotations

from fhud_app.cli import main


def test_the_sessions_bench_reports_every_figure(capsys, tmp_path):
    code = main(["bench", "sessions", "--hours", "0.5", "--queries", "30", "--kills", "0",
                 "--folder", str(tmp_path / "sessions")])  # fmt: skip
    out = capsys.readouterr().out
    for figure in ("index build", "search p95", "`fhud sessions list` median of 7"):
        assert f"| {figure} |" in out
    assert code == (1 if "MISSED" in out else 0)  # kill -9: tests/store/test_kill_session.py
