"""The hand-made warehouse of tests/it/indicators.rs, and the expected values.

Run from this directory: `python3 make.py` writes the canonical input files
(units.csv ... unit_outcomes.csv) and prints the expected values that the test
hard-codes. Requires numpy, scipy (1.17) and statsmodels (0.15).

Classes C01..C09 carry exactly the pre/post pairs of `oracles/ancova.csv`
(one 0-100 `score` item per wave, so the scale score is the answer itself);
class K10 is a class of 3 trainees (method `case`) that must be suppressed in
every published table while its pairs still enter the pooled method tests.
Eight untrained middle_level cadres are the transfer controls.
"""
import csv, json, sys
import numpy as np
from scipy import stats
import statsmodels.formula.api as smf
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.oneway import anova_oneway

rows = list(csv.DictReader(open("../oracles/ancova.csv")))
pairs = [(r["class_id"], r["method"], r["cadre_id"], float(r["pre"]), float(r["post"])) for r in rows]
pairs += [("K10", "case", f"K10-{i}", pre, post) for i, (pre, post) in enumerate([(50, 60), (55, 58), (60, 71)], 1)]
classes = {}
for c, m, *_ in pairs:
    classes.setdefault(c, m)
controls = [f"N{i:02d}" for i in range(1, 9)]

def w(name, header, body):
    with open(name, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(header)
        wr.writerows(body)

cadres = [p[2] for p in pairs] + controls
unit = lambda c: "U2" if c.startswith("K10") else "U1"
w("units.csv", ["unit_id", "name", "kind", "region"], [["U1", "县委组织部", "party", "东城县"], ["U2", "县财政局", "government", "东城县"]])
w("cadres.csv", ["cadre_id", "name", "gender", "birth_year", "category", "rank", "unit_id", "party_member", "join_date"],
  [[c, "张三", "male" if i % 2 else "female", 1975 + i % 20, "middle_level", "正科", unit(c), "true", "2000-01-01"] for i, c in enumerate(cadres)])
cls = sorted(classes)
start = {c: f"2025-03-{2 + 2 * i:02d}" for i, c in enumerate(cls)}
end = {c: f"2025-03-{6 + 2 * i:02d}" for i, c in enumerate(cls)}
w("classes.csv", ["class_id", "title", "target_category", "method", "institution", "start_date", "end_date", "days", "hours"],
  [[c, f"培训班{c}", "middle_level", classes[c], "县委党校", start[c], end[c], 5, 37.5] for c in cls])
topics = ["党性教育", "依法行政", "公文写作"]
courses = [(f"{c}-{j}", c, f"T{j}", topics[j - 1]) for c in cls for j in (1, 2)]
w("courses.csv", ["course_id", "class_id", "title", "teacher_id", "method", "hours", "topic"],
  [[cid, c, f"课程{cid}", t, classes[c], 4, tp] for cid, c, t, tp in courses])
w("enrollments.csv", ["class_id", "cadre_id", "attended_hours", "leave_hours", "discipline_flags", "exam_score", "completed"],
  [[c, p, 37.5, 0, 0, 80, "true"] for c, m, p, *_ in pairs])
w("items.csv", ["item_id", "scale", "wave", "text", "min", "max", "reverse", "kind"],
  [["SCORE", "competence", "pre", "本领自评", 0, 100, "false", "score"],
   ["SCORE", "competence", "post", "本领自评", 0, 100, "false", "score"],
   ["NEED_TOPICS", "topics", "needs", "希望参加的专题", "", "", "false", "topics"]])
w("survey_pre.csv", ["class_id", "cadre_id", "submitted_at", "duration_s", "SCORE"],
  [[c, p, start[c] + " 09:00:00", 120, int(pre)] for c, m, p, pre, post in pairs])
w("survey_post.csv", ["class_id", "cadre_id", "submitted_at", "duration_s", "SCORE"],
  [[c, p, end[c] + " 16:00:00", 120, int(post)] for c, m, p, pre, post in pairs])
w("survey_needs.csv", ["class_id", "cadre_id", "submitted_at", "duration_s", "NEED_TOPICS"],
  [[c, p, "2025-02-20 10:00:00", 60, "=1+1┋党性教育" if k == 0 else "党性教育┋乡村振兴" if k % 2 else "公文写作"]
   for k, (c, m, p, *_) in enumerate(pairs)])  # "=1+1": a topic that must be guarded as a formula
ratings = []
for k, (c, m, p, *_) in enumerate(pairs):
    for j, (cid, cc, *_r) in enumerate([x for x in courses if x[1] == c]):
        ratings.append([c, cid, p] + [12 + (k * 7 + j * 3 + d * 5) % 9 for d in range(5)])
w("course_ratings.csv", ["class_id", "course_id", "rater_id", "relevance", "theory", "information", "delivery", "manner"], ratings)
tr = []
for k, (c, m, p, *_) in enumerate(pairs):
    tr.append([c, p, "class_manager", "M1"] + [70 + (k * 3 + d) % 15 for d in range(4)])
    tr.append([c, p, "self", p] + [80 + (k + d) % 12 for d in range(4)])
w("trainee_ratings.csv", ["class_id", "cadre_id", "rater_role", "rater_id", "attitude", "discipline", "participation", "assignment"], tr)
rev = []
for k, c in enumerate(cadres):
    base = 70 + k % 11
    trained = not c.startswith("N")
    for date, bump in (("2024-12-15", 0), ("2025-12-15", 1 + (4 if trained else 0) + k % 3)):
        rev.append([c, date, "annual"] + [base + bump + d for d in range(5)] + ["competent"])
w("reviews.csv", ["cadre_id", "review_date", "kind", "morality", "ability", "diligence", "achievement", "integrity", "grade"], rev)
w("unit_outcomes.csv", ["unit_id", "period", "metric", "value"],
  [["U1", "2024", "performance_score", 80.0], ["U1", "2025", "performance_score", 84.5],
   ["U2", "2024", "performance_score", 75.0], ["U2", "2025", "performance_score", 76.0]])

# ---- expected values -------------------------------------------------------
def r(x):
    return "None" if x is None or (isinstance(x, float) and np.isnan(x)) else repr(float(x))

out = {}
print("// learning_by_class: (class_id, [n_pairs, pre_mean, post_mean, mean_diff, sd_diff, t, df, p_value, ci_low, ci_high, d_z, g_z, d_av, wilcoxon_v, wilcoxon_p, hake_g, mean_individual_gain, share_improved])")
for c in cls:
    pre = np.array([p[3] for p in pairs if p[0] == c]); post = np.array([p[4] for p in pairs if p[0] == c])
    d = post - pre; n = len(d)
    t = stats.ttest_rel(post, pre)
    ci = t.confidence_interval(0.95)
    sd = d.std(ddof=1); dz = d.mean() / sd; gz = dz * (1 - 3 / (4 * (n - 1) - 1))
    dav = d.mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
    nz = d[np.round(d, 9) != 0]
    ranks = stats.rankdata(np.abs(nz)); V = ranks[nz > 0].sum()
    wp = stats.wilcoxon(post, pre).pvalue if len(nz) >= 2 else None
    hake = (post.mean() - pre.mean()) / (100 - pre.mean()) if round(pre.mean(), 9) < 100 else None
    ind = [(b - a) / (100 - a) for a, b in zip(pre, post) if round(a, 9) < 100]
    mig = np.mean(ind) if ind else None
    share = np.mean(np.round(d, 9) > 0)
    vals = [n, pre.mean(), post.mean(), d.mean(), sd, t.statistic, t.df, t.pvalue, ci.low, ci.high, dz, gz, dav, V, wp, hake, mig, share]
    print(f'("{c}", [{", ".join(r(v) for v in vals)}]),')

df = pd.DataFrame(pairs, columns=["class_id", "method", "cadre_id", "pre", "post"])
df["gain"] = df.post - df.pre
levels = ["centralized", "case", "online"]
groups = [df.gain[df.method == m].values for m in levels]
a = stats.f_oneway(*groups)
ss_b = sum(len(g) * (g.mean() - df.gain.mean()) ** 2 for g in groups); ss_t = ((df.gain - df.gain.mean()) ** 2).sum()
wa = anova_oneway(groups, use_var="unequal", welch_correction=True)
kw = stats.kruskal(*groups)
m = smf.ols("post ~ C(method, Treatment('centralized')) + pre", data=df).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df.class_id)[0]}, use_t=True)
names = list(m.params.index)
ci_, io_ = names.index("C(method, Treatment('centralized'))[T.case]"), names.index("C(method, Treatment('centralized'))[T.online]")
R = np.zeros((2, len(names))); R[0, ci_] = 1; R[1, io_] = 1
f = m.f_test(R)
print("// method_tests: (test, statistic, df1, df2, p_value, effect, n)")
print(f'("anova", {r(a.statistic)}, 2.0, {r(len(df) - 3)}, {r(a.pvalue)}, {r(ss_b / ss_t)}, {len(df)}),')
print(f'("welch_anova", {r(wa.statistic)}, {r(wa.df[0])}, {r(wa.df[1])}, {r(wa.pvalue)}, None, {len(df)}),')
print(f'("kruskal", {r(kw.statistic)}, 2.0, None, {r(kw.pvalue)}, None, {len(df)}),')
print(f'("ancova", {r(float(np.squeeze(f.fvalue)))}, {r(f.df_num)}, {r(f.df_denom)}, {r(float(f.pvalue))}, None, {len(df)}),')
print("// method_pairwise: (method_a, method_b, diff, se, t, p_raw, p_holm, p_bh)")
cons = [("case", "centralized", [(ci_, 1)]), ("online", "centralized", [(io_, 1)]), ("online", "case", [(io_, 1), (ci_, -1)])]
res = []
for a_, b_, terms in cons:
    c = np.zeros(len(names))
    for j, v in terms:
        c[j] = v
    tt = m.t_test(c)
    res.append((a_, b_, float(tt.effect[0]), float(tt.sd[0][0]), float(tt.tvalue[0][0]), float(tt.pvalue)))
ph = multipletests([x[5] for x in res], method="holm")[1]; pb = multipletests([x[5] for x in res], method="fdr_bh")[1]
for x, h, b in zip(res, ph, pb):
    print(f'("{x[0]}", "{x[1]}", {r(x[2])}, {r(x[3])}, {r(x[4])}, {r(x[5])}, {r(h)}, {r(b)}),')
