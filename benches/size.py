#!/usr/bin/env python3
"""The size and power benchmark of the method tests (SPEC §7.1 "Size").

    python3 benches/size.py [--sets 200] [--power-sets 200] [--cadres 1500] [--alpha 0.05]
                            [--jobs 2] [--work DIR] [--keep] [--bin PATH] [--out benches/results]

Size: for seeds 1 … --sets, `traineval generate --out W/null-S/in --cadres 1500 --seed S
--null-methods` (every method the same true gain; classes still differ, as real
classes do), then `traineval build W/null-S/in --out W/null-S/out` and `traineval
indicators` on the same canonical directory. From `indicators/method_tests.parquet`,
for every `test` the binary writes (names are read, never assumed), the share of sets
with p_value < alpha; from `indicators/method_pairwise.parquet`, the share of sets with
at least one pair with p_holm < alpha ("any Holm-significant pair"). SPEC §7.1 asks for
at most 7 % at alpha = 0.05 over at least 200 sets of 1,500 cadres.

Power: the same for seeds 100001 … 100000 + --power-sets generated WITHOUT
--null-methods, i.e. on the default planted method effects (docs/generator.md).

Each share is printed as a Markdown table (test, rejections/sets, rate, 95 % Wilson
interval); a set where a test has no p-value is left out of that test's denominator. A
set whose generate, build or indicators step fails is reported and left out of every
denominator (the run exits 1 after writing the results). Writes OUT/size.md and
OUT/size.json (every set's p-values, the binary's version, the machine, the command,
the date). Sets run --jobs at a time, each deleted once read unless --keep; the work
directory (default: a new directory under the system temp dir) stays outside the repo.
With --jobs > 1 each process gets nproc / jobs threads (POLARS_MAX_THREADS,
RAYON_NUM_THREADS) unless those are set: the results do not depend on it.

This is a benchmark, not a test: a rejection rate is a random quantity (at 200 sets
a true 5 % reads between about 2 % and 8 %), which the Wilson interval shows.

Needs Python 3.11 and polars (benches/requirements.txt); the binary is built with
`cargo build --release` (honouring CARGO_TARGET_DIR) unless --bin or TRAINEVAL_BIN
is given.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
POWER_SEED_BASE = 100_000
Z95 = 1.959963984540054
SIZE_TARGET = 0.07
ANY_HOLM = "any Holm-significant pair"


def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception as e:  # noqa: BLE001 — machine facts are best effort
        return f"({e})"


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    dirty = sh(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "src", "Cargo.toml", "Cargo.lock"])
    return {
        "nproc": sh(["nproc"]),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "git": sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) + (" (dirty)" if dirty else ""),
    }


def locate_binary(given: str | None) -> Path:
    if given:
        return Path(given).resolve()
    if os.environ.get("TRAINEVAL_BIN"):
        return Path(os.environ["TRAINEVAL_BIN"]).resolve()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "traineval"], cwd=ROOT, check=True)
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, check=True, capture_output=True
        ).stdout
    )
    return Path(meta["target_directory"]) / "release" / "traineval"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of a binomial proportion k/n."""
    if n == 0:
        return (None, None)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def labels(df: pl.DataFrame, column: str) -> list[tuple[str, pl.DataFrame]]:
    """Row groups of a table by `column` (and by period, where a table has several)."""
    keys = [column] if column in df.columns else []
    if "period" in df.columns and df["period"].n_unique() > 1:
        keys.append("period")
    if not keys:
        return [("", df)]
    out = []
    for key, part in df.group_by(keys, maintain_order=True):
        out.append((" ".join(f"[{k}]" if i else str(k) for i, k in enumerate(key)), part))
    return out


def read_set(out: Path) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Each test's p-value and, per family of pairs, the smallest Holm p of a set."""
    tests = pl.read_parquet(out / "indicators" / "method_tests.parquet")
    pairs = pl.read_parquet(out / "indicators" / "method_pairwise.parquet")
    p_tests: dict[str, float | None] = {}
    for label, part in labels(tests, "test"):
        ps = part["p_value"].drop_nulls()
        if part.height > 1:
            print(f"warning: {part.height} rows for test {label}; the smallest p counts", file=sys.stderr)
        p_tests[label] = float(ps.min()) if len(ps) else None
    p_holm: dict[str, float | None] = {}
    for label, part in labels(pairs, "test"):
        ps = part["p_holm"].drop_nulls()
        p_holm[f"{ANY_HOLM} ({label})" if label else ANY_HOLM] = float(ps.min()) if len(ps) else None
    return p_tests, p_holm


def run_set(binary: Path, work: Path, phase: str, seed: int, cadres: int, env: dict, keep: bool) -> dict:
    d = work / f"{phase}-{seed}"
    inp, out = d / "in", d / "out"
    shutil.rmtree(d, ignore_errors=True)
    gen = [str(binary), "-q", "generate", "--out", str(inp), "--cadres", str(cadres), "--seed", str(seed)]
    if phase == "null":
        gen.append("--null-methods")
    steps = [
        ("generate", gen),
        ("build", [str(binary), "-q", "build", str(inp), "--out", str(out)]),
        ("indicators", [str(binary), "-q", "indicators", str(inp), "--out", str(out)]),
    ]
    result: dict = {"seed": seed}
    t0 = time.perf_counter()
    try:
        for name, cmd in steps:
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if r.returncode != 0:
                last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
                result["error"] = f"{name} exited {r.returncode}: {last}"
                return result
        result["tests"], result["holm"] = read_set(out)
    except Exception as e:  # noqa: BLE001 — one broken set is reported, the others go on
        result["error"] = f"{type(e).__name__}: {e}"
    finally:
        result["seconds"] = round(time.perf_counter() - t0, 3)
        if not keep:
            shutil.rmtree(d, ignore_errors=True)
    return result


def run_phase(phase: str, seeds: list[int], args, binary: Path, work: Path, env: dict) -> list[dict]:
    results: list[dict] = []
    if not seeds:
        return results
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_set, binary, work, phase, s, args.cadres, env, args.keep) for s in seeds]
        for i, f in enumerate(cf.as_completed(futures), 1):
            r = f.result()
            results.append(r)
            status = r.get("error", "ok")
            if i % 10 == 0 or i == len(seeds) or "error" in r:
                print(f"{phase}: {i}/{len(seeds)} sets (seed {r['seed']}: {status})", file=sys.stderr)
    return sorted(results, key=lambda r: r["seed"])


def summarise(results: list[dict], alpha: float) -> list[dict]:
    """One row per test (then per family of pairs): rejections, sets, rate, Wilson CI."""
    order: list[str] = []
    for r in results:
        for key in ("tests", "holm"):
            for label in r.get(key, {}):
                if label not in order:
                    order.append(label)
    # Tests first, in the order the binary writes them, then the pair families.
    order.sort(key=lambda x: x.startswith(ANY_HOLM))
    rows = []
    for label in order:
        key = "holm" if label.startswith(ANY_HOLM) else "tests"
        ps = [r[key].get(label) for r in results if key in r]
        ps = [p for p in ps if p is not None]
        k, n = sum(p < alpha for p in ps), len(ps)
        lo, hi = wilson(k, n)
        rows.append({"test": label, "rejections": k, "sets": n, "rate": k / n if n else None, "ci_low": lo, "ci_high": hi})
    return rows


def table(rows: list[dict], size: bool) -> str:
    head = "| test | rejections / sets | rate | 95 % Wilson interval |" + (" ≤ 7 % |" if size else "")
    rule = "|---|---:|---:|---|" + ("---|" if size else "")
    lines = [head, rule]
    for r in rows:
        if r["sets"] == 0:
            lines.append(f"| {r['test']} | 0/0 | – | – |" + (" – |" if size else ""))
            continue
        line = f"| {r['test']} | {r['rejections']}/{r['sets']} | {r['rate']:.3f} | {r['ci_low']:.3f}–{r['ci_high']:.3f} |"
        if size:
            line += " yes |" if r["rate"] <= SIZE_TARGET else " **no** |"
        lines.append(line)
    return "\n".join(lines)


def report(meta: dict, size_rows: list[dict], power_rows: list[dict], failures: list[str]) -> str:
    m = meta["machine"]
    a = meta["args"]
    parts = [
        "# Size and power of the method tests",
        "",
        f"`{meta['version']}` (git {m['git']}) on {m['nproc']} × {m['cpu_model'] or 'unknown CPU'}, {meta['date']}, "
        f"{meta['seconds']:.0f} s with {a['jobs']} jobs.",
        f"Command: `{meta['command']}`",
        "",
        f"Sets of {a['cadres']} cadres, α = {a['alpha']}. A test rejects in a set when its p_value < α; "
        f"'{ANY_HOLM}' when any pair of `method_pairwise` has p_holm < α.",
        "",
        f"## Size: planted null (`generate --null-methods`, seeds 1–{a['sets']})",
        "",
        "Every method the same true gain, classes differing as in the default model. "
        "SPEC §7.1: every published test and any Holm pair at most 7 %.",
        "",
        table(size_rows, size=True) if size_rows else "(no sets)",
        "",
        f"## Power: default planted effects (seeds {POWER_SEED_BASE + 1}–{POWER_SEED_BASE + a['power_sets']})",
        "",
        table(power_rows, size=False) if power_rows else "(no sets)",
        "",
    ]
    if failures:
        parts += ["## Failed sets (left out)", ""] + [f"- {f}" for f in failures] + [""]
    return "\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", type=int, default=200, help="sets under the planted null (default 200)")
    ap.add_argument("--power-sets", type=int, default=200, help="sets with the default effects (default 200)")
    ap.add_argument("--cadres", type=int, default=1500, help="cadres per set (default 1500)")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--jobs", type=int, default=2, help="sets run at a time (default 2)")
    ap.add_argument("--work", default=None, help="work directory (default: a new one under the temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep every set's input and output")
    ap.add_argument("--bin", default=None, help="traineval binary (default: cargo build --release)")
    ap.add_argument("--out", default=str(ROOT / "benches" / "results"), help="where size.md and size.json go")
    args = ap.parse_args()
    if args.jobs < 1 or args.sets < 0 or args.power_sets < 0 or args.cadres < 1 or not 0 < args.alpha < 1:
        ap.error("--jobs and --cadres must be at least 1, --sets and --power-sets at least 0, 0 < --alpha < 1")

    binary = locate_binary(args.bin)
    version = sh([str(binary), "--version"])
    made_work = args.work is None
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="traineval-size-"))
    work = work.resolve()
    if work == ROOT or ROOT in work.parents:
        ap.error(f"--work {work} lies inside the repository; use a directory outside it")
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.jobs > 1:
        threads = str(max(1, (os.cpu_count() or 1) // args.jobs))
        env.setdefault("POLARS_MAX_THREADS", threads)
        env.setdefault("RAYON_NUM_THREADS", threads)

    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    null = run_phase("null", list(range(1, args.sets + 1)), args, binary, work, env)
    power_seeds = [POWER_SEED_BASE + s for s in range(1, args.power_sets + 1)]
    power = run_phase("power", power_seeds, args, binary, work, env)
    seconds = time.perf_counter() - t0
    if made_work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)

    failures = [f"{phase} seed {r['seed']}: {r['error']}" for phase, rs in (("null", null), ("power", power)) for r in rs if "error" in r]
    size_rows, power_rows = summarise(null, args.alpha), summarise(power, args.alpha)
    meta = {
        "version": version,
        "binary": str(binary),
        "date": started.isoformat(timespec="seconds"),
        "seconds": seconds,
        "command": shlex.join([sys.executable, *sys.argv]),
        "args": vars(args),
        "machine": machine(),
        "work": str(work),
    }
    md = report(meta, size_rows, power_rows, failures)
    print(md)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "size.md").write_text(md + "\n")
    doc = {**meta, "size": size_rows, "power": power_rows, "failures": failures, "sets": {"null": null, "power": power}}
    (out / "size.json").write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    print(f"wrote {out / 'size.md'} and {out / 'size.json'}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
