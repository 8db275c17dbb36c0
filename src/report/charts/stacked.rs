//! 100 % stacked horizontal bars: the composition of each group (e.g. cadres who met
//! the hour requirement, fell short, or had no training), with shares printed inside.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::layout::{body_height, row_y, rows_chart, value_text, ROW_H};
use super::{anchored, canvas, font, render_err, ReportError, Swatch, DARK, LIGHT, MID, WHITE};

#[derive(Debug, Clone, Serialize)]
pub struct StackedRow {
    pub label: String,
    /// Shares in percent, one per segment, summing to 100.
    #[serde(serialize_with = "round_all")]
    pub shares: Vec<f64>,
    /// Value column text, e.g. `n = 120`.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StackedSpec {
    pub title: String,
    pub subtitle: String,
    pub value_label: String,
    pub category_label: String,
    pub segments: Vec<String>,
    pub rows: Vec<StackedRow>,
}

fn round_all<S: serde::Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    v.iter().map(|x| (x * 100.0).round() / 100.0).collect::<Vec<_>>().serialize(s)
}

/// Segment fills: dark, mid, light hatched — distinct in greyscale.
const FILLS: [(RGBColor, bool); 3] = [(DARK, false), (MID, false), (LIGHT, true)];

pub fn render(spec: &StackedSpec) -> Result<String, ReportError> {
    let n = spec.rows.len();
    let legend: Vec<(String, Swatch)> = spec
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (c, h) = FILLS[i % FILLS.len()];
            (s.clone(), Swatch::Fill(c, h))
        })
        .collect();
    let body_h = body_height(n, ROW_H + 4);
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &legend, body_h, |body| {
        let mut marks = 0;
        let labels: Vec<String> = spec.rows.iter().map(|r| r.label.clone()).collect();
        let values: Vec<String> = spec.rows.iter().map(|r| r.text.clone()).collect();
        let mut chart = rows_chart(body, &labels, (0.0, 100.0), &spec.value_label, &spec.category_label, &values)?;
        for (i, row) in spec.rows.iter().enumerate() {
            let y = row_y(i, n);
            let mut start = 0.0;
            for (j, share) in row.shares.iter().enumerate() {
                if *share <= 0.0 {
                    continue;
                }
                let end = (start + share).min(100.0);
                let (colour, hatched) = FILLS[j % FILLS.len()];
                chart
                    .draw_series([Rectangle::new([(start, y - 0.34), (end, y + 0.34)], colour.filled())])
                    .map_err(e)?;
                let a = super::local(body, chart.backend_coord(&(start, y + 0.34)));
                let z = super::local(body, chart.backend_coord(&(end, y - 0.34)));
                if hatched {
                    super::hatch_rect(body, a, z)?;
                }
                chart
                    .draw_series([Rectangle::new([(start, y - 0.34), (end, y + 0.34)], WHITE.stroke_width(1))])
                    .map_err(e)?;
                let label = format!("{:.0}%", share);
                if (z.0 - a.0) as f64 > super::text_width(&label, 11.0) + 8.0 {
                    let style = if colour == DARK { font(11).color(&WHITE) } else { font(11) };
                    let style = anchored(style, HPos::Center, VPos::Center);
                    let (cx, cy) = super::local(body, chart.backend_coord(&((start + end) / 2.0, y)));
                    body.draw(&Text::new(label, (cx, cy), style)).map_err(e)?;
                }
                marks += 1;
                start = end;
            }
            value_text(body, &chart, 100.0, i, n, &row.text)?;
        }
        Ok(marks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    #[test]
    fn draws_segments_with_shares() {
        let spec = StackedSpec {
            title: "各类别干部学时达标情况".into(),
            subtitle: "n = 300".into(),
            value_label: "干部占比（%）".into(),
            category_label: "干部类别".into(),
            segments: vec!["达标".into(), "未达标".into(), "未参训".into()],
            rows: vec![
                StackedRow { label: "公务员".into(), shares: vec![60.0, 25.0, 15.0], text: "n = 200".into() },
                StackedRow { label: "中层干部".into(), shares: vec![80.0, 20.0, 0.0], text: "n = 100".into() },
            ],
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["各类别干部学时达标情况", "干部占比（%）", "干部类别", "60%", "未参训"], 5);
    }
}
