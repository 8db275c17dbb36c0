//! Means with confidence-interval whiskers (a forest plot), or plain bars, one row
//! per item; used for course ratings, gains by class/category/method, the DiD by
//! class and needs coverage.

use plotters::prelude::*;
use serde::Serialize;

use super::layout::{body_height, row_y, rows_chart, value_text, ROW_H};
use super::{canvas, domain, render_err, ReportError, Swatch, DARK, INK, LIGHT, MUTED};

/// One row.
#[derive(Debug, Clone, Serialize)]
pub struct BarItem {
    pub label: String,
    #[serde(serialize_with = "super::round2")]
    pub value: f64,
    /// Lower and upper ends of the interval, when there is one.
    #[serde(serialize_with = "super::round2_pair")]
    pub ci: Option<(f64, f64)>,
    /// Text in the value column, e.g. `72.4 (n = 31)`.
    pub text: String,
}

/// Draw as bars from the axis origin, or as points with whiskers.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BarStyle {
    Bars,
    Points,
}

#[derive(Debug, Clone, Serialize)]
pub struct BarCiSpec {
    pub title: String,
    /// Carries the n, e.g. `n = 412 trainees in 12 classes; whiskers: 95 % CI`.
    pub subtitle: String,
    /// Description of the value axis, with its unit.
    pub value_label: String,
    /// Name of the category axis (shown above the row labels).
    pub category_label: String,
    pub items: Vec<BarItem>,
    pub style: BarStyle,
    /// A vertical reference line (e.g. 0 for differences).
    pub reference: Option<f64>,
    /// Fixed axis range (e.g. 0–100 for percentages); else from the data.
    pub domain: Option<(f64, f64)>,
    /// Legend entry for the points / bars.
    pub legend: Option<String>,
}

pub fn render(spec: &BarCiSpec) -> Result<String, ReportError> {
    let n = spec.items.len();
    let legend: Vec<(String, Swatch)> = spec
        .legend
        .iter()
        .map(|l| {
            let swatch = match spec.style {
                BarStyle::Bars => Swatch::Fill(LIGHT, false),
                BarStyle::Points => Swatch::FilledSquare(DARK),
            };
            (l.clone(), swatch)
        })
        .collect();
    let body_h = body_height(n, ROW_H);
    let (x0, x1) = spec.domain.unwrap_or_else(|| {
        let values = spec.items.iter().flat_map(|i| {
            let (lo, hi) = i.ci.unwrap_or((i.value, i.value));
            [i.value, lo, hi]
        });
        let include: Vec<f64> =
            spec.reference.into_iter().chain(matches!(spec.style, BarStyle::Bars).then_some(0.0)).collect();
        domain(values, &include)
    });
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &legend, body_h, |body| {
        let labels: Vec<String> = spec.items.iter().map(|i| i.label.clone()).collect();
        let values: Vec<String> = spec.items.iter().map(|i| i.text.clone()).collect();
        let mut chart = rows_chart(body, &labels, (x0, x1), &spec.value_label, &spec.category_label, &values)?;
        if let Some(r) = spec.reference {
            chart
                .draw_series(DashedLineSeries::new([(r, -0.5), (r, n as f64 - 0.5)], 5, 4, MUTED.stroke_width(1)))
                .map_err(e)?;
        }
        for (i, item) in spec.items.iter().enumerate() {
            let y = row_y(i, n);
            let clamp = |v: f64| v.clamp(x0, x1);
            match spec.style {
                BarStyle::Bars => {
                    let base = spec.reference.unwrap_or(0.0f64.clamp(x0, x1));
                    chart
                        .draw_series([Rectangle::new(
                            [(base, y - 0.32), (clamp(item.value), y + 0.32)],
                            LIGHT.filled(),
                        )])
                        .map_err(e)?;
                    chart
                        .draw_series([Rectangle::new(
                            [(base, y - 0.32), (clamp(item.value), y + 0.32)],
                            DARK.stroke_width(1),
                        )])
                        .map_err(e)?;
                }
                BarStyle::Points => {}
            }
            if let Some((lo, hi)) = item.ci {
                let (lo, hi) = (clamp(lo), clamp(hi));
                chart.draw_series([PathElement::new(vec![(lo, y), (hi, y)], INK.stroke_width(2))]).map_err(e)?;
                for end in [lo, hi] {
                    chart
                        .draw_series([PathElement::new(vec![(end, y - 0.22), (end, y + 0.22)], INK.stroke_width(2))])
                        .map_err(e)?;
                }
            }
            if spec.style == BarStyle::Points {
                chart
                    .draw_series([
                        EmptyElement::at((clamp(item.value), y)) + Rectangle::new([(-5, -5), (5, 5)], DARK.filled())
                    ])
                    .map_err(e)?;
            }
            value_text(body, &chart, x1, i, n, &item.text)?;
        }
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    fn spec(style: BarStyle) -> BarCiSpec {
        BarCiSpec {
            title: "各培训方式的平均学习增益".into(),
            subtitle: "n = 120".into(),
            value_label: "增益（分）".into(),
            category_label: "培训方式".into(),
            items: vec![
                BarItem { label: "集中授课".into(), value: 4.2, ci: Some((2.0, 6.4)), text: "4.2 (n = 60)".into() },
                BarItem { label: "<script>x</script>".into(), value: -1.0, ci: None, text: "−1.0 (n = 60)".into() },
            ],
            style,
            reference: Some(0.0),
            domain: None,
            legend: Some("均值".into()),
        }
    }

    #[test]
    fn draws_points_with_whiskers_and_labels() {
        let svg = render(&spec(BarStyle::Points)).unwrap();
        assert_chart(&svg, &["各培训方式的平均学习增益", "增益（分）", "培训方式", "n = 120", "集中授课"], 2);
        assert!(!svg.contains("<script>"), "labels must be escaped");
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn draws_bars() {
        let mut s = spec(BarStyle::Bars);
        s.domain = Some((0.0, 100.0));
        s.reference = None;
        let svg = render(&s).unwrap();
        assert_chart(&svg, &["4.2 (n = 60)"], 2);
        assert!(svg.contains("<rect"));
    }
}
