//! A histogram of one value per class (a class's mean gain, DiD, coverage, …): how the
//! classes spread, where a table of every class would not fit the annual report.
//!
//! In: [`HistogramSpec`] with the bins already counted ([`bins`] makes them on round
//! edges, so 0 is always an edge when the values straddle it). Out: SVG, vertical bars
//! with the count above each, bins at or below `reference` drawn light so the classes
//! on either side of it read apart in greyscale too.
//! Guarantees: one mark per non-empty bin; counts are of published classes only (the
//! view passes nothing else).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{
    anchored, canvas, desc_style, label_style, muted, nice_step, render_err, tick, ReportError, DARK, GRID, INK, LIGHT,
    WHITE,
};

/// One bar: values in `[lo, hi)` (the last bin includes its upper edge).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Bin {
    #[serde(serialize_with = "super::round2")]
    pub lo: f64,
    #[serde(serialize_with = "super::round2")]
    pub hi: f64,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistogramSpec {
    pub title: String,
    pub subtitle: String,
    /// Title of the value axis (with its unit).
    pub value_label: String,
    /// Title of the count axis.
    pub count_label: String,
    pub bins: Vec<Bin>,
    /// Bins ending at or below this value are drawn light (e.g. 0 for gains).
    pub reference: Option<f64>,
}

/// About `target` bins of a round width covering `values` (finite values only).
pub fn bins(values: &[f64], target: usize) -> Vec<Bin> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let Some(lo) = v.iter().copied().reduce(f64::min) else { return Vec::new() };
    let hi = v.iter().copied().fold(lo, f64::max);
    let mut step =
        if hi - lo < 1e-9 { nice_step(lo.abs().max(1.0) / 10.0) } else { nice_step((hi - lo) / target.max(1) as f64) };
    // Whole numbers (class sizes) in bins of a fractional width would alternate two and
    // three values per bin and draw a saw-tooth that is not in the data.
    if v.iter().all(|x| x.fract() == 0.0) && step.fract() != 0.0 {
        step = step.ceil();
    }
    let start = (lo / step).floor() * step;
    let k = (((hi - start) / step).floor() as usize + 1).max(1);
    let mut out: Vec<Bin> =
        (0..k).map(|i| Bin { lo: start + i as f64 * step, hi: start + (i + 1) as f64 * step, count: 0 }).collect();
    for x in v {
        let i = (((x - start) / step).floor().max(0.0) as usize).min(k - 1);
        out[i].count += 1;
    }
    // A last bin left empty by rounding is dropped.
    while out.len() > 1 && out.last().is_some_and(|b| b.count == 0) {
        out.pop();
    }
    out
}

pub fn render(spec: &HistogramSpec) -> Result<String, ReportError> {
    let e = |e| render_err(&spec.title, e);
    let (x0, x1) = match (spec.bins.first(), spec.bins.last()) {
        (Some(a), Some(b)) => (a.lo, b.hi),
        _ => (0.0, 1.0),
    };
    let top = spec.bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    // Room above the tallest bar for its count.
    let y1 = top * 1.15;
    canvas(&spec.title, &spec.subtitle, &[], 280, |body| {
        let mut chart = ChartBuilder::on(body)
            .margin_top(16)
            .margin_right(24)
            .margin_left(16)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, 0f64..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(9)
            .y_labels(6)
            .x_label_formatter(&tick)
            .y_label_formatter(&|v: &f64| if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { String::new() })
            .x_desc(spec.value_label.as_str())
            .y_desc(spec.count_label.as_str())
            .label_style(label_style())
            .axis_desc_style(desc_style())
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()
            .map_err(e)?;
        let mut marks = 0;
        for b in spec.bins.iter().filter(|b| b.count > 0) {
            let light = spec.reference.is_some_and(|r| b.hi <= r + 1e-9);
            let fill = if light { LIGHT } else { DARK };
            let bar = [(b.lo, 0.0), (b.hi, b.count as f64)];
            chart.draw_series([Rectangle::new(bar, fill.filled())]).map_err(e)?;
            chart.draw_series([Rectangle::new(bar, WHITE.stroke_width(1))]).map_err(e)?;
            let (cx, cy) = super::local(body, chart.backend_coord(&((b.lo + b.hi) / 2.0, b.count as f64)));
            body.draw(&Text::new(
                super::super::view::format::int(b.count),
                (cx, cy - 3),
                anchored(muted(11), HPos::Center, VPos::Bottom),
            ))
            .map_err(e)?;
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
    fn bins_cover_every_value_on_round_edges() {
        let v = [-3.2, -0.4, 0.0, 0.1, 2.5, 7.9, 8.0];
        let b = bins(&v, 6);
        assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), v.len() as u64);
        assert!(b[0].lo <= -3.2 && b[b.len() - 1].hi >= 8.0, "{b:?}");
        // Zero is an edge: no bin straddles it.
        assert!(b.iter().all(|b| !(b.lo < 0.0 && b.hi > 0.0)), "{b:?}");
        let w = b[0].hi - b[0].lo;
        assert!(b.iter().all(|x| ((x.hi - x.lo) - w).abs() < 1e-9));
        assert_eq!(bins(&[], 6), vec![]);
        // Whole numbers get whole-number bins: 30..64 in bins of 3, not 2.5.
        let sizes: Vec<f64> = (30..=64).map(f64::from).collect();
        let b = bins(&sizes, 14);
        assert!(b.iter().all(|x| (x.hi - x.lo).fract() == 0.0 && x.lo.fract() == 0.0), "{b:?}");
        assert!(b[..b.len() - 1].iter().all(|x| x.count == (x.hi - x.lo) as u64), "{b:?}");
        let one = bins(&[5.0, 5.0], 6);
        assert_eq!(one.iter().map(|b| b.count).sum::<u64>(), 2);
        assert!(one.iter().any(|b| b.lo <= 5.0 && 5.0 <= b.hi));
    }

    #[test]
    fn draws_one_bar_per_non_empty_bin_with_its_count() {
        let spec = HistogramSpec {
            title: "各班平均学习增益的分布".into(),
            subtitle: "n = 2,678 个班次".into(),
            value_label: "增益（分）".into(),
            count_label: "班次数".into(),
            bins: vec![
                Bin { lo: -2.0, hi: 0.0, count: 3 },
                Bin { lo: 0.0, hi: 2.0, count: 0 },
                Bin { lo: 2.0, hi: 4.0, count: 1_204 },
            ],
            reference: Some(0.0),
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["各班平均学习增益的分布", "增益（分）", "班次数", "1,204"], 2);
        assert!(svg.contains("data-marks=\"2\""), "empty bins are not marks");
    }
}
