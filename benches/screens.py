#!/usr/bin/python3
"""Screenshot the same pages of two report directories in headless Chromium and require
the images to be pixel-identical (the check behind any change of chart bytes).

usage: screens.py OLD_DIR NEW_DIR [--classes N] [--height PX] [--scale F] [--all] [--keep DIR]

OLD_DIR and NEW_DIR are report directories (`OUT/reports/<period>`, or a language
subdirectory). Compared: `index.html` (the annual page) and N class pages spread evenly
over `class/` in name order (every class page with --all), each in both directories,
at 1280 px wide and PX tall (default: tall enough for the longest page compared, found
from a first shot... simply 14000, which holds the longest class page), at device
scale F (default 1). Needs `chromium` and PIL (`/usr/bin/python3` with the Debian
`python3-pil`). Exit status 1 if any pair differs.

Chromium's screenshots of one page are not always the same: under load, the dotted
underlines of glossary terms in a table were seen drawn differently in one of three
shots of the same file. So when a pair differs, both pages are shot again (up to
--retries times) and the pair counts as the same when some shot of the old page equals
some shot of the new one; such pages are listed as "same (retaken)", with whether the
old page's own shots differed among themselves.
"""
import argparse
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageChops

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def shot(page, png, height, scale):
    with tempfile.TemporaryDirectory() as profile:
        cmd = ["chromium", *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
               f"--window-size=1280,{height}", f"--force-device-scale-factor={scale}",
               "file://" + os.path.abspath(page)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--classes", type=int, default=12)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--height", type=int, default=14000)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--keep", default=None, help="keep the screenshots in this directory")
    a = ap.parse_args()
    classes = sorted(os.listdir(os.path.join(a.old, "class")))
    if not a.all and len(classes) > a.classes:
        step = len(classes) / a.classes
        classes = [classes[int(i * step)] for i in range(a.classes)]
    pages = ["index.html"] + [os.path.join("class", c) for c in classes]
    work = a.keep or tempfile.mkdtemp(prefix="screens-")
    os.makedirs(work, exist_ok=True)
    bad = 0
    for rel in pages:
        name = rel.replace("/", "_")
        shots = {"old": [], "new": []}

        def take(side, root, k):
            png = os.path.join(work, f"{side}{k}-{name}.png")
            shot(os.path.join(root, rel), png, a.height, a.scale)
            shots[side].append(Image.open(png).convert("RGB"))

        def equal(x, y):
            return x.size == y.size and ImageChops.difference(x, y).getbbox() is None

        take("old", a.old, 0)
        take("new", a.new, 0)
        first = equal(shots["old"][0], shots["new"][0])
        same = first
        k = 0
        while not same and k < a.retries:
            k += 1
            take("old", a.old, k)
            take("new", a.new, k)
            same = any(equal(o, n) for o in shots["old"] for n in shots["new"])
        # A blank shot would compare equal to another blank one: require ink.
        inked = shots["old"][0].convert("L").getextrema()[0] < 128
        if first:
            verdict = "same"
        elif same:
            old_flaky = not all(equal(shots["old"][0], o) for o in shots["old"][1:])
            verdict = f"same (retaken {k}x; old page's own shots differed: {old_flaky})"
        else:
            verdict = f"DIFFERENT bbox={ImageChops.difference(shots['old'][0], shots['new'][0]).getbbox()}"
        print(f"{verdict} {rel} {shots['old'][0].size} inked={inked}", flush=True)
        bad += (not same) or (not inked)
    print(f"{len(pages) - bad} of {len(pages)} pages pixel-identical (screenshots in {work})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
