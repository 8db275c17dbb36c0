"""Shared fixtures of the Python tests: where the sample run's outputs are, and the data
dictionary as `traineval schema --format json` prints it.

The tests build nothing: `tests/python/run.sh` runs `traineval run pipelines/sample.toml`
first. Set TRAINEVAL_OUT to test another run's --out directory, TRAINEVAL_BIN to name the
binary (else $CARGO_TARGET_DIR/release/traineval, target/release/traineval,
~/.cache/traineval-target/release/traineval, then `traineval` on PATH).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def out_dir() -> Path:
    return Path(os.environ.get("TRAINEVAL_OUT", ROOT / "out")).resolve()


def traineval_bin() -> str | None:
    candidates = [os.environ.get("TRAINEVAL_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(str(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "traineval"))
    candidates += [
        str(ROOT / "target" / "release" / "traineval"),
        str(Path.home() / ".cache" / "traineval-target" / "release" / "traineval"),
        shutil.which("traineval"),
    ]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="session")
def out() -> Path:
    path = out_dir()
    if not (path / "warehouse" / "_manifest.json").is_file():
        pytest.fail(
            f"no traineval outputs at {path}: run `bash tests/python/run.sh`, or "
            "`cargo run --release -- run pipelines/sample.toml` before pytest"
        )
    return path


@pytest.fixture(scope="session")
def manifest(out: Path) -> dict:
    return json.loads((out / "warehouse" / "_manifest.json").read_text(encoding="utf-8"))


def _tables(value) -> list[dict]:
    return [t for t in value if isinstance(t, dict) and "name" in t and "columns" in t]


@pytest.fixture(scope="session")
def schema() -> dict[str, dict[str, dict]]:
    """{"warehouse": {table: def}, "indicators": {table: def}} from `traineval schema --format json`.

    Accepts the JSON as a list of table definitions (warehouse only) or as an object with
    `warehouse`/`tables` and `indicators` lists.
    """
    binary = traineval_bin()
    if binary is None:
        pytest.fail("traineval binary not found: build it (`cargo build --release`) or set TRAINEVAL_BIN")
    done = subprocess.run([binary, "schema", "--format", "json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"`traineval schema --format json` exited {done.returncode}: {done.stderr}"
    data = json.loads(done.stdout)
    if isinstance(data, list):
        warehouse, indicators = _tables(data), []
    else:
        warehouse = _tables(data.get("warehouse") or data.get("tables") or [])
        indicators = _tables(data.get("indicators") or [])
    assert warehouse, f"no warehouse tables in `traineval schema --format json`: {done.stdout[:300]}"
    return {
        "warehouse": {t["name"]: t for t in warehouse},
        "indicators": {t["name"]: t for t in indicators},
    }
