"""The notebooks in notebooks/ run top to bottom on the sample run's outputs.

Each notebook is copied to a temporary directory and executed headless with nbclient
(120 s per cell) with TRAINEVAL_OUT pointing at the outputs; it must finish without an error
output and show at least one chart. The committed notebooks carry no outputs.
"""

from __future__ import annotations

import json
import shutil

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook tests need nbformat: pip install -r notebooks/requirements.txt")
nbclient = pytest.importorskip("nbclient", reason="notebook tests need nbclient: pip install -r notebooks/requirements.txt")
pytest.importorskip("ipykernel", reason="notebook tests need ipykernel: pip install -r notebooks/requirements.txt")

from conftest import ROOT  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120


def execute(path, workdir, monkeypatch, out):
    monkeypatch.setenv("TRAINEVAL_OUT", str(out))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # let the kernel use its inline backend
    copy = workdir / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()
    return nb


def test_there_are_four_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_class_explorer.ipynb", "02_methods_mixed_model.ipynb", "03_cadre_training_file.ipynb",
        "04_across_years.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, \
                f"{path.name} cell {i} carries outputs: strip them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_headless(path, out, tmp_path, monkeypatch):
    nb = execute(path, tmp_path, monkeypatch, out)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{path.name}: not every cell ran"
    outputs = [o for c in code for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {[(e.ename, e.evalue) for e in errors]}"
    images = [o for o in outputs if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no chart was displayed"
    tables = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert len(tables) > len(images), f"{path.name}: no table was displayed"


def test_missing_outputs_say_what_to_run(tmp_path, monkeypatch):
    empty = tmp_path / "no-run"
    empty.mkdir()
    with pytest.raises(nbclient.exceptions.CellExecutionError) as failure:
        execute(NOTEBOOKS[0], tmp_path, monkeypatch, empty)
    assert "cargo run --release -- run pipelines/sample.toml" in str(failure.value)
