//! An event study: the estimate at each review relative to the class (−3 … +2) with
//! its interval, a zero line, and the class marked between the last review before it
//! (the reference, drawn hollow) and the first after it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{anchored, canvas, domain, muted, render_err, ReportError, DARK, INK, MUTED, WHITE};

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct EventPoint {
    #[serde(serialize_with = "super::round2")]
    pub value: f64,
    #[serde(serialize_with = "super::round2_pair")]
    pub ci: Option<(f64, f64)>,
    /// The reference period (0 by construction, no interval).
    pub reference: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventSpec {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    /// One label per relative period, in order.
    pub x_ticks: Vec<String>,
    /// One point per tick; `None` where withheld or not estimable.
    pub points: Vec<Option<EventPoint>>,
    /// The class sits after this many ticks (between the reference and the first
    /// period after the class).
    pub class_after: usize,
    /// The label of the class marker.
    pub class_label: String,
}

pub fn render(spec: &EventSpec) -> Result<String, ReportError> {
    let k = spec.x_ticks.len().max(1);
    let (y0, y1) = domain(
        spec.points.iter().flatten().flat_map(|p| {
            let (lo, hi) = p.ci.unwrap_or((p.value, p.value));
            [p.value, lo, hi]
        }),
        &[0.0],
    );
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &[], 330, |body| {
        let mut chart = super::category_axes(
            body,
            &spec.title,
            24,
            (spec.x_label.as_str(), spec.y_label.as_str()),
            &spec.x_ticks,
            (y0, y1),
        )?;
        // The zero line and the class between the reference and the first review after.
        chart
            .draw_series(DashedLineSeries::new([(-0.5, 0.0), (k as f64 - 0.5, 0.0)], 5, 4, MUTED.stroke_width(1)))
            .map_err(e)?;
        let xc = spec.class_after as f64 - 0.5;
        chart.draw_series(DashedLineSeries::new([(xc, y0), (xc, y1)], 3, 3, INK.stroke_width(1))).map_err(e)?;
        let (cx, cy) = super::local(body, chart.backend_coord(&(xc, y1)));
        body.draw(&Text::new(spec.class_label.clone(), (cx, cy - 4), anchored(muted(12), HPos::Center, VPos::Bottom)))
            .map_err(e)?;
        let mut marks = 0;
        for (i, p) in spec.points.iter().enumerate() {
            let Some(p) = p else { continue };
            let x = i as f64;
            if let Some((lo, hi)) = p.ci {
                let (lo, hi) = (lo.clamp(y0, y1), hi.clamp(y0, y1));
                chart.draw_series([PathElement::new(vec![(x, lo), (x, hi)], INK.stroke_width(1))]).map_err(e)?;
                for end in [lo, hi] {
                    chart
                        .draw_series([PathElement::new(vec![(x - 0.06, end), (x + 0.06, end)], INK.stroke_width(1))])
                        .map_err(e)?;
                }
            }
            let c = super::local(body, chart.backend_coord(&(x, p.value.clamp(y0, y1))));
            if p.reference {
                body.draw(&Circle::new(c, 5, WHITE.filled())).map_err(e)?;
                body.draw(&Circle::new(c, 5, DARK.stroke_width(2))).map_err(e)?;
            } else {
                body.draw(&Rectangle::new([(c.0 - 5, c.1 - 5), (c.0 + 5, c.1 + 5)], DARK.filled())).map_err(e)?;
            }
            // On the side of the point away from the zero line, so the label never sits on it.
            let label = crate::report::view::format::signed(Some(p.value));
            let (y, v) = if p.value >= 0.0 { (c.1 - 4, VPos::Bottom) } else { (c.1 + 4, VPos::Top) };
            body.draw(&Text::new(label, (c.0 + 8, y), anchored(muted(11), HPos::Left, v))).map_err(e)?;
            marks += 1;
        }
        Ok(marks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    #[test]
    fn draws_points_zero_line_and_the_class() {
        let p = |v: f64| Some(EventPoint { value: v, ci: Some((v - 0.4, v + 0.4)), reference: false });
        let spec = EventSpec {
            title: "培训前后考核得分的变化（事件研究）".into(),
            subtitle: "n = 335 名参训学员、383 名对照".into(),
            x_label: "相对培训的考核次序".into(),
            y_label: "与培训前最近一次考核相比的差异（分）".into(),
            x_ticks: ["−3", "−2", "−1", "0", "+1", "+2"].map(String::from).to_vec(),
            points: vec![
                p(0.3),
                p(0.2),
                Some(EventPoint { value: 0.0, ci: None, reference: true }),
                p(4.0),
                p(4.1),
                None,
            ],
            class_after: 3,
            class_label: "培训".into(),
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["事件研究", "相对培训的考核次序", "培训", "+1", "4.1"], 5);
        assert!(svg.contains("data-marks=\"5\""), "the five points with a value");
        assert_eq!(svg.matches("<circle").count(), 2, "the reference is hollow: a fill and a ring");
    }
}
