"""A test that fails with its database still open must not hang the test run (and CI)."""

import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def test_a_run_with_a_leaked_database_thread_still_exits(tmp_path):
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_sessionfinish  # noqa: F401\n")
    (tmp_path / "test_leak.py").write_text(textwrap.dedent("""
        from bot.storage import Database

        async def test_fails_before_closing(tmp_path):
            db = await Database.open(tmp_path / "x.db")
            assert db is None
    """))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout[-2000:]  # the test failed, and the run ended
    assert "stopping a database thread a test left open" in proc.stderr
