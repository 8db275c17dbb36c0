//! Reports and exports: indicator tables → self-contained HTML reports with SVG
//! charts (PDF optional), and the per-cadre scorecard for assessment systems.
//!
//! **In:** `OUT/indicators/<table>.parquet` (SPEC Appendix B; a missing table or
//! column empties its section, it does not fail the report), the warehouse's
//! `_manifest.json` and its `classes`, `courses`, `enrollments` and
//! `trainee_outcomes` tables.
//! **Out:** `OUT/reports/<period>/index.html` (the annual evaluation report) and
//! `OUT/reports/<period>/class/<class_id>.html` (one per class); with `--pdf`, a
//! `.pdf` beside each. `OUT/exports/assessment.{xlsx,csv}` from
//! [`export_assessment`].
//!
//! **How:** [`view`] builds `Serialize` view models (numbers formatted, labels from
//! the one catalogue in [`i18n`], suppressed cells as "—"); [`charts`] draws each
//! chart spec as SVG with `plotters`; [`render`] lays the views out with minijinja
//! templates (HTML auto-escaping on). No JavaScript, no network, no time stamp:
//! the same data give the same bytes.
//!
//! **Guarantees:** every file is written under `OUT/reports/<period>/` (period and
//! class ids pass through [`paths`]); the report directory is replaced as a whole,
//! so no stale class page survives a re-run; cells under `min_cell` people never
//! reach a chart, a ranking or a published total.

pub mod assessment;
pub mod cadre_file;
pub mod charts;
pub mod columns;
pub mod frame;
pub mod i18n;
pub mod load;
pub mod paths;
pub mod pdf;
pub mod render;
pub mod view;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use assessment::ExportSummary;
pub use i18n::Lang;
pub use pdf::PdfOutcome;
pub use view::{Params, ReportData};

use crate::config::Job;
use crate::error::{ReportError, WarehouseError};

/// Directory of the reports under OUT.
pub const REPORTS_DIR: &str = "reports";
/// Directory of the class pages under a report.
pub const CLASS_DIR: &str = "class";

/// What `render_reports` wrote.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// `OUT/reports/<period>/`.
    pub dir: PathBuf,
    pub index: PathBuf,
    pub class_pages: usize,
    pub pdf: PdfOutcome,
}

/// `traineval report`: read `OUT/indicators` and `OUT/warehouse`, write
/// `OUT/reports/<period>/…` in `lang`; with `pdf`, print each page to PDF when a
/// headless Chromium is installed.
pub fn render_reports(out: &Path, job: &Job, lang: Lang, pdf: bool) -> Result<ReportSummary, ReportError> {
    let clock = std::time::Instant::now();
    let data = load::load(out, job.period.as_deref())?;
    tracing::info!("report: inputs read in {:.2} s", clock.elapsed().as_secs_f64());
    let params = Params::from_job(job, lang);
    write_reports(out, &data, &params, pdf)
}

/// Render `data` and write the report directory under `out`.
pub fn write_reports(out: &Path, data: &ReportData, params: &Params, pdf: bool) -> Result<ReportSummary, ReportError> {
    let root = out.join(REPORTS_DIR);
    let dest = root.join(paths::safe_stem(&data.period));
    let io = |p: &Path, e: std::io::Error| ReportError::from(WarehouseError::io(p, e));
    std::fs::create_dir_all(&root).map_err(|e| io(&root, e))?;
    crate::warehouse::atomic::clean_stale_in(&root);
    // Written aside and swapped in whole (the warehouse's one atomic swap): a failed or
    // killed run leaves the previous report as it was, and no stale class page survives.
    let staging = crate::warehouse::atomic::Staging::new(&dest)?;
    let tmp = staging.path().to_path_buf();
    std::fs::create_dir_all(tmp.join(CLASS_DIR)).map_err(|e| io(&tmp, e))?;
    // Each page is written as soon as it is rendered (10⁴ class pages need not be held).
    let pages = for_each_page(data, params, |rel, html| {
        let p = tmp.join(rel);
        std::fs::write(&p, html).map_err(|e| io(&p, e))
    })?;
    let dir = staging.commit()?;
    let files: Vec<PathBuf> = pages.iter().map(|(rel, _)| dir.join(rel)).collect();
    let pdf = if pdf { pdf::print_all(&files)? } else { PdfOutcome::NotRequested };
    Ok(ReportSummary { index: dir.join("index.html"), class_pages: pages.len() - 1, dir, pdf })
}

/// Every page as (path relative to the report directory, HTML): `index.html` first.
pub fn render_pages(data: &ReportData, params: &Params) -> Result<Vec<(PathBuf, String)>, ReportError> {
    for_each_page(data, params, |_, html| Ok(html))
}

/// Render every page (the class pages in parallel) and hand each to `emit` with its
/// path relative to the report directory; returns the paths with what `emit` gave,
/// `index.html` first, then the class pages in class order.
fn for_each_page<T: Send>(
    data: &ReportData,
    params: &Params,
    emit: impl Fn(&Path, String) -> Result<T, ReportError> + Sync,
) -> Result<Vec<(PathBuf, T)>, ReportError> {
    use rayon::prelude::*;
    let clock = std::time::Instant::now();
    let lap = |what: &str| tracing::info!("report: {what} at {:.2} s", clock.elapsed().as_secs_f64());
    let renderer = render::Renderer::new()?;
    let (annual, classes) = view::build(data, params);
    lap("views built");
    let index = PathBuf::from("index.html");
    let first = emit(&index, renderer.annual(&annual, params.lang)?)?;
    lap("annual report written");
    let rest: Vec<(PathBuf, T)> = classes
        .par_iter()
        .map(|class| {
            let rel = Path::new(CLASS_DIR).join(&class.file_name);
            let out = emit(&rel, renderer.class_page(class, params.lang)?)?;
            Ok((rel, out))
        })
        .collect::<Result<_, ReportError>>()?;
    lap("class pages written");
    Ok(std::iter::once((index, first)).chain(rest).collect())
}

/// `traineval export --for assessment`, in the office's words of `[report] lang`.
pub fn export_assessment(out: &Path, job: &Job) -> Result<ExportSummary, ReportError> {
    let labels = crate::export::labels::Labels::new(job, Lang::from_code(&job.settings.report.lang).unwrap_or(Lang::Zh));
    assessment::export_assessment(out, &job.settings.scorecard, &labels)
}
