//! A trajectory over ordered waves: one line per series with markers, CI whiskers
//! and the n of each point; the x axis is categorical (pre, post, 3/6/12 months).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{
    anchored, canvas, domain, draw_marker, muted, render_err, Marker, ReportError, Swatch, INK,
};

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct LinePoint {
    #[serde(serialize_with = "super::round2")]
    pub value: f64,
    #[serde(serialize_with = "super::round2_pair")]
    pub ci: Option<(f64, f64)>,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineSeries {
    pub name: String,
    /// One point per x label; `None` where withheld or absent.
    pub points: Vec<Option<LinePoint>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineSpec {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    pub x_ticks: Vec<String>,
    pub series: Vec<LineSeries>,
    pub domain: Option<(f64, f64)>,
}

pub fn render(spec: &LineSpec) -> Result<String, ReportError> {
    let legend: Vec<(String, Swatch)> = if spec.series.len() > 1 {
        spec.series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), Swatch::Line(super::series_colour(i), Marker::nth(i))))
            .collect()
    } else {
        Vec::new()
    };
    let body_h = 340;
    let (y0, y1) = spec.domain.unwrap_or_else(|| {
        domain(
            spec.series.iter().flat_map(|s| {
                s.points.iter().flatten().flat_map(|p| {
                    let (lo, hi) = p.ci.unwrap_or((p.value, p.value));
                    [p.value, lo, hi]
                })
            }),
            &[],
        )
    });
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &legend, body_h, |body| {
        let mut marks = 0;
        let mut chart = super::category_axes(
            body,
            &spec.title,
            12,
            (spec.x_label.as_str(), spec.y_label.as_str()),
            &spec.x_ticks,
            (y0, y1),
        )?;
        let offset = |j: usize| (j as f64 - (spec.series.len() as f64 - 1.0) / 2.0) * 0.06;
        for (j, series) in spec.series.iter().enumerate() {
            let colour = super::series_colour(j);
            let pts: Vec<(usize, LinePoint)> =
                series.points.iter().enumerate().filter_map(|(i, p)| p.map(|p| (i, p))).collect();
            // Lines join consecutive available points only.
            for w in pts.windows(2) {
                let (a, b) = (w[0], w[1]);
                let style = if b.0 == a.0 + 1 { colour.stroke_width(2) } else { colour.mix(0.5).stroke_width(1) };
                chart
                    .draw_series([PathElement::new(
                        vec![(a.0 as f64 + offset(j), a.1.value), (b.0 as f64 + offset(j), b.1.value)],
                        style,
                    )])
                    .map_err(e)?;
            }
            for (i, p) in &pts {
                let x = *i as f64 + offset(j);
                if let Some((lo, hi)) = p.ci {
                    let (lo, hi) = (lo.clamp(y0, y1), hi.clamp(y0, y1));
                    chart.draw_series([PathElement::new(vec![(x, lo), (x, hi)], INK.stroke_width(1))]).map_err(e)?;
                    for end in [lo, hi] {
                        chart
                            .draw_series([PathElement::new(
                                vec![(x - 0.05, end), (x + 0.05, end)],
                                INK.stroke_width(1),
                            )])
                            .map_err(e)?;
                    }
                }
                let c = super::local(body, chart.backend_coord(&(x, p.value.clamp(y0, y1))));
                draw_marker(body, Marker::nth(j), colour, c)?;
                let label = format!("{} (n = {})", super::tick(&((p.value * 10.0).round() / 10.0)), p.n);
                body.draw(&Text::new(label, (c.0 + 10, c.1), anchored(muted(11), HPos::Left, VPos::Center)))
                    .map_err(e)?;
                marks += 1;
            }
        }
        Ok(marks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    #[test]
    fn draws_points_lines_and_ticks() {
        let p = |v: f64, n| Some(LinePoint { value: v, ci: Some((v - 2.0, v + 2.0)), n });
        let spec = LineSpec {
            title: "训后能力保持轨迹".into(),
            subtitle: "n = 120".into(),
            x_label: "测量时点".into(),
            y_label: "得分（分，0–100）".into(),
            x_ticks: vec!["训前".into(), "训后".into(), "训后 3 个月".into()],
            series: vec![LineSeries { name: "全体学员".into(), points: vec![p(60.0, 120), p(68.0, 118), None] }],
            domain: None,
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["训后能力保持轨迹", "测量时点", "得分（分，0–100）", "训后 3 个月", "n = 118"], 2);
    }
}
