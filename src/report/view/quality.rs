//! The appendices: the methodology (every formula and convention, with this run's
//! parameters) and the data quality (rows read, accepted, rejected by reason, per input).

use serde::Serialize;

use super::format;
use super::{Body, Cell, Ctx, Na, TableRow, TableView};
use crate::schema::TableKind;

#[derive(Debug, Clone, Serialize)]
pub struct MethodItem {
    pub title: String,
    pub body: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodologyView {
    pub intro: String,
    pub items: Vec<MethodItem>,
}

pub(super) fn methodology(ctx: &Ctx<'_>) -> MethodologyView {
    let cat = &ctx.cat;
    let p = ctx.params;
    let s = &p.compliance;
    let w = &p.scorecard.weights;
    let item = |key: &str, body: Vec<String>| MethodItem { title: cat.get(&format!("mt.{key}.t")), body };
    let plain = |key: &str| vec![cat.get(&format!("mt.{key}.b"))];
    let leave_share = if (s.max_leave_share - 1.0 / 7.0).abs() < 1e-9 {
        "1/7".to_string()
    } else {
        format::pct(Some(s.max_leave_share))
    };
    let mut compliance = vec![cat.fmt(
        "mt.compliance.b",
        &[
            ("preset", &cat.code("preset", &s.preset)),
            ("hours_per_day", &s.hours_per_day),
            ("leave_share", &leave_share),
            ("rotation_years", &s.rotation_years),
            ("repeat_years", &s.repeat_window_years),
        ],
    )];
    compliance.push(cat.get(&format!("mt.preset.{}", s.preset)));
    if !s.rules.is_empty() {
        let rules: Vec<String> = s
            .rules
            .iter()
            .map(|r| {
                let hours = r.min_hours.map(|h| cat.fmt("mt.rule_hours", &[("hours", &h)])).unwrap_or_default();
                let mut text = cat.fmt(
                    "mt.rule",
                    &[("name", &r.name), ("window", &r.window_years), ("days", &r.min_days), ("hours", &hours)],
                );
                if !r.categories.is_empty() {
                    let who: Vec<String> = r.categories.iter().map(|c| ctx.category(c)).collect();
                    text.push_str(&cat.fmt("mt.rule_for", &[("who", &who.join(", "))]));
                }
                text
            })
            .collect();
        compliance.push(cat.fmt("mt.rules", &[("rules", &rules.join("; "))]));
    }
    let bands: Vec<String> = p.scorecard.bands.iter().map(|b| format!("{b}")).collect();
    MethodologyView {
        intro: cat.get("mt.intro"),
        items: vec![
            item("scores", plain("scores")),
            item("reaction", plain("reaction")),
            item("learning", plain("learning")),
            item("reliability", plain("reliability")),
            item("raters", plain("raters")),
            item(
                "transfer",
                vec![
                    cat.fmt("mt.transfer.b", &[("lag", &p.follow_up_lag_days), ("washout", &p.washout_years)]),
                    cat.get("tr.method_checks"),
                ],
            ),
            item("followup", plain("followup")),
            item("methods", vec![cat.fmt("mt.methods.b", &[("min_classes", &p.min_classes)])]),
            item("inference", plain("inference")),
            item("compliance", compliance),
            item("needs", plain("needs")),
            item(
                "scorecard",
                vec![cat.fmt(
                    "mt.scorecard.b",
                    &[
                        ("w_learning", &w.learning),
                        ("w_assessment", &w.assessment),
                        ("w_transfer", &w.transfer),
                        ("w_compliance", &w.compliance),
                        ("bands", &bands.join(" / ")),
                        ("min_rel", &crate::indicators::scorecard::MIN_BAND_RELIABILITY),
                    ],
                )],
            ),
            item(
                "suppression",
                vec![cat.fmt(
                    "mt.suppression.b",
                    &[("min_cell", &p.min_cell), ("min_distribution_n", &p.min_distribution_n)],
                )],
            ),
            item("significance", vec![cat.fmt("mt.significance.b", &[("alpha", &p.alpha), ("level", &ctx.level)])]),
            item("references", plain("references")),
        ],
    }
}

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let m = ctx.manifest.ok_or_else(|| Na(cat.get("dq.no_manifest")))?;
    let mut body = Body::new(cat.get("dq.intro"));
    if m.pseudonymised {
        body.intro.push(cat.get("dq.pseudonymised"));
    }
    let mut counts = TableView::new(
        cat.get("dq.table_counts"),
        &[
            ("col.input", false),
            ("col.read", true),
            ("col.accepted", true),
            ("col.rejected", true),
            ("col.superseded", true),
            ("col.written", true),
            ("col.reject_share", true),
        ],
        cat,
    );
    let mut reasons = TableView::new(
        cat.get("dq.table_reasons"),
        &[("col.input", false), ("col.reason", false), ("col.count", true)],
        cat,
    );
    let (mut read, mut accepted, mut rejected, mut superseded, mut written) = (0, 0, 0, 0, 0);
    let mut tables: Vec<(&String, &crate::warehouse::manifest::ManifestCounts)> = m.tables.iter().collect();
    tables.sort_by_key(|(name, _)| (TableKind::from_name(name).map_or(usize::MAX, |k| k.order()), name.to_string()));
    for (name, t) in tables {
        let label = input_label(ctx, name);
        let share = (t.read > 0).then(|| t.rejected as f64 / t.read as f64);
        counts.push(
            vec![
                Cell::text(label.clone()),
                Cell::num(format::int(t.read)),
                Cell::num(format::int(t.accepted)),
                Cell::num(format::int(t.rejected)).strong(t.rejected > 0),
                Cell::num(format::int(t.superseded)),
                Cell::num(format::int(t.written)),
                Cell::num(format::pct(share)),
            ],
            false,
        );
        for (reason, k) in &t.rejected_by_reason {
            reasons.push(
                vec![Cell::text(label.clone()), Cell::text(cat.code("reason", reason)), Cell::num(format::int(*k))],
                false,
            );
        }
        read += t.read;
        accepted += t.accepted;
        rejected += t.rejected;
        superseded += t.superseded;
        written += t.written;
    }
    let share = (read > 0).then(|| rejected as f64 / read as f64);
    counts.push_row(TableRow {
        cells: vec![
            Cell::text(cat.get("co.total")),
            Cell::num(format::int(read)),
            Cell::num(format::int(accepted)),
            Cell::num(format::int(rejected)),
            Cell::num(format::int(superseded)),
            Cell::num(format::int(written)),
            Cell::num(format::pct(share)),
        ],
        suppressed: false,
        total: true,
    });
    body.finding(cat.fmt(
        "dq.reading",
        &[
            ("read", &format::int(read)),
            ("accepted", &format::int(accepted)),
            ("rejected", &format::int(rejected)),
            ("share", &format::pct(share)),
            ("superseded", &format::int(superseded)),
        ],
    ));
    body.table(counts);
    if reasons.rows.is_empty() {
        body.para(cat.get("dq.none_rejected"));
    } else {
        body.table(reasons);
    }
    let mut files = TableView::new(
        cat.get("dq.table_files"),
        &[("col.file", false), ("col.input", false), ("col.count", true), ("col.encoding", false), ("col.sha", false)],
        cat,
    );
    for f in &m.inputs {
        files.push(
            vec![
                Cell::code(f.path.clone()),
                Cell::text(input_label(ctx, &f.table)),
                Cell::num(format::int(f.rows)),
                Cell::text(encoding(ctx, &f.encoding)),
                Cell::code(f.sha256.chars().take(12).collect::<String>()),
            ],
            false,
        );
    }
    body.table(files);
    let notes: Vec<String> = m.warnings.iter().filter_map(|w| warning(ctx, w)).collect();
    if !notes.is_empty() {
        body.para(cat.get("dq.warnings_intro"));
        for w in notes {
            body.para(cat.fmt("dq.warning", &[("text", &w)]));
        }
    }
    Ok(body)
}

/// An input in words: `survey_pre` → "训前问卷" / "pre-training survey".
fn input_label(ctx: &Ctx<'_>, name: &str) -> String {
    ctx.cat.code("table", name)
}

/// A source encoding in words (`spreadsheet` → an Excel workbook; `gb18030` → GB18030).
fn encoding(ctx: &Ctx<'_>, code: &str) -> String {
    let label = ctx.cat.code("encoding", code);
    if label == code {
        code.to_uppercase()
    } else {
        label
    }
}

/// A build warning of the manifest in the report's language. The validation stage
/// writes a few kinds of warning (`src/validate/`); each is recognised by its wording
/// and retold with its file and figures. The missing-input warnings are left out: the
/// report says what is missing before its headline figures. A warning of another kind
/// is kept as written, so nothing is lost.
pub(super) fn warning(ctx: &Ctx<'_>, w: &str) -> Option<String> {
    let cat = &ctx.cat;
    if w.starts_with("no `") {
        return None;
    }
    // "<file or table>: <what>"; item lists come after a second ": ".
    let (file, rest) = w.split_once(": ").unwrap_or((w, ""));
    if let Some(n) = rest.strip_suffix(" earlier submission(s) superseded by a later one") {
        return Some(cat.fmt("dq.w_superseded", &[("file", &file), ("n", &group(n))]));
    }
    if let Some(list) = rest.strip_prefix("item columns absent, answers taken as missing: ") {
        let items = list.split(", ").collect::<Vec<_>>().join(&cat.get("doc.list_sep"));
        return Some(cat.fmt("dq.w_items_absent", &[("file", &file), ("items", &items)]));
    }
    if let Some((n, list)) = rest.split_once(" column(s) not in `items` ignored: ") {
        let columns = list.split(", ").collect::<Vec<_>>().join(&cat.get("doc.list_sep"));
        return Some(cat.fmt("dq.w_extra_columns", &[("file", &file), ("n", &group(n)), ("columns", &columns)]));
    }
    // "<table>: no `<input>` input, so its references to <input> are not checked"
    if let Some(input) =
        rest.strip_prefix("no `").and_then(|r| r.split_once("` input, so its references to")).map(|(i, _)| i)
    {
        return Some(
            cat.fmt("dq.w_unchecked_refs", &[("table", &input_label(ctx, file)), ("input", &input_label(ctx, input))]),
        );
    }
    Some(w.to_string())
}

/// A count in a warning, grouped by thousands when it is a number.
fn group(n: &str) -> String {
    n.trim().parse::<u64>().map(format::int).unwrap_or_else(|_| n.to_string())
}
