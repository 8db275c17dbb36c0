//! PDF through a headless Chromium, when one is installed.
//!
//! Looks for `chromium`, `chromium-browser`, `google-chrome` or
//! `google-chrome-stable` on `PATH` (or the program named by `TRAINEVAL_CHROMIUM`)
//! and prints each HTML file next to itself as `.pdf`, with the report's own A4
//! print stylesheet. Without a browser it reports that plainly; the HTML stands.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::ReportError;

/// Browser names tried in order.
pub const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/// What `--pdf` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfOutcome {
    NotRequested,
    Written(Vec<PathBuf>),
    /// No headless Chromium was found; the message says what to install.
    NoBrowser(String),
}

/// The first browser found.
pub fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRAINEVAL_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b))).find(|p| p.is_file())
}

/// The message shown when no browser is installed.
pub fn no_browser_message() -> String {
    format!(
        "PDF not written: no headless Chromium found on PATH (looked for {}). Install one \
         (Debian/Ubuntu: `apt-get install chromium`) or set TRAINEVAL_CHROMIUM, or print the HTML \
         from any browser — the reports carry their own A4 print layout.",
        BROWSERS.join(", ")
    )
}

/// Print `files` (HTML) to PDF next to themselves, a few browsers at a time.
pub fn print_all(files: &[PathBuf]) -> Result<PdfOutcome, ReportError> {
    use rayon::prelude::*;
    let Some(browser) = find_browser() else { return Ok(PdfOutcome::NoBrowser(no_browser_message())) };
    let written = files
        .par_iter()
        .map(|html| {
            let pdf = html.with_extension("pdf");
            print_one(&browser, html, &pdf).map(|()| pdf)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PdfOutcome::Written(written))
}

/// Print one HTML file to `pdf` with `browser`.
pub fn print_one(browser: &Path, html: &Path, pdf: &Path) -> Result<(), ReportError> {
    let err = |message: String| ReportError::Render { what: format!("PDF {}", pdf.display()), message };
    let profile = tempfile::tempdir().map_err(|e| err(e.to_string()))?;
    let abs = std::fs::canonicalize(html).map_err(|e| err(format!("{}: {e}", html.display())))?;
    let _ = std::fs::remove_file(pdf);
    let output = Command::new(browser)
        .args(headless_args(profile.path()))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&abs))
        .output()
        .map_err(|e| err(format!("cannot run {}: {e}", browser.display())))?;
    if !output.status.success() || !pdf.is_file() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(err(format!("{} failed ({}): {}", browser.display(), output.status, tail.join(" | "))));
    }
    Ok(())
}

/// Flags for a quiet, sandbox-free headless run that touches no network.
pub fn headless_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// `file://` URL of an absolute path, percent-encoding what a URL cannot hold.
pub fn file_url(abs: &Path) -> String {
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => url.push(b as char),
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_encode_percent_and_spaces() {
        assert_eq!(file_url(Path::new("/tmp/a b/K%2F1.html")), "file:///tmp/a%20b/K%252F1.html");
        assert_eq!(file_url(Path::new("/报告")), "file:///%E6%8A%A5%E5%91%8A");
    }

    #[test]
    fn says_what_to_install() {
        let m = no_browser_message();
        assert!(m.contains("chromium") && m.contains("apt-get install chromium"));
    }
}
