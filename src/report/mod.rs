//! Reports and exports: indicator tables → self-contained report directories of HTML
//! pages with SVG charts (PDF optional), and the per-cadre scorecard for assessment
//! systems.
//!
//! **In:** `OUT/indicators/<table>.parquet` (SPEC Appendix B; a missing table or
//! column empties its section, it does not fail the report), the warehouse's
//! `_manifest.json` and its `classes`, `courses`, `enrollments` and
//! `trainee_outcomes` tables.
//! **Out:** `OUT/reports/<period>/index.html` (the annual evaluation report) and
//! `OUT/reports/<period>/class/<class_id>.html` (one per class), each a self-contained
//! file (inline SVG charts and stylesheet, nothing loaded), in the pipeline's
//! language (`[report] lang`, the primary one); a report in another language goes to
//! `OUT/reports/<period>/<lang>/` with the same layout (`en/index.html`,
//! `en/class/…`). With `--pdf`, a `.pdf` beside each page.
//! `OUT/exports/assessment.{xlsx,csv}` from [`export_assessment`].
//!
//! **How:** [`view`] builds `Serialize` view models (numbers formatted, labels from
//! the one catalogue in [`i18n`], suppressed cells as "—"); [`charts`] draws each
//! chart spec as SVG with `plotters`; [`render`] lays the views out with minijinja
//! templates (HTML auto-escaping on). No JavaScript, no network, no time stamp:
//! the same data give the same bytes.
//!
//! **Guarantees:** every file is written under `OUT/reports/<period>/` (period and
//! class ids pass through [`paths`]); the report directory of the primary language is
//! replaced as a whole (with it any other language's directory not rendered in the same
//! run, which could describe older data), and another language's directory is replaced
//! as a whole without touching the primary one, so no stale page survives a re-run; the
//! replaced directory is kept aside as `.<name>.old-…` until the next run removes it
//! (in the background, while that run renders);
//! cells under `min_cell` people never reach a chart, a ranking or a published total.
//! Class pages are a stream: each is built from its class's rows (tables are indexed by
//! class once), rendered and written on one worker, so memory holds the tables and the
//! pages in flight, not every page (10⁴ classes at 10⁶ cadres).

pub mod charts;
pub mod columns;
mod css;
pub mod frame;
mod html;
pub mod i18n;
pub mod load;
pub mod paths;
pub mod pdf;
mod place;
pub mod render;
pub mod view;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use i18n::Lang;
pub use pdf::PdfOutcome;
pub use view::{RenderOptions, ReportData};

use crate::config::Job;
use crate::error::{ReportError, WarehouseError};
use crate::warehouse::atomic;

/// Directory of the reports under OUT.
pub const REPORTS_DIR: &str = "reports";
/// Directory of the class pages under a report.
pub const CLASS_DIR: &str = "class";

/// What `render_reports` wrote for one language.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    pub lang: Lang,
    /// `OUT/reports/<period>/`, or `OUT/reports/<period>/<lang>/` for a language other
    /// than the primary one.
    pub dir: PathBuf,
    pub index: PathBuf,
    pub class_pages: usize,
    pub pdf: PdfOutcome,
}

/// The directory of a report in `lang` under `OUT/reports/<period>/`: none for the
/// primary language (its pages are the published interface), `<lang>` for another.
pub fn lang_dir(primary: Lang, lang: Lang) -> Option<&'static str> {
    (lang != primary).then(|| lang.code())
}

/// `traineval report`: read `OUT/indicators` and `OUT/warehouse` once, write
/// `OUT/reports/<period>/…` in each of `langs` (the primary language first, then the
/// others into their own directories); with `pdf`, print each page to PDF when a
/// headless Chromium is installed.
pub fn render_reports(out: &Path, job: &Job, langs: &[Lang], pdf: bool) -> Result<Vec<ReportSummary>, ReportError> {
    let clock = std::time::Instant::now();
    // Converted once for every language; each frame is dropped as soon as it is converted.
    let (data, tables) = load::load_tables(out, job.period.as_deref())?;
    tracing::info!("report: inputs read and converted in {:.2} s", clock.elapsed().as_secs_f64());
    let primary = primary_lang(job);
    let mut order: Vec<Lang> = Vec::new();
    for &l in std::iter::once(&primary).filter(|p| langs.contains(p)).chain(langs) {
        if !order.contains(&l) {
            order.push(l);
        }
    }
    order
        .into_iter()
        .map(|lang| write_report_dir(out, &data, &tables, &RenderOptions::from_job(job, lang), primary, pdf))
        .collect()
}

/// The pipeline's report language (`[report] lang`, checked when the file is loaded).
pub fn primary_lang(job: &Job) -> Lang {
    Lang::from_code(&job.settings.report.lang).unwrap_or(Lang::Zh)
}

/// Render `data` and write the report directory under `out` as the primary language's.
pub fn write_reports(
    out: &Path,
    data: &ReportData,
    params: &RenderOptions,
    pdf: bool,
) -> Result<ReportSummary, ReportError> {
    write_reports_as(out, data, params, params.lang, pdf)
}

/// Render `data` in `params.lang` and write it where that language goes when `primary`
/// is the pipeline's language (see [`lang_dir`]), replacing that directory whole.
pub fn write_reports_as(
    out: &Path,
    data: &ReportData,
    params: &RenderOptions,
    primary: Lang,
    pdf: bool,
) -> Result<ReportSummary, ReportError> {
    write_report_dir(out, data, &view::Tables::convert(data), params, primary, pdf)
}

/// [`write_reports_as`] from tables converted already (only the period and the manifest
/// of `data` are read).
fn write_report_dir(
    out: &Path,
    data: &ReportData,
    tables: &view::Tables,
    params: &RenderOptions,
    primary: Lang,
    pdf: bool,
) -> Result<ReportSummary, ReportError> {
    let root = out.join(REPORTS_DIR);
    let period_dir = root.join(paths::safe_stem(&data.period));
    let io = |p: &Path, e: std::io::Error| ReportError::from(WarehouseError::io(p, e));
    std::fs::create_dir_all(&root).map_err(|e| io(&root, e))?;
    // What earlier runs left aside (their previous reports, 10⁴ pages each) is listed
    // before this run stages its own and removed while this one renders.
    let mut leftovers = atomic::stale_in(&root);
    let dest = match lang_dir(primary, params.lang) {
        None => period_dir,
        Some(sub) => {
            // Another language lives inside the primary's directory: make that exist (an
            // empty one if the primary was never written) and swap only `<lang>/`.
            std::fs::create_dir_all(&period_dir).map_err(|e| io(&period_dir, e))?;
            leftovers.extend(atomic::stale_in(&period_dir));
            period_dir.join(sub)
        }
    };
    let cleaner = atomic::remove_in_background(leftovers);
    // The staging directory is made in `dest`'s parent: marked, the file system puts it
    // (and so the new pages) away from the inodes of the report just deleted ([`place`]).
    if let Some(parent) = dest.parent() {
        place::spread_subdirectories(parent);
    }
    // Written aside and swapped in whole (the warehouse's one atomic swap): a failed or
    // killed run leaves the previous report as it was, and no stale class page survives.
    let staging = atomic::Staging::new(&dest)?;
    let tmp = staging.path().to_path_buf();
    std::fs::create_dir_all(tmp.join(CLASS_DIR)).map_err(|e| io(&tmp, e))?;
    // Each page is written as soon as it is rendered (10⁴ class pages need not be held).
    let pages = for_each_page(data, tables, params, |rel, html| {
        let p = tmp.join(rel);
        std::fs::write(&p, html).map_err(|e| io(&p, e))
    })?;
    // The previous report is left aside whole, for the next run to remove.
    let (dir, _previous) = staging.commit_keeping_old()?;
    tracing::info!("report: {} swapped in", dir.display());
    // Only waits when removing the leftovers took longer than rendering.
    let _ = cleaner.join();
    let files: Vec<PathBuf> = pages.iter().map(|(rel, _)| dir.join(rel)).collect();
    let pdf = if pdf { pdf::print_all(&files)? } else { PdfOutcome::NotRequested };
    Ok(ReportSummary { lang: params.lang, index: dir.join("index.html"), class_pages: pages.len() - 1, dir, pdf })
}

thread_local! {
    /// The page buffer of a rendering worker (see [`for_each_page`]).
    static PAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Every page as (path relative to the report directory, HTML): `index.html` first.
pub fn render_pages(data: &ReportData, params: &RenderOptions) -> Result<Vec<(PathBuf, String)>, ReportError> {
    for_each_page(data, &view::Tables::convert(data), params, |_, html| Ok(String::from_utf8_lossy(html).into_owned()))
}

/// Render every page and hand each to `emit` with its path relative to the report
/// directory; returns the paths with what `emit` gave, `index.html` first, then the
/// class pages in class order. The class pages are a stream: each is built from its
/// class's rows, rendered and handed to `emit` on one worker, so only the pages in
/// flight (one per worker) are held, never all of them.
fn for_each_page<T: Send>(
    data: &ReportData,
    tables: &view::Tables,
    params: &RenderOptions,
    emit: impl Fn(&Path, &[u8]) -> Result<T, ReportError> + Sync,
) -> Result<Vec<(PathBuf, T)>, ReportError> {
    use rayon::prelude::*;
    let clock = std::time::Instant::now();
    let lap = |what: &str| tracing::info!("report: {what} at {:.2} s", clock.elapsed().as_secs_f64());
    let renderer = render::Renderer::new()?;
    let ctx = view::Ctx::with_tables(data, tables, params);
    lap("tables indexed");
    let index = PathBuf::from("index.html");
    // The annual page is one long page on one worker; the class pages fill the others
    // meanwhile instead of waiting for it.
    let (first, rest) = rayon::join(
        || -> Result<T, ReportError> {
            let first = emit(&index, renderer.annual(&view::annual_view(&ctx, data), params.lang)?.as_bytes())?;
            lap("annual report written");
            Ok(first)
        },
        || -> Result<Vec<(PathBuf, T)>, ReportError> {
            let ids = if params.class_pages { view::class_ids(&ctx) } else { Vec::new() };
            let pages = view::ClassPages::new(&ctx);
            ids.par_iter()
                .map(|id| {
                    let class = pages.build(&ctx, id);
                    let rel = Path::new(CLASS_DIR).join(&class.file_name);
                    // One buffer per worker, reused page after page (a page is ~40 KB).
                    let out = PAGE.with(|buf| match buf.try_borrow_mut() {
                        Ok(mut buf) => {
                            buf.clear();
                            renderer.class_page_into(&class, params.lang, &mut buf)?;
                            emit(&rel, &buf)
                        }
                        // Only if a worker re-entered this closure while rendering.
                        Err(_) => emit(&rel, renderer.class_page(&class, params.lang)?.as_bytes()),
                    })?;
                    Ok((rel, out))
                })
                .collect()
        },
    );
    let (first, rest) = (first?, rest?);
    lap("class pages written");
    Ok(std::iter::once((index, first)).chain(rest).collect())
}
