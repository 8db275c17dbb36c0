"""Independent recomputation of the `cadre_scorecard` indicator table.

Usage:  python reference.py OUT_DIR [--period YEAR] [--outcome-scale competence]
                                    [--baked CADRE_ID ...]

Reads the warehouse tables under OUT_DIR/warehouse and two other indicator tables
(`reliability` for the outcome scale's Cronbach's alpha at pre and post, `compliance`
for the days and hours in each cadre's window), recomputes every column of
OUT_DIR/indicators/cadre_scorecard.parquet from the definition in the `//!` doc of
src/indicators/scorecard.rs (and docs/indicators.md), and compares:
max |difference| per numeric column, null-pattern mismatches, and the counts of band
and band_reason on both sides. Exits 1 on any disagreement above 1e-9 (absolute, or
relative for values above 1).

Independent of the Rust code: the OLS residuals come from statsmodels, the normal
probabilities from scipy.stats.norm, mid-ranks from scipy.stats.rankdata, quantiles
from numpy (hazen = type 5, the inverse of the mid-rank percentile), Cronbach's alpha of the review dimensions is computed
here from its definition, the assessment moments are regrouped from
trainee_ratings (raters other than self).

Settings are the defaults (`[scorecard]` weights 0.3/0.3/0.25/0.15, bands 85/50/15;
`[compliance] hours_per_day` 7.5); the pipelines this is run on set none of them.
The minimum hours of a compliance rule are read from its name (`..._90h`), else
days × 7.5, as the presets name them.

`--baked ID ...` also prints, per category, the sums and counts that
tests/it/scorecard.rs asserts and the full rows of the given cadres, as Rust
literals.
"""

import argparse
import math
import re
import sys
from pathlib import Path

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy.stats import norm, rankdata

WEIGHTS = {"learning": 0.3, "assessment": 0.3, "transfer": 0.25, "compliance": 0.15}
BANDS = [85.0, 50.0, 15.0]
MIN_BAND_RELIABILITY = 0.7
HOURS_PER_DAY = 7.5
DIMS = ["morality", "ability", "diligence", "achievement", "integrity"]
TOL = 1e-9


def round9(x):
    """Round to 9 decimals, half away from zero (as ties are judged)."""
    s = np.asarray(x, dtype=float) * 1e9
    return np.sign(s) * np.floor(np.abs(s) + 0.5) / 1e9


def read_table(out: Path, name: str) -> pl.DataFrame:
    d = out / "warehouse" / name
    return pl.read_parquet(str(d / "**" / "*.parquet"), hive_partitioning=True)


def cronbach_alpha(items: np.ndarray) -> float:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the sum)."""
    k = items.shape[1]
    item_var = items.var(axis=0, ddof=1).sum()
    total_var = items.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def zscores(x: np.ndarray) -> np.ndarray:
    """z against the finite values (sd with n-1); all NaN with < 2 values or sd ~ 0."""
    f = np.isfinite(x)
    if f.sum() < 2:
        return np.full_like(x, np.nan)
    m, s = x[f].mean(), x[f].std(ddof=1)
    if round9(s) <= 0:
        return np.full_like(x, np.nan)
    return np.where(f, (x - m) / s, np.nan)


def var1(x: np.ndarray):
    f = x[np.isfinite(x)]
    return f.var(ddof=1) if len(f) >= 2 else None


def category(m: pl.DataFrame, w_within, a_pre, a_post, a_review) -> pl.DataFrame:
    """The scorecard columns of one category's cadres (rows of `m`)."""
    n = m.height
    pre, post = m["pre"].to_numpy(), m["post"].to_numpy()
    assess, ae = m["assess"].to_numpy(), m["assess_error"].to_numpy()
    before, after = m["before"].to_numpy(), m["after"].to_numpy()
    comp = m["compliance"].to_numpy()

    # Learning: OLS of post on pre over the complete pairs (statsmodels).
    lz, lv = np.full(n, np.nan), np.full(n, np.nan)
    lrel = None
    ok = np.isfinite(pre) & np.isfinite(post)
    if ok.sum() >= 3 and np.ptp(pre[ok]) > 0:
        fit = sm.OLS(post[ok], sm.add_constant(pre[ok])).fit()
        b = fit.params[1]
        resid = fit.resid
        var_r = (resid**2).sum() / (ok.sum() - 1)
        if a_pre is not None and a_post is not None and var_r > 0:
            err = (1 - min(max(a_post, 0), 1)) * post[ok].var(ddof=1) + b * b * (1 - min(max(a_pre, 0), 1)) * pre[ok].var(ddof=1)
            lrel = min(max(1 - err / var_r, 0.0), 1.0)
        if var_r > 0:
            sd = math.sqrt(var_r)
            r = np.full(n, np.nan)
            r[ok] = resid
            if lrel is not None:
                lz, lv = lrel * r / sd, np.where(ok, lrel * (1 - lrel), np.nan)
            else:
                lz = r / sd
    learning_known = lrel is not None

    # Assessment: error = pooled within-trainee variance x sum(1/n_e)/E^2, over Var(assessment).
    az = zscores(assess)
    var_a = var1(assess)
    if w_within is not None and var_a is not None and var_a > 0:
        av = np.where(np.isfinite(ae), w_within * ae / var_a, np.nan)
    else:
        av = np.full(n, np.nan)
    arel = np.clip(1 - av, 0, 1)

    # Transfer: Lord's reliability of a difference, alpha of the reviews at both ends.
    delta = after - before
    tz = zscores(delta)
    trel = None
    both = np.isfinite(before) & np.isfinite(after)
    if a_review is not None and both.sum() >= 2:
        sb, sa = before[both].std(ddof=1), after[both].std(ddof=1)
        if sb > 0 and sa > 0:
            r_ab = np.corrcoef(before[both], after[both])[0, 1]
            cross = 2 * r_ab * sa * sb
            den = sa * sa + sb * sb - cross
            num = a_review * sa * sa + a_review * sb * sb - cross
            if den > 0:
                trel = min(max(num / den, 0.0), 1.0)

    cz = zscores(comp)

    comps = [
        (WEIGHTS["learning"], lz, lv if learning_known else np.full(n, np.nan), learning_known),
        (WEIGHTS["assessment"], az, av, None),
        (WEIGHTS["transfer"], tz, np.full(n, 1 - trel) if trel is not None else np.full(n, np.nan), trel is not None),
        (WEIGHTS["compliance"], cz, np.zeros(n), True),
    ]
    index, se, nused = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=int)
    for i in range(n):
        used = [(w, z[i], v[i]) for (w, z, v, _) in comps if w > 0 and np.isfinite(z[i])]
        nused[i] = len(used)
        tot = sum(u[0] for u in used)
        if tot > 0:
            index[i] = sum(u[0] * u[1] for u in used) / tot
            if all(np.isfinite(u[2]) for u in used):
                se[i] = math.sqrt(sum(u[0] ** 2 * u[2] for u in used)) / tot

    fin = np.isfinite(index)
    pct = np.full(n, np.nan)
    if fin.any():
        pct[fin] = 100 * (rankdata(round9(index[fin]), method="average") - 0.5) / fin.sum()
    var_i = var1(index)
    limits = [float(np.quantile(index[fin], c / 100, method="hazen")) if fin.any() else None for c in BANDS]
    irel = np.full(n, np.nan)
    if var_i is not None and var_i > 0:
        irel = np.where(np.isfinite(se), np.clip(1 - se**2 / var_i, 0, 1), np.nan)

    band, bprob, reason = [None] * n, np.full(n, np.nan), [None] * n
    for i in range(n):
        if nused[i] < 2:
            reason[i] = "fewer_than_two_components"
        if not np.isfinite(pct[i]):
            continue
        if reason[i] is None:
            if not np.isfinite(irel[i]):
                reason[i] = "reliability_unknown"
            elif irel[i] < MIN_BAND_RELIABILITY:
                reason[i] = "low_reliability"
        if reason[i] is not None:
            continue
        k = next((j for j, c in enumerate(BANDS) if round9(pct[i]) >= round9(c)), len(BANDS))
        band[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[k]
        hi = math.inf if k == 0 else limits[k - 1]
        lo = -math.inf if k >= len(BANDS) else limits[k]
        if se[i] == 0:
            bprob[i] = 1.0 if lo <= index[i] <= hi else 0.0
        else:
            bprob[i] = min(max(norm.cdf(hi, loc=index[i], scale=se[i]) - norm.cdf(lo, loc=index[i], scale=se[i]), 0), 1)

    return m.select("cadre_id", "category").with_columns(
        pl.Series("learning_z", lz),
        pl.Series("assessment_z", az),
        pl.Series("transfer_z", tz),
        pl.Series("compliance_score", comp),
        pl.Series("index", index),
        pl.Series("percentile_in_category", pct),
        pl.Series("band", band, dtype=pl.String),
        pl.Series("learning_reliability", np.where(np.isfinite(lz), lrel if learning_known else np.nan, np.nan)),
        pl.Series("assessment_reliability", arel),
        pl.Series("transfer_reliability", np.where(np.isfinite(tz), trel if trel is not None else np.nan, np.nan)),
        pl.Series("index_se", se),
        pl.Series("index_reliability", irel),
        pl.Series("band_probability", bprob),
        pl.Series("band_reason", reason, dtype=pl.String),
    ).with_columns(pl.selectors.float().fill_nan(None))


def min_hours(rule: str, days: float) -> float:
    m = re.search(r"_(\d+(?:\.\d+)?)h$", rule or "")
    return float(m.group(1)) if m else days * HOURS_PER_DAY


def reference(out: Path, period, scale: str):
    outcomes = read_table(out, "trainee_outcomes")
    year = int(period) if period else int(outcomes["year"].max())
    o = outcomes.filter(pl.col("year") == year)

    # Assessment moments: scores by raters other than the trainee, per (class, cadre).
    ratings = read_table(out, "trainee_ratings").filter(pl.col("rater_role") != "self")
    mom = ratings.group_by("class_id", "cadre_id").agg(
        pl.col("score").count().cast(pl.Float64).alias("n"),
        pl.col("score").var(ddof=1).alias("var"),
        pl.col("score").mean().alias("others_mean"),
    )
    o = o.join(mom, on=["class_id", "cadre_id"], how="left")
    # Side check of the warehouse join (not a scorecard column).
    ta_diff = o.select((pl.col("trainee_assessment") - pl.col("others_mean")).abs().max()).item()

    f = lambda c: pl.col(c).fill_nan(None)
    has_a = pl.col("n").is_not_null() & (pl.col("n") >= 1) & pl.col("trainee_assessment").is_not_null()
    within_ok = pl.col("n").is_not_null() & (pl.col("n") >= 2) & pl.col("var").is_finite()
    per = o.group_by("cadre_id").agg(
        pl.col("category").first(),
        pl.col("category").n_unique().alias("n_categories"),
        f("pre_score").mean().alias("pre"),
        f("post_score").mean().alias("post"),
        f("trainee_assessment").mean().alias("assess"),
        f("review_before").mean().alias("before"),
        f("review_after").mean().alias("after"),
        pl.when(has_a).then(1.0 / pl.col("n")).otherwise(0.0).sum().alias("inv"),
        has_a.cast(pl.Float64).sum().alias("E"),
        pl.when(within_ok).then((pl.col("n") - 1) * pl.col("var")).otherwise(0.0).sum().alias("ss"),
        pl.when(within_ok).then(pl.col("n") - 1).otherwise(0.0).sum().alias("df"),
    )
    assert per["n_categories"].max() == 1, "a cadre in two categories within the year"
    per = per.with_columns(
        pl.when(pl.col("E") > 0).then(pl.col("inv") / pl.col("E") ** 2).otherwise(None).alias("assess_error")
    )

    # Compliance: share of the rule's days or hours met in the window, capped at 1.
    co = pl.read_parquet(out / "indicators" / "compliance.parquet").filter(pl.col("year") == year)
    shares = []
    for r in co.iter_rows(named=True):
        if r["rule"] is None or r["rule"] == "none" or r["days_required"] is None:
            shares.append(None)
            continue
        d, h = r["days_required"], min_hours(r["rule"], r["days_required"])
        ratio = lambda have, need: have / need if need > 0 else 1.0
        shares.append(min(max(ratio(r["days_in_window"], d), ratio(r["hours_in_window"], h)), 1.0))
    co = co.select("cadre_id").with_columns(pl.Series("compliance", shares, dtype=pl.Float64))
    per = per.join(co, on="cadre_id", how="left")

    # Reliabilities: the outcome scale's alpha at pre and post (the reliability table),
    # the review score's alpha over every review scoring all five dimensions (here).
    rel = pl.read_parquet(out / "indicators" / "reliability.parquet")
    a = {w: rel.filter((pl.col("scale") == scale) & (pl.col("wave") == w))["alpha"].to_list() for w in ("pre", "post")}
    a_pre = a["pre"][0] if a["pre"] and a["pre"][0] is not None else None
    a_post = a["post"][0] if a["post"] and a["post"][0] is not None else None
    rv = read_table(out, "reviews").select(DIMS).drop_nulls().to_numpy().astype(float)
    a_review = cronbach_alpha(rv) if len(rv) >= 2 else None

    parts = []
    for cat in sorted(per["category"].unique().to_list(), key=lambda c: (c is None, c or "")):
        m = per.filter(pl.col("category") == cat if cat is not None else pl.col("category").is_null()).sort("cadre_id")
        df, ss = m["df"].sum(), m["ss"].sum()
        parts.append(category(m.with_columns(pl.selectors.float().fill_null(np.nan)), ss / df if df > 0 else None, a_pre, a_post, a_review))
    info = dict(year=year, alpha_pre=a_pre, alpha_post=a_post, alpha_review=a_review, trainee_assessment_vs_ratings=ta_diff)
    return pl.concat(parts).sort("cadre_id"), info


NUM = ["learning_z", "assessment_z", "transfer_z", "compliance_score", "index", "percentile_in_category",
       "learning_reliability", "assessment_reliability", "transfer_reliability", "index_se", "index_reliability",
       "band_probability"]
STR = ["category", "band", "band_reason"]


def compare(ref: pl.DataFrame, rust: pl.DataFrame) -> bool:
    ok = True
    if ref["cadre_id"].to_list() != rust["cadre_id"].to_list():
        only_ref = set(ref["cadre_id"]) - set(rust["cadre_id"])
        only_rust = set(rust["cadre_id"]) - set(ref["cadre_id"])
        print(f"ROWS DIFFER: {len(only_ref)} only in reference, {len(only_rust)} only in Rust")
        return False
    print(f"{ref.height} cadres, {ref['category'].n_unique()} categories")
    print(f"{'column':26} {'max|diff|':>12} {'max rel':>12} {'null mismatches':>16}")
    for c in NUM:
        x, y = ref[c].to_numpy().astype(float), rust[c].to_numpy().astype(float)
        nm = int((np.isnan(x) != np.isnan(y)).sum())
        both = ~np.isnan(x) & ~np.isnan(y)
        d = np.abs(x[both] - y[both])
        mad = float(d.max()) if both.any() else 0.0
        rel = float((d / np.maximum(1.0, np.abs(y[both]))).max()) if both.any() else 0.0
        flag = "" if (nm == 0 and rel <= TOL) else "   <-- DISAGREES"
        ok &= flag == ""
        print(f"{c:26} {mad:12.3e} {rel:12.3e} {nm:16d}{flag}")
    for c in STR:
        mism = int((ref[c].fill_null("<null>") != rust[c].fill_null("<null>")).sum())
        ok &= mism == 0
        print(f"{c:26} {'':12} {'':12} {mism:16d} mismatches" + ("   <-- DISAGREES" if mism else ""))
    for c in ("band", "band_reason"):
        a = ref[c].fill_null("null").value_counts().sort(c)
        b = rust[c].fill_null("null").value_counts().sort(c)
        print(f"{c} counts  reference: {dict(a.iter_rows())}\n{'':13}rust:      {dict(b.iter_rows())}")
    return ok


def rust_f64(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "None"
    return f"Some({float(x)!r})"


def baked(ref: pl.DataFrame, ids):
    """Rust literals for tests/it/scorecard.rs."""
    # Σ learning_z is 0 by construction (OLS residuals), so Σ|learning_z| is added.
    sums = ["learning_z", "index", "index_se", "learning_reliability", "transfer_reliability", "band_probability"]
    print("// (category, n, [sums of " + ", ".join(sums) + ", |learning_z|], [A, B, C, D, withheld],")
    print("//  [fewer_than_two_components, reliability_unknown, low_reliability])")
    for cat in sorted(ref["category"].unique().to_list()):
        m = ref.filter(pl.col("category") == cat)
        s = ", ".join([repr(float(m[c].sum())) for c in sums] + [repr(float(m["learning_z"].abs().sum()))])
        bands = [int((m["band"] == b).sum()) for b in "ABCD"] + [int(m["band"].is_null().sum())]
        reasons = [int((m["band_reason"] == r).sum()) for r in ("fewer_than_two_components", "reliability_unknown", "low_reliability")]
        print(f'    ("{cat}", {m.height}, [{s}], {bands}, {reasons}),')
    for cid in ids:
        r = ref.filter(pl.col("cadre_id") == cid).row(0, named=True)
        nums = ", ".join(rust_f64(r[c]) for c in NUM)
        s = lambda v: f'Some("{v}")' if v is not None else "None"
        print(f'    ("{cid}", "{r["category"]}", [{nums}], {s(r["band"])}, {s(r["band_reason"])}),')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--period")
    ap.add_argument("--outcome-scale", default="competence")
    ap.add_argument("--baked", nargs="*")
    ap.add_argument("--write-csv", type=Path, help="write the reference table as CSV")
    a = ap.parse_args()
    ref, info = reference(a.out, a.period, a.outcome_scale)
    print("inputs:", ", ".join(f"{k}={v}" for k, v in info.items()))
    rust = pl.read_parquet(a.out / "indicators" / "cadre_scorecard.parquet").sort("cadre_id")
    periods = rust["period"].unique().to_list()
    print("rust period:", periods)
    ok = compare(ref, rust.select(ref.columns))
    if a.write_csv:
        ref.write_csv(a.write_csv, float_precision=17)
    if a.baked is not None:
        baked(ref, a.baked)
    print("AGREE" if ok else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
