"""The load benchmark runs end to end (issue 10): a tiny generated data set, gunicorn
with the production settings, a few seconds of load. Its timings are reported, never
asserted; what must hold is that it produced a report and met no error."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _flask(instance, *args):
    env = dict(
        os.environ, COLLAB_INSTANCE_PATH=str(instance), COLLAB_CONFIG="development"
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_benchmark_runs_quickly_on_a_tiny_data_set(tmp_path):
    instance = tmp_path / "instance"
    _flask(instance, "db", "upgrade")
    _flask(instance, "demo", "scale", "--factor", "0.0005")
    report = tmp_path / "report.json"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("COLLAB_CONFIG", None)
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "bench", "run.py"),
            "--instance",
            str(instance),
            "--quick",
            "--json",
            str(report),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Mixed load" in output and "of ceiling" in output, output
    assert "errors: 0" in output, output
    data = json.loads(report.read_text())
    assert data["errors"] == 0, output
    assert data["mix"]["requests"] > 0
    pages = set(data["mix"]["pages"])
    assert {"thread", "group home", "meeting"} <= pages, pages
    assert data["throughput"]["static"]["rps"] > 0
    assert all(w["peak_mb"] > 0 for w in data["memory"].values())
