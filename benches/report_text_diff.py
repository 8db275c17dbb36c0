#!/usr/bin/env python3
"""Compare the text a reader sees on every page of two report directories.

usage: report_text_diff.py BEFORE_DIR AFTER_DIR   (e.g. OUT/reports/2025 of each run)

A page's text is its HTML with the inline stylesheet removed, every tag replaced by a
space, character references decoded and white space collapsed: every number, label,
caption, table cell and chart text, in document order. Prints the pages whose text
differs (with the first difference) and exits 1 when any page differs or is missing.
"""
import html
import os
import re
import sys

STYLE = re.compile(r"<style>.*?</style>", re.S)
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


def text(path):
    with open(path, encoding="utf-8") as f:
        s = f.read()
    s = STYLE.sub(" ", s)
    s = TAG.sub(" ", s)
    return SPACE.sub(" ", html.unescape(s)).strip()


def pages(root):
    out = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html"):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def main():
    a, b = sys.argv[1], sys.argv[2]
    pa, pb = pages(a), pages(b)
    bad = 0
    if pa != pb:
        print(f"page lists differ: {len(pa)} vs {len(pb)}; only before: {sorted(set(pa) - set(pb))[:5]}, "
              f"only after: {sorted(set(pb) - set(pa))[:5]}")
        bad += 1
    size_a = size_b = 0
    for rel in pa:
        if rel not in pb:
            continue
        fa, fb = os.path.join(a, rel), os.path.join(b, rel)
        size_a += os.path.getsize(fa)
        size_b += os.path.getsize(fb)
        ta, tb = text(fa), text(fb)
        if ta != tb:
            bad += 1
            i = next((k for k in range(min(len(ta), len(tb))) if ta[k] != tb[k]), min(len(ta), len(tb)))
            print(f"{rel}: text differs at {i}:\n  before …{ta[max(0, i - 60):i + 60]}…\n  after  …{tb[max(0, i - 60):i + 60]}…")
            if bad > 20:
                break
    print(f"{len(pa)} pages compared, {bad} differ; bytes of the pages {size_a:,} → {size_b:,}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
