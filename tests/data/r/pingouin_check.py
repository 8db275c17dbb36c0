"""Cross-check of effect_sizes.R with pingouin (0.7.0): ICC intervals and
Cronbach's alpha with its Feldt interval. pingouin rounds both intervals to
2-3 decimals, so the Rust tests carry the psych values; this script shows
that the two packages agree at pingouin's precision.

    ~/.cache/traineval-pyenv/bin/python pingouin_check.py
"""
import numpy as np
import pandas as pd
import pingouin as pg

sf = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
raters = pd.read_csv("raters.csv").to_numpy(float)
for name, m in [("sf", sf), ("raters", raters)]:
    long = pd.DataFrame(
        [(i, j, m[i, j]) for i in range(m.shape[0]) for j in range(m.shape[1])],
        columns=["target", "rater", "score"],
    )
    icc = pg.intraclass_corr(long, targets="target", raters="rater", ratings="score")
    for _, r in icc.iterrows():
        print(f"icc.{name}.0.05.{r['Type']} {r['ICC']:.17g} {r['CI95'][0]} {r['CI95'][1]}")

oracle = np.array([[4, 5, 4, 3], [3, 3, 2, 3], [5, 5, 5, 4], [2, 3, 2, 2], [4, 4, 5, 4],
                   [3, 2, 3, 3], [5, 4, 4, 5], [1, 2, 1, 2], [4, 4, 3, 4], [3, 4, 3, 2]], float)
items = pd.read_csv("items.csv")
for name, x in [("oracle", pd.DataFrame(oracle)), ("items", items)]:
    a, ci = pg.cronbach_alpha(x, ci=0.95)
    print(f"feldt.{name}.0.05 {a:.17g} {ci[0]} {ci[1]}")
