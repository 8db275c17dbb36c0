//! Before/after per row: an open circle for the first value, a filled square for the
//! second, joined by a line (pre → post mean by class).

use plotters::prelude::*;
use serde::Serialize;

use super::layout::{body_height, row_y, rows_chart, value_text, ROW_H};
use super::{canvas, domain, render_err, ReportError, Swatch, DARK, MUTED, WHITE};

#[derive(Debug, Clone, Serialize)]
pub struct DumbbellRow {
    pub label: String,
    #[serde(serialize_with = "super::round2")]
    pub from: f64,
    #[serde(serialize_with = "super::round2")]
    pub to: f64,
    /// Value column text, e.g. `+4.2 (n = 31)`.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DumbbellSpec {
    pub title: String,
    pub subtitle: String,
    pub value_label: String,
    pub category_label: String,
    pub from_label: String,
    pub to_label: String,
    pub rows: Vec<DumbbellRow>,
    pub domain: Option<(f64, f64)>,
}

pub fn render(spec: &DumbbellSpec) -> Result<String, ReportError> {
    let n = spec.rows.len();
    let legend =
        vec![(spec.from_label.clone(), Swatch::OpenCircle), (spec.to_label.clone(), Swatch::FilledSquare(DARK))];
    let body_h = body_height(n, ROW_H);
    let (x0, x1) = spec.domain.unwrap_or_else(|| domain(spec.rows.iter().flat_map(|r| [r.from, r.to]), &[]));
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &legend, body_h, |body| {
        let labels: Vec<String> = spec.rows.iter().map(|r| r.label.clone()).collect();
        let values: Vec<String> = spec.rows.iter().map(|r| r.text.clone()).collect();
        let mut chart = rows_chart(body, &labels, (x0, x1), &spec.value_label, &spec.category_label, &values)?;
        for (i, row) in spec.rows.iter().enumerate() {
            let y = row_y(i, n);
            let (a, b) = (row.from.clamp(x0, x1), row.to.clamp(x0, x1));
            chart.draw_series([PathElement::new(vec![(a, y), (b, y)], MUTED.stroke_width(3))]).map_err(e)?;
            chart.draw_series([EmptyElement::at((a, y)) + Circle::new((0, 0), 5, WHITE.filled())]).map_err(e)?;
            chart.draw_series([EmptyElement::at((a, y)) + Circle::new((0, 0), 5, DARK.stroke_width(2))]).map_err(e)?;
            chart
                .draw_series([EmptyElement::at((b, y)) + Rectangle::new([(-5, -5), (5, 5)], DARK.filled())])
                .map_err(e)?;
            value_text(body, &chart, x1, i, n, &row.text)?;
        }
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    #[test]
    fn draws_rows_with_legend() {
        let spec = DumbbellSpec {
            title: "各班训前与训后平均得分".into(),
            subtitle: "n = 58".into(),
            value_label: "得分（分，0–100）".into(),
            category_label: "培训班".into(),
            from_label: "训前".into(),
            to_label: "训后".into(),
            rows: vec![
                DumbbellRow { label: "甲班".into(), from: 60.0, to: 68.5, text: "+8.5 (n = 30)".into() },
                DumbbellRow { label: "乙班".into(), from: 62.0, to: 61.0, text: "−1.0 (n = 28)".into() },
            ],
            domain: None,
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["各班训前与训后平均得分", "得分（分，0–100）", "训前", "训后", "甲班", "n = 58"], 2);
        assert!(svg.contains("<circle"));
    }
}
