//! A trajectory over ordered waves: one line per series with markers, CI whiskers
//! and the n of each point; the x axis is categorical (pre, post, 3/6/12 months).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{anchored, canvas, domain, draw_marker, muted, render_err, Marker, ReportError, Swatch, INK};

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
        let (lo, hi) = domain(
            spec.series.iter().flat_map(|s| {
                s.points.iter().flatten().flat_map(|p| {
                    let (lo, hi) = p.ci.unwrap_or((p.value, p.value));
                    [p.value, lo, hi]
                })
            }),
            &[],
        );
        // Room above and below the data for the two-line labels.
        let pad = (hi - lo) * 0.12;
        (lo - pad, hi + pad)
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
        let top_px = super::local(body, chart.backend_coord(&(0.0, y1))).1;
        let bottom_px = super::local(body, chart.backend_coord(&(0.0, y0))).1;
        // Labels start clear of the whisker caps (±0.05 of a category: wide when the
        // categories are few).
        let cap_px = super::local(body, chart.backend_coord(&(CAP, y0))).0
            - super::local(body, chart.backend_coord(&(0.0, y0))).0;
        let gap = cap_px.max(4) + 5;
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
            for (k, (i, p)) in pts.iter().enumerate() {
                let x = *i as f64 + offset(j);
                if let Some((lo, hi)) = p.ci {
                    let (lo, hi) = (lo.clamp(y0, y1), hi.clamp(y0, y1));
                    chart.draw_series([PathElement::new(vec![(x, lo), (x, hi)], INK.stroke_width(1))]).map_err(e)?;
                    for end in [lo, hi] {
                        chart
                            .draw_series([PathElement::new(vec![(x - CAP, end), (x + CAP, end)], INK.stroke_width(1))])
                            .map_err(e)?;
                    }
                }
                let c = super::local(body, chart.backend_coord(&(x, p.value.clamp(y0, y1))));
                draw_marker(body, Marker::nth(j), colour, c)?;
                let neighbour = pts.get(k + 1).or_else(|| k.checked_sub(1).and_then(|k| pts.get(k))).map(|q| q.1.value);
                let place = label_place(c, p.value, neighbour, k + 1 < pts.len(), (top_px, bottom_px));
                draw_label(body, c, place, p, gap)?;
                marks += 1;
            }
        }
        Ok(marks)
    })
}

/// Where a point's label goes: beside the point on the side of its next point (or,
/// for the last, of its previous one), clear of the whisker's caps, and above or below
/// the point so that the segment to that neighbour runs away from it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place {
    right: bool,
    above: bool,
}

/// Half the width of a whisker's cap, in categories.
const CAP: f64 = 0.05;

/// Height of the two label lines in pixels, with the gap to the point.
const LABEL_H: i32 = 34;

fn label_place(c: (i32, i32), value: f64, neighbour: Option<f64>, next: bool, (top, bottom): (i32, i32)) -> Place {
    let right = next || neighbour.is_none();
    // The segment rises towards the neighbour: the label goes below it, and vice versa.
    let rises = neighbour.is_some_and(|v| v > value);
    let mut above = !rises && neighbour.is_some_and(|v| v < value);
    // Keep the label inside the plot.
    if above && c.1 - top < LABEL_H {
        above = false;
    } else if !above && bottom - c.1 < LABEL_H && c.1 - top >= LABEL_H {
        above = true;
    }
    Place { right, above }
}

/// The value (one decimal) and its n (grouped by thousands) on two lines.
fn draw_label(body: &super::Area<'_>, c: (i32, i32), place: Place, p: &LinePoint, gap: i32) -> Result<(), ReportError> {
    let h = if place.right { HPos::Left } else { HPos::Right };
    let x = if place.right { c.0 + gap } else { c.0 - gap };
    let value = crate::report::view::format::mean(Some(p.value));
    let n = format!("n = {}", crate::report::view::format::int(p.n));
    let v = if place.above { VPos::Bottom } else { VPos::Top };
    let (first, second) = (value, n);
    let (y1, y2) = if place.above { (c.1 - 20, c.1 - 6) } else { (c.1 + 6, c.1 + 20) };
    body.draw(&Text::new(first, (x, y1), anchored(muted(11), h, v))).map_err(|e| render_err("label", e))?;
    body.draw(&Text::new(second, (x, y2), anchored(muted(11), h, v))).map_err(|e| render_err("label", e))?;
    Ok(())
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
        assert_chart(&svg, &["训后能力保持轨迹", "测量时点", "得分（分，0–100）", "训后 3 个月", "n = 118", "60.0"], 2);
    }

    #[test]
    fn labels_sit_away_from_the_segment_to_their_neighbour() {
        let plot = (0, 300);
        // Rising to the next point: below it, on its right.
        assert_eq!(label_place((100, 150), 60.0, Some(68.0), true, plot), Place { right: true, above: false });
        // Falling to the next point: above it.
        assert_eq!(label_place((100, 150), 68.0, Some(60.0), true, plot), Place { right: true, above: true });
        // The last point looks back at its previous one and sits on the left, above the
        // segment that falls towards it.
        assert_eq!(label_place((500, 150), 68.0, Some(60.0), false, plot), Place { right: false, above: true });
        assert_eq!(label_place((500, 150), 60.0, Some(68.0), false, plot), Place { right: false, above: false });
        // Near the top of the plot a label that should go above goes below instead.
        assert_eq!(label_place((100, 10), 68.0, Some(60.0), true, plot), Place { right: true, above: false });
        // Near the bottom a label that should go below goes above.
        assert_eq!(label_place((100, 290), 60.0, Some(68.0), true, plot), Place { right: true, above: true });
    }

    #[test]
    fn counts_are_grouped_and_values_keep_one_decimal() {
        let p = |v: f64, n| Some(LinePoint { value: v, ci: None, n });
        let spec = LineSpec {
            title: "t".into(),
            subtitle: "s".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_ticks: vec!["a".into(), "b".into()],
            series: vec![LineSeries { name: "all".into(), points: vec![p(53.0, 153_450), p(55.25, 12)] }],
            domain: None,
        };
        let svg = render(&spec).unwrap();
        assert!(svg.contains(">n = 153,450<") && svg.contains(">53.0<") && svg.contains(">55.2<"), "{svg}");
    }
}
