//! Distributions as horizontal box plots: one row per group, one box per series
//! (e.g. before and after) within the row; light and dark fills, the first hatched.

use plotters::prelude::*;
use serde::Serialize;

use super::layout::{body_height, row_y, rows_chart, value_text};
use super::{canvas, domain, render_err, ReportError, Swatch, DARK, INK, LIGHT, WHITE};

const BOX_ROW_H: u32 = 46;

/// Five numbers of one box (whiskers at the furthest values within 1.5 IQR).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct BoxStats {
    #[serde(serialize_with = "super::round2")]
    pub low: f64,
    #[serde(serialize_with = "super::round2")]
    pub q1: f64,
    #[serde(serialize_with = "super::round2")]
    pub median: f64,
    #[serde(serialize_with = "super::round2")]
    pub q3: f64,
    #[serde(serialize_with = "super::round2")]
    pub high: f64,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoxGroup {
    pub label: String,
    /// One box per series (`None`: withheld or no data).
    pub boxes: Vec<Option<BoxStats>>,
    /// Value column text, e.g. `n = 31`.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoxSpec {
    pub title: String,
    pub subtitle: String,
    pub value_label: String,
    pub category_label: String,
    pub series: Vec<String>,
    pub groups: Vec<BoxGroup>,
    pub domain: Option<(f64, f64)>,
}

pub fn render(spec: &BoxSpec) -> Result<String, ReportError> {
    let n = spec.groups.len();
    let k = spec.series.len().max(1);
    let fills = [(LIGHT, true), (DARK, false), (LIGHT, false)];
    let legend: Vec<(String, Swatch)> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (c, h) = fills[i % fills.len()];
            (s.clone(), Swatch::Fill(c, h))
        })
        .collect();
    let body_h = body_height(n, BOX_ROW_H);
    let (x0, x1) = spec.domain.unwrap_or_else(|| {
        domain(spec.groups.iter().flat_map(|g| g.boxes.iter().flatten().flat_map(|b| [b.low, b.high])), &[])
    });
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &legend, body_h, |body| {
        let mut marks = 0;
        let labels: Vec<String> = spec.groups.iter().map(|g| g.label.clone()).collect();
        let values: Vec<String> = spec.groups.iter().map(|g| g.text.clone()).collect();
        let mut chart = rows_chart(body, &labels, (x0, x1), &spec.value_label, &spec.category_label, &values)?;
        let band = 0.8 / k as f64;
        for (i, group) in spec.groups.iter().enumerate() {
            let centre = row_y(i, n);
            for (j, b) in group.boxes.iter().enumerate() {
                let Some(b) = b else { continue };
                // Series top to bottom within the row.
                let y = centre + 0.4 - band * (j as f64 + 0.5);
                let h = band * 0.36;
                let c = |v: f64| v.clamp(x0, x1);
                let (colour, hatched) = fills[j % fills.len()];
                chart
                    .draw_series([PathElement::new(vec![(c(b.low), y), (c(b.q1), y)], INK.stroke_width(1))])
                    .map_err(e)?;
                chart
                    .draw_series([PathElement::new(vec![(c(b.q3), y), (c(b.high), y)], INK.stroke_width(1))])
                    .map_err(e)?;
                for end in [b.low, b.high] {
                    chart
                        .draw_series([PathElement::new(
                            vec![(c(end), y - h * 0.6), (c(end), y + h * 0.6)],
                            INK.stroke_width(1),
                        )])
                        .map_err(e)?;
                }
                chart
                    .draw_series([Rectangle::new([(c(b.q1), y - h), (c(b.q3), y + h)], colour.filled())])
                    .map_err(e)?;
                if hatched {
                    let a = super::local(body, chart.backend_coord(&(c(b.q1), y + h)));
                    let z = super::local(body, chart.backend_coord(&(c(b.q3), y - h)));
                    super::hatch_rect(body, a, z)?;
                }
                chart
                    .draw_series([Rectangle::new([(c(b.q1), y - h), (c(b.q3), y + h)], INK.stroke_width(1))])
                    .map_err(e)?;
                let median_colour = if colour == DARK { WHITE } else { INK };
                chart
                    .draw_series([PathElement::new(
                        vec![(c(b.median), y - h), (c(b.median), y + h)],
                        median_colour.stroke_width(3),
                    )])
                    .map_err(e)?;
                marks += 1;
            }
            value_text(body, &chart, x1, i, n, &group.text)?;
        }
        Ok(marks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    #[test]
    fn draws_boxes_per_series() {
        let b = BoxStats { low: 40.0, q1: 55.0, median: 62.0, q3: 70.0, high: 88.0, n: 40 };
        let spec = BoxSpec {
            title: "训前与训后得分分布".into(),
            subtitle: "n = 80".into(),
            value_label: "得分（分，0–100）".into(),
            category_label: "干部类别".into(),
            series: vec!["训前".into(), "训后".into()],
            groups: vec![
                BoxGroup { label: "公务员".into(), boxes: vec![Some(b), Some(b)], text: "n = 40".into() },
                BoxGroup { label: "女干部".into(), boxes: vec![None, Some(b)], text: "—".into() },
            ],
            domain: Some((0.0, 100.0)),
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["训前与训后得分分布", "得分（分，0–100）", "干部类别", "公务员", "训后"], 3);
    }
}
