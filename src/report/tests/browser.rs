//! Browser test: load every generated page in headless Chromium, take a screenshot,
//! and fail on console errors, on any loaded resource (the pages must be
//! self-contained), on an empty chart, on text overflowing its box, on chart text too
//! small to read, or on labels of the transfer charts (flow, event study) covering
//! one another; the transfer figures and the limitations section must be there.
//!
//! `TRAINEVAL_CHECK_REPORT=OUT/reports/<period>` checks that report instead of the
//! fixture's. Skipped, with a message, when no Chromium is installed (`.ci/run` installs the
//! Debian `chromium` package). Screenshots go to `$TRAINEVAL_SCREENSHOTS` when set
//! (kept for a human to look at), else to a temporary directory; never into git.
//!
//! The reports carry no script. To inspect the laid-out page the test writes a
//! copy of each page with a small checking script appended, runs it with
//! `--dump-dom`, and reads the verdict the script leaves in a `data-check`
//! attribute.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{fixtures, params};
use crate::report::i18n::Lang;
use crate::report::pdf::{file_url, find_browser, headless_args};
use crate::report::write_reports;

/// Appended to a copy of each page: checks layout and reports as JSON.
const CHECK_SCRIPT: &str = r#"<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message || (e.target && e.target.tagName))); }, true);
  var origError = console.error;
  console.error = function () { errors.push(Array.prototype.join.call(arguments, ' ')); origError.apply(console, arguments); };
  function describe(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string') s += '.' + el.className.split(' ').join('.');
    return s + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  }
  function check() {
    var r = { errors: errors, resources: [], charts: 0, empty_charts: [], overflow: [], svg_text_outside: [],
              figures: [], tiny_text: [], text_overlap: [], broken_words: [], labels_on_lines: [],
              wide_quotes: [], code_names: [] };
    var lang = document.documentElement.lang || '';
    var english = lang.indexOf('en') === 0;
    document.querySelectorAll('figure[id]').forEach(function (f) { r.figures.push(f.id); });
    r.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; })
      .filter(function (n) { return n.indexOf('data:') !== 0; });
    var main = document.querySelector('main');
    r.styled = !!main && getComputedStyle(main).boxShadow !== 'none';
    document.querySelectorAll('[src], link[href], object[data], iframe, embed').forEach(function (el) {
      r.resources.push(el.tagName.toLowerCase() + ' ' + (el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('data') || ''));
    });
    document.querySelectorAll('svg.chart').forEach(function (svg) {
      r.charts += 1;
      var box = svg.getBoundingClientRect();
      var marks = parseInt(svg.getAttribute('data-marks') || '0', 10);
      var shapes = svg.querySelectorAll('rect, circle, polygon, polyline, path, line').length;
      if (box.width < 50 || box.height < 50 || marks < 1 || shapes < 3) {
        r.empty_charts.push(svg.getAttribute('aria-label') + ' marks=' + marks + ' shapes=' + shapes);
      }
      // Screen boxes include the rotation of axis titles (getBBox would not).
      var boxes = [];
      svg.querySelectorAll('text').forEach(function (t) {
        var b = t.getBoundingClientRect();
        if (b.width === 0) return;
        if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1) {
          r.svg_text_outside.push((svg.getAttribute('aria-label') || '') + ': "' + t.textContent.trim() + '"');
        }
        // Readable: at least 9 px high as laid out (the charts scale with the column).
        if (b.height < 9) r.tiny_text.push((svg.getAttribute('aria-label') || '') + ': "' + t.textContent.trim() + '" ' + b.height.toFixed(1) + 'px');
        boxes.push({ b: b, s: t.textContent.trim() });
      });
      // No label sits on a data line (the series lines of trajectories and trends):
      // sample each segment every pixel on screen and look for it inside a text box.
      // (Ink lines are left out: axis ticks touch their labels and the hatching of a
      // stacked bar lies under its haloed share by design.)
      var series = ['#1f3a5f', '#c9741e', '#a7c4dc'];
      var ctm = svg.getScreenCTM();
      svg.querySelectorAll('polyline, line, path').forEach(function (l) {
        var stroke = (l.getAttribute('stroke') || '').toLowerCase();
        if (series.indexOf(stroke) < 0 || !ctm) return;
        var pts = [];
        if (l.tagName === 'line') {
          pts = [[+l.getAttribute('x1'), +l.getAttribute('y1')], [+l.getAttribute('x2'), +l.getAttribute('y2')]];
        } else if (l.tagName === 'path') {
          // A straight segment as the chart backend writes it: M x y, then V y, H x or L x y.
          var m = /^M(-?\d+) (-?\d+)([VHL])(-?\d+)(?: (-?\d+))?$/.exec(l.getAttribute('d') || '');
          if (!m) { r.errors.push('path not a segment: ' + l.getAttribute('d')); return; }
          var x0 = +m[1], y0 = +m[2];
          pts = [[x0, y0], m[3] === 'V' ? [x0, +m[4]] : m[3] === 'H' ? [+m[4], y0] : [+m[4], +m[5]]];
        } else {
          pts = (l.getAttribute('points') || '').trim().split(/\s+/).map(function (p) { return p.split(',').map(Number); });
        }
        var scr = pts.map(function (p) { return [ctm.a * p[0] + ctm.c * p[1] + ctm.e, ctm.b * p[0] + ctm.d * p[1] + ctm.f]; });
        for (var k = 0; k + 1 < scr.length; k++) {
          var a = scr[k], b = scr[k + 1];
          var len = Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]));
          boxes.forEach(function (t) {
            var q = t.b;
            for (var s = 0; s <= len; s++) {
              var x = a[0] + (b[0] - a[0]) * s / Math.max(len, 1), y = a[1] + (b[1] - a[1]) * s / Math.max(len, 1);
              if (x > q.left + 1 && x < q.right - 1 && y > q.top + 1 && y < q.bottom - 1) {
                r.labels_on_lines.push((svg.getAttribute('aria-label') || '') + ': "' + t.s + '"');
                return;
              }
            }
          });
        }
      });
      // Labels of the transfer charts never cover one another.
      var fig = svg.closest('figure');
      if (fig && /^fig-(transfer-flow|transfer-event|class-flow)$/.test(fig.id)) {
        for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
          var a = boxes[i].b, c = boxes[j].b;
          var w = Math.min(a.right, c.right) - Math.max(a.left, c.left), h = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
          if (w > 2 && h > 2 && w * h > 0.2 * Math.min(a.width * a.height, c.width * c.height)) {
            r.text_overlap.push(fig.id + ': "' + boxes[i].s + '" / "' + boxes[j].s + '"');
          }
        }
      }
    });
    var main = document.querySelector('main');
    // Text outside charts and literals (file paths, hashes), as a reader sees it.
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, { acceptNode: function (n) {
      return n.parentElement && n.parentElement.closest('svg, code, style, script') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    } });
    var texts = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node);
    // English words break between words only: a word whose letters lie on two lines was
    // split (a soft hyphen is a break the text allows).
    if (english) {
      texts.forEach(function (n) {
        var re = /[A-Za-z\u00ad]{2,}/g, m;
        while ((m = re.exec(n.data)) !== null) {
          if (m[0].indexOf('\u00ad') >= 0) continue;
          var range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          var tops = [];
          Array.prototype.forEach.call(range.getClientRects(), function (q) {
            if (q.width > 0 && !tops.some(function (t) { return Math.abs(t - q.top) < 3; })) tops.push(q.top);
          });
          if (tops.length > 1) r.broken_words.push('"' + m[0] + '" in ' + describe(n.parentElement));
        }
      });
      // Quotes drawn by a CJK font are full width: in the body font of an English page a
      // pair of curly quotes must be narrower than one em.
      var probe = document.createElement('span');
      probe.textContent = '\u201c\u201d';
      probe.style.whiteSpace = 'nowrap';
      main.appendChild(probe);
      var em = parseFloat(getComputedStyle(probe).fontSize);
      if (probe.getBoundingClientRect().width > 0.9 * em) r.wide_quotes.push('"\u201c\u201d" is ' + probe.getBoundingClientRect().width.toFixed(1) + 'px at ' + em + 'px');
      probe.remove();
    }
    // Code names (table, column, vocabulary codes) never reach the reader; paths and
    // literals are in <code> and file names are left out.
    var codes = window.__codes || [];
    var chart_text = [];
    document.querySelectorAll('svg text').forEach(function (t) { chart_text.push(t.textContent); });
    var words = texts.map(function (n) { return n.data; }).concat(chart_text).join(' ')
      .replace(/\S*[\/\\]\S*/g, ' ').replace(/\S+\.(csv|xlsx|xls|parquet|json|html)\b/g, ' ');
    var seen = {};
    (words.match(/[A-Za-z0-9_\-]+/g) || []).forEach(function (w) {
      if (codes.indexOf(w) >= 0 && !seen[w]) { seen[w] = 1; r.code_names.push(w); }
    });
    main.querySelectorAll('*').forEach(function (el) {
      if (el.closest('svg')) return;
      var cs = getComputedStyle(el);
      if (cs.display === 'inline' || el.clientWidth === 0) return;
      if (cs.overflowX !== 'visible') return;
      if (el.scrollWidth > el.clientWidth + 1) r.overflow.push(describe(el) + ' ' + el.scrollWidth + '>' + el.clientWidth);
    });
    if (document.documentElement.scrollWidth > window.innerWidth + 1) r.overflow.push('page wider than the window');
    document.body.setAttribute('data-check', JSON.stringify(r));
  }
  if (document.readyState === 'complete') check(); else window.addEventListener('load', check);
})();
</script>"#;

#[derive(Debug, Default, serde::Deserialize)]
struct Verdict {
    errors: Vec<String>,
    resources: Vec<String>,
    charts: usize,
    empty_charts: Vec<String>,
    overflow: Vec<String>,
    svg_text_outside: Vec<String>,
    /// Ids of the page's figures.
    figures: Vec<String>,
    /// Chart text under 9 px as laid out.
    tiny_text: Vec<String>,
    /// Overlapping labels in the transfer charts.
    text_overlap: Vec<String>,
    /// English words split across two lines.
    #[serde(default)]
    broken_words: Vec<String>,
    /// Chart labels a data line runs through.
    #[serde(default)]
    labels_on_lines: Vec<String>,
    /// Full-width quotes or punctuation on an English page.
    #[serde(default)]
    wide_quotes: Vec<String>,
    /// Code names in the text a reader sees.
    #[serde(default)]
    code_names: Vec<String>,
    /// Whether the page's inline stylesheet was applied (its page frame has a shadow).
    #[serde(default)]
    styled: bool,
    /// Console lines Chromium logged (filled from stderr).
    #[serde(skip)]
    console: Vec<String>,
    /// The dumped DOM.
    #[serde(skip)]
    dom: String,
}

impl Verdict {
    /// Every non-empty list of problems, named.
    fn problems(&self) -> Vec<(&'static str, &Vec<String>)> {
        [
            ("script errors", &self.errors),
            ("console errors", &self.console),
            ("resources loaded", &self.resources),
            ("empty charts", &self.empty_charts),
            ("overflowing boxes", &self.overflow),
            ("chart text outside the chart", &self.svg_text_outside),
            ("chart text too small to read", &self.tiny_text),
            ("chart labels covering one another", &self.text_overlap),
            ("English words broken across lines", &self.broken_words),
            ("chart labels crossed by a data line", &self.labels_on_lines),
            ("full-width quotes on an English page", &self.wide_quotes),
            ("code names in the text", &self.code_names),
        ]
        .into_iter()
        .filter(|(_, l)| !l.is_empty())
        .collect()
    }
}

/// Lay `page` out in the browser with the checking script and read the verdict.
fn check_page(browser: &Path, page: &Path) -> Result<Verdict, String> {
    let profile = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(page).unwrap();
    let checked = page.with_file_name(format!(".check-{}", page.file_name().unwrap().to_string_lossy()));
    let codes = serde_json::to_string(&super::reading::code_names(lang_of(&html))).unwrap();
    let script = format!("<script>window.__codes = {codes};</script>{CHECK_SCRIPT}");
    std::fs::write(&checked, html.replace("</body>", &format!("{script}</body>"))).unwrap();
    let (dom, stderr) = chromium(
        browser,
        profile.path(),
        &[
            "--window-size=1240,1754".into(),
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
        ],
        &file_url(&std::fs::canonicalize(&checked).unwrap()),
    );
    std::fs::remove_file(&checked).unwrap();
    let Some(attr) = dom.split("data-check=\"").nth(1).and_then(|s| s.split('"').next()) else {
        return Err(format!(
            "the check did not run; stderr: {}",
            stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        ));
    };
    let mut v: Verdict = serde_json::from_str(&unescape_attr(attr)).map_err(|e| e.to_string())?;
    v.console =
        stderr.lines().filter(|l| l.contains(":CONSOLE") && !l.contains("INFO:CONSOLE")).map(str::to_string).collect();
    v.dom = dom;
    Ok(v)
}

/// Run the browser with `args` on `url`; stdout and stderr, or a timeout error.
/// Output goes through files: a dumped DOM is larger than a pipe's buffer.
fn chromium(browser: &Path, profile: &Path, args: &[String], url: &str) -> (String, String) {
    let out_path = profile.join("stdout.txt");
    let err_path = profile.join("stderr.txt");
    let mut child = Command::new(browser)
        .args(headless_args(profile))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish on {url} within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    (read(&out_path), read(&err_path))
}

/// The language of a page from its `<html lang>`.
fn lang_of(html: &str) -> Lang {
    if html.contains("<html lang=\"en\"") {
        Lang::En
    } else {
        Lang::Zh
    }
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

fn pages_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.join("index.html")];
    let mut class: Vec<PathBuf> = std::fs::read_dir(dir.join("class"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    class.sort();
    out.extend(class);
    out
}

#[test]
fn pages_load_cleanly_in_headless_chromium() {
    let Some(browser) = find_browser() else {
        eprintln!(
            "SKIPPED browser test: no headless Chromium on PATH (chromium, chromium-browser, google-chrome); \
             `apt-get install chromium` to run it"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let shots = match std::env::var_os("TRAINEVAL_SCREENSHOTS") {
        Some(d) => PathBuf::from(d),
        None => work.path().join("screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let mut failures = Vec::new();
    let mut pages = Vec::new();
    // `TRAINEVAL_CHECK_REPORT=OUT/reports/<period>` checks a real report instead.
    if let Some(dir) = std::env::var_os("TRAINEVAL_CHECK_REPORT") {
        pages.extend(pages_under(Path::new(&dir)).into_iter().map(|p| ("real", p)));
    }
    let fixture = pages.is_empty();
    for (lang, sub) in [(Lang::Zh, "zh"), (Lang::En, "en")].into_iter().filter(|_| fixture) {
        let out = work.path().join(sub);
        let s = write_reports(&out, &fixtures::sample(), &params(lang), false).unwrap();
        pages.extend(pages_under(&s.dir).into_iter().map(|p| (sub, p)));
    }
    for (sub, page) in &pages {
        let stem = format!("{sub}-{}", page.file_stem().unwrap().to_string_lossy());
        let profile = tempfile::tempdir().unwrap();
        let abs = std::fs::canonicalize(page).unwrap();
        // 1. Screenshot of the page as a reader opens it (A4 proportions).
        let png = shots.join(format!("{stem}.png"));
        chromium(
            &browser,
            profile.path(),
            &["--window-size=1240,1754".into(), format!("--screenshot={}", png.display())],
            &file_url(&abs),
        );
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        if size < 10_000 {
            failures.push(format!("{stem}: screenshot missing or blank ({size} bytes)"));
        }
        // 2. The same page with the checking script, laid out and dumped.
        let v = match check_page(&browser, page) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{stem}: {e}"));
                continue;
            }
        };
        for (what, list) in v.problems() {
            failures.push(format!("{stem}: {what}: {list:?}"));
        }
        if !v.styled {
            failures.push(format!("{stem}: the page's stylesheet was not applied"));
        }
        if fixture && page.file_name().unwrap() == "index.html" && v.charts < 9 {
            failures.push(format!("{stem}: only {} charts", v.charts));
        }
        if page.file_name().unwrap() == "index.html" && !v.dom.contains("id=\"methodology\"") {
            failures.push(format!("{stem}: no methodology section in the DOM"));
        }
        // The transfer charts (issue 25): the flow and the event study in the annual
        // report, the flow on a class page with published stages; the limitations last.
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        let want: &[&str] = match (fixture, name.as_str()) {
            (true, "index.html") => &["fig-transfer-flow", "fig-transfer-event"],
            (true, "K01.html") => &["fig-class-flow"],
            _ => &[],
        };
        for id in want {
            if !v.figures.iter().any(|f| f == id) {
                failures.push(format!("{stem}: no figure {id}"));
            }
        }
        if name == "index.html" && !v.dom.contains("id=\"limitations\"") {
            failures.push(format!("{stem}: no limitations section in the DOM"));
        }
    }
    eprintln!("browser test: {} pages checked, screenshots in {}", pages.len(), shots.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checker itself finds what it is meant to find: an empty chart, a box its
/// text overflows, chart text outside the chart, a loaded resource, chart text too small
/// to read, labels of a transfer chart covering one another.
#[test]
fn the_page_check_catches_broken_pages() {
    let Some(browser) = find_browser() else {
        eprintln!("SKIPPED browser self-check: no headless Chromium on PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main style="width:300px">
<div style="width:100px;white-space:nowrap">这一行文字太长了，一定会超出它所在的盒子的宽度</div>
<svg class="chart" data-marks="0" aria-label="empty" viewBox="0 0 200 100" width="200" height="100"><rect width="200" height="100" fill="#fff"/></svg>
<svg class="chart" data-marks="1" aria-label="spill" viewBox="0 0 200 100" width="200" height="100"><rect width="10" height="10"/><rect width="10" height="10"/><rect width="10" height="10"/><text x="150" y="50">far too long a label for this chart</text></svg>
<figure id="fig-transfer-flow"><svg class="chart" data-marks="1" aria-label="crowded" viewBox="0 0 200 100" width="200" height="100"><rect width="10" height="10"/><rect width="10" height="10"/><rect width="10" height="10"/><text x="10" y="40" font-size="14">first label here</text><text x="14" y="43" font-size="14">second label here</text><text x="10" y="90" font-size="5">tiny print</text></svg></figure>
<img src="missing-picture.png" alt="">
</main></body></html>"##,
    )
    .unwrap();
    let v = check_page(&browser, &page).unwrap();
    assert_eq!(v.charts, 3);
    assert!(v.empty_charts.iter().any(|c| c.starts_with("empty")), "{v:?}");
    assert!(!v.overflow.is_empty(), "{v:?}");
    assert!(v.svg_text_outside.iter().any(|t| t.contains("far too long")), "{v:?}");
    assert!(v.resources.iter().any(|r| r.contains("missing-picture.png")), "{v:?}");
    assert!(v.tiny_text.iter().any(|t| t.contains("tiny print")), "{v:?}");
    assert!(v.text_overlap.iter().any(|t| t.contains("first label") && t.contains("second label")), "{v:?}");
    assert!(!v.tiny_text.iter().any(|t| t.contains("label here")), "readable labels pass: {v:?}");
}

/// The checks added for issue 28 find what a reader saw on the first English pages: a
/// word split across two lines, a data line through a chart label, quotes drawn full
/// width by a CJK font listed first, and a code name in the text.
#[test]
fn the_page_check_catches_what_readers_saw() {
    let Some(browser) = find_browser() else {
        eprintln!("SKIPPED browser self-check: no headless Chromium on PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad-en.html");
    std::fs::write(
        &page,
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 14px; }
td { overflow-wrap: anywhere; }
</style></head><body><main style="width:600px">
<table style="width:60px; table-layout: fixed"><tr><td style="width:40px">Centralised</td></tr></table>
<p>The rules of regulation-2023 apply; “quoted” text.</p>
<svg class="chart" data-marks="2" aria-label="line" viewBox="0 0 300 120" width="300" height="120"><rect width="10" height="10"/><rect width="10" height="10"/><rect width="10" height="10"/>
<polyline fill="none" stroke="#1F3A5F" stroke-width="2" points="20,100 280,20"/>
<text x="120" y="66" font-size="14">53.0 (n = 388)</text></svg>
</main></body></html>"##,
    )
    .unwrap();
    let v = check_page(&browser, &page).unwrap();
    assert!(v.broken_words.iter().any(|w| w.contains("Centralised")), "{v:?}");
    assert!(v.labels_on_lines.iter().any(|l| l.contains("53.0")), "{v:?}");
    assert!(!v.wide_quotes.is_empty(), "{v:?}");
    assert_eq!(v.code_names, ["regulation-2023"], "{v:?}");
    // The same page done right passes: Latin fonts first, words kept whole, the label
    // beside the line, the rule in words.
    let good = dir.path().join("good-en.html");
    std::fs::write(
        &good,
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
body { font-family: "Liberation Sans", "Noto Sans CJK SC", sans-serif; font-size: 14px; }
td { overflow-wrap: break-word; }
</style></head><body><main style="width:600px">
<table><tr><td>Centralised</td></tr></table>
<p>The rules of the 2023 Regulations apply; "quoted" text.</p>
<svg class="chart" data-marks="2" aria-label="line" viewBox="0 0 300 120" width="300" height="120"><rect width="10" height="10"/><rect width="10" height="10"/><rect width="10" height="10"/>
<polyline fill="none" stroke="#1F3A5F" stroke-width="2" points="20,100 280,20"/>
<text x="160" y="100" font-size="14">53.0 (n = 388)</text></svg>
</main></body></html>"##,
    )
    .unwrap();
    let v = check_page(&browser, &good).unwrap();
    assert!(v.broken_words.is_empty() && v.labels_on_lines.is_empty() && v.wide_quotes.is_empty(), "{v:?}");
    assert!(v.code_names.is_empty(), "{v:?}");
}
