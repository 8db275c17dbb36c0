//! Charts as inline SVG strings, drawn with `plotters` (SVG backend, no fonts
//! embedded: text stays `<text>` with a CJK-capable font stack).
//!
//! In: a [`ChartSpec`] — plain data with every label already translated (the view
//! models build them). Out: an `<svg>` string with a `<title>`, `role="img"` and
//! `data-marks` (the number of data marks drawn, which the browser test checks).
//! Guarantees: every chart has a title, a subtitle carrying the n, labelled axes
//! with units, and a palette that stays distinguishable in greyscale (dark / mid /
//! light fills with hatching and distinct marker shapes); text from the data is
//! escaped by the SVG backend; output is a pure function of the spec.
//!
//! One file per chart kind: [`bar_ci`] (means with CI whiskers, or plain bars),
//! [`dumbbell`] (before/after per row), [`boxplot`] (distributions),
//! [`line`] (trajectory over waves), [`stacked`] (100 % composition), [`flow`]
//! (participant flow, CONSORT-style), [`event`] (event study around the class),
//! [`histogram`] (one value per class: how the classes spread).

pub mod bar_ci;
pub mod boxplot;
pub mod dumbbell;
pub mod event;
pub mod flow;
pub mod histogram;
mod layout;
pub mod line;
pub mod stacked;
pub mod svg;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::error::ReportError;

/// The font stack of every chart text (CJK first, then generic).
pub const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Hiragino Sans GB, WenQuanYi Micro Hei, sans-serif";
/// Width of every chart in SVG pixels (scaled to the column width by CSS).
pub const WIDTH: u32 = 680;

/// Text and axes.
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
/// Dark series colour (navy; near black in greyscale).
pub const DARK: RGBColor = RGBColor(31, 58, 95);
/// Mid series colour (amber; mid grey in greyscale).
pub const MID: RGBColor = RGBColor(201, 116, 30);
/// Light series colour (pale blue; light grey in greyscale).
pub const LIGHT: RGBColor = RGBColor(167, 196, 220);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(226, 226, 226);

const TITLE_PX: u32 = 17;
const SUB_PX: u32 = 12;
pub(crate) const LABEL_PX: u32 = 13;
const DESC_PX: u32 = 13;

/// A chart: where it goes (`id`), what it shows (`spec`) and notes printed under it.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub spec: ChartSpec,
    /// Sentences under the chart (cells left out, rows truncated).
    pub notes: Vec<String>,
}

/// Every chart kind.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartSpec {
    BarCi(bar_ci::BarCiSpec),
    Dumbbell(dumbbell::DumbbellSpec),
    Box(boxplot::BoxSpec),
    Line(line::LineSpec),
    Stacked(stacked::StackedSpec),
    Flow(flow::FlowSpec),
    Event(event::EventSpec),
    Histogram(histogram::HistogramSpec),
}

impl ChartSpec {
    /// Draw the chart as an SVG string.
    pub fn render(&self) -> Result<String, ReportError> {
        match self {
            ChartSpec::BarCi(s) => bar_ci::render(s),
            ChartSpec::Dumbbell(s) => dumbbell::render(s),
            ChartSpec::Box(s) => boxplot::render(s),
            ChartSpec::Line(s) => line::render(s),
            ChartSpec::Stacked(s) => stacked::render(s),
            ChartSpec::Flow(s) => flow::render(s),
            ChartSpec::Event(s) => event::render(s),
            ChartSpec::Histogram(s) => histogram::render(s),
        }
    }
}

/// Serialise chart values rounded to 0.01 (far below a pixel), so view-model
/// snapshots are readable and do not depend on the last bits of a float.
pub(crate) fn round2<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((x * 100.0).round() / 100.0)
}

pub(crate) fn round2_pair<S: serde::Serializer>(x: &Option<(f64, f64)>, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    x.map(|(a, b)| ((a * 100.0).round() / 100.0, (b * 100.0).round() / 100.0)).serialize(s)
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled box, optionally hatched.
    Fill(RGBColor, bool),
    /// An open circle marker.
    OpenCircle,
    /// A filled square marker.
    FilledSquare(RGBColor),
    /// A line with a marker.
    Line(RGBColor, Marker),
}

/// Marker shapes, so series differ without colour.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

impl Marker {
    pub(crate) fn nth(i: usize) -> Marker {
        [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond][i % 4]
    }
}

/// Series colours by index, varying lightness first.
pub(crate) fn series_colour(i: usize) -> RGBColor {
    [DARK, MID, LIGHT, MUTED][i % 4]
}

pub(crate) type Area<'a> = DrawingArea<svg::LeanSvg<'a>, Shift>;

pub(crate) fn render_err(what: &str, e: impl std::fmt::Display) -> ReportError {
    ReportError::Render { what: format!("chart `{what}`"), message: e.to_string() }
}

/// The plotters size that the SVG backend writes as `font-size = px` (it divides by 1.24).
fn svg_size(px: u32) -> f64 {
    px as f64 * 1.24
}

/// The report's font at `px` pixels: `(FONT, size).into_font()` without plotters
/// lower-casing the font stack to compare it with its generic family names (which it is
/// none of) for every text style a chart makes.
pub(crate) fn font_desc(px: u32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), svg_size(px), FontStyle::Normal)
}

pub(crate) fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from(font_desc(px)).color(&INK)
}

pub(crate) fn label_style() -> TextStyle<'static> {
    font(LABEL_PX)
}

pub(crate) fn desc_style() -> TextStyle<'static> {
    font(DESC_PX)
}

pub(crate) fn muted(px: u32) -> TextStyle<'static> {
    TextStyle::from(font_desc(px)).color(&MUTED)
}

pub(crate) fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Draw a chart: a white canvas `WIDTH` wide, the header, then `draw` on the body
/// below it (`body_height` pixels), which returns the number of data marks it drew.
pub(crate) fn canvas(
    title: &str,
    subtitle: &str,
    legend: &[(String, Swatch)],
    body_height: u32,
    draw: impl FnOnce(&Area<'_>) -> Result<usize, ReportError>,
) -> Result<String, ReportError> {
    let e = |e| render_err(title, e);
    // Broken into lines once: the header's height and its drawing both need them.
    let lines = subtitle_lines(subtitle);
    let size = (WIDTH, header_height(lines.len(), !legend.is_empty()) + body_height);
    let mut elements = String::with_capacity(8 * 1024);
    let marks;
    {
        let root = svg::LeanSvg::new(&mut elements, size).into_drawing_area();
        root.fill(&WHITE).map_err(e)?;
        let body = header(&root, title, &lines, legend)?;
        marks = draw(&body)?;
        root.present().map_err(e)?;
    }
    Ok(svg::wrap(&elements, size, title, marks))
}

/// The chart of the line and event-study kinds: `x_ticks.len()` categories at
/// 0, 1, … on x, a value axis `y0..y1` with grid lines, axis titles, and each tick's
/// label drawn below its category.
pub(crate) type CategoryChart<'a, 'b> = ChartContext<
    'a,
    svg::LeanSvg<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

pub(crate) fn category_axes<'a, 'b>(
    body: &'a Area<'b>,
    title: &str,
    margin_top: u32,
    labels: (&str, &str),
    x_ticks: &[String],
    (y0, y1): (f64, f64),
) -> Result<CategoryChart<'a, 'b>, ReportError> {
    let e = |e| render_err(title, e);
    let k = x_ticks.len().max(1);
    let mut chart = ChartBuilder::on(body)
        .margin_top(margin_top)
        .margin_right(30)
        .margin_left(24)
        .x_label_area_size(56)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..(k as f64 - 0.5), y0..y1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(7)
        .y_label_formatter(&tick)
        .x_desc(labels.0)
        .y_desc(labels.1)
        .label_style(label_style())
        .axis_desc_style(desc_style())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()
        .map_err(e)?;
    for (i, t) in x_ticks.iter().enumerate() {
        let (px, py) = local(body, chart.backend_coord(&(i as f64, y0)));
        body.draw(&Text::new(t.clone(), (px, py + 8), anchored(label_style(), HPos::Center, VPos::Top))).map_err(e)?;
    }
    Ok(chart)
}

/// Height of the header: title, the subtitle's `lines` lines and an optional legend line.
fn header_height(lines: usize, has_legend: bool) -> u32 {
    let extra = (lines.max(1) as u32 - 1) * SUB_LINE_PX;
    extra + if has_legend { 74 } else { 54 }
}

const SUB_LINE_PX: u32 = 16;

/// The subtitle broken at spaces (or anywhere in CJK text) into lines that fit
/// the canvas: a caption that explains the marks may be longer than one line.
pub(crate) fn subtitle_lines(subtitle: &str) -> Vec<String> {
    let max = f64::from(WIDTH) - 24.0;
    let px = f64::from(SUB_PX);
    let mut lines = Vec::new();
    let mut line = String::new();
    // The width of `line` in em, summed char by char as `text_width` sums it (the same
    // additions in the same order), instead of measuring the whole line again per char.
    let mut ems = 0.0;
    let mut last_break: Option<usize> = None; // byte index in `line` after a space
    for c in subtitle.chars() {
        line.push(c);
        ems += char_em(c);
        if c == ' ' || is_wide(c) {
            last_break = Some(line.len());
        }
        if ems * px > max {
            let cut = last_break.filter(|&b| b < line.len()).unwrap_or(line.len() - c.len_utf8());
            let rest = line.split_off(cut);
            lines.push(line.trim_end().to_string());
            line = rest.trim_start().to_string();
            ems = line.chars().map(char_em).sum();
            last_break = None;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draw the title, the subtitle (which carries the n) broken into `lines`, and the
/// legend; return the body.
fn header<'a>(
    root: &Area<'a>,
    title: &str,
    lines: &[String],
    legend: &[(String, Swatch)],
) -> Result<Area<'a>, ReportError> {
    let h = header_height(lines.len(), !legend.is_empty());
    let (head, body) = root.split_vertically(h);
    let e = |e| render_err(title, e);
    let bold = TextStyle::from(font_desc(TITLE_PX).style(FontStyle::Bold)).color(&INK);
    head.draw(&Text::new(title.to_string(), (12, 10), anchored(bold, HPos::Left, VPos::Top))).map_err(e)?;
    for (i, line) in lines.iter().enumerate() {
        let y = 34 + (i as u32 * SUB_LINE_PX) as i32;
        head.draw(&Text::new(line.clone(), (12, y), anchored(muted(SUB_PX), HPos::Left, VPos::Top))).map_err(e)?;
    }
    let mut x = 12i32;
    let y = 60i32 + ((lines.len().max(1) - 1) as u32 * SUB_LINE_PX) as i32;
    for (label, swatch) in legend {
        draw_swatch(&head, *swatch, (x + 9, y))?;
        head.draw(&Text::new(label.clone(), (x + 24, y), anchored(label_style(), HPos::Left, VPos::Center)))
            .map_err(e)?;
        x += 24 + text_width(label, LABEL_PX as f64).ceil() as i32 + 22;
    }
    Ok(body)
}

/// Draw a legend swatch centred at `c` (pixels of `area`).
pub(crate) fn draw_swatch(area: &Area<'_>, swatch: Swatch, c: (i32, i32)) -> Result<(), ReportError> {
    let e = |e| render_err("legend", e);
    let (x, y) = c;
    match swatch {
        Swatch::Fill(colour, hatch) => {
            area.draw(&Rectangle::new([(x - 8, y - 6), (x + 8, y + 6)], colour.filled())).map_err(e)?;
            if hatch {
                hatch_rect(area, (x - 8, y - 6), (x + 8, y + 6))?;
            }
            area.draw(&Rectangle::new([(x - 8, y - 6), (x + 8, y + 6)], INK.stroke_width(1))).map_err(e)?;
        }
        Swatch::OpenCircle => {
            area.draw(&Circle::new((x, y), 5, WHITE.filled())).map_err(e)?;
            area.draw(&Circle::new((x, y), 5, DARK.stroke_width(2))).map_err(e)?;
        }
        Swatch::FilledSquare(colour) => {
            area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], colour.filled())).map_err(e)?;
        }
        Swatch::Line(colour, marker) => {
            area.draw(&PathElement::new(vec![(x - 10, y), (x + 10, y)], colour.stroke_width(2))).map_err(e)?;
            draw_marker(area, marker, colour, (x, y))?;
        }
    }
    Ok(())
}

/// Draw a marker centred at pixel `c` of `area`.
pub(crate) fn draw_marker(area: &Area<'_>, marker: Marker, colour: RGBColor, c: (i32, i32)) -> Result<(), ReportError> {
    let e = |e| render_err("marker", e);
    let (x, y) = c;
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), 5, colour.filled())).map_err(e)?,
        Marker::Square => area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], colour.filled())).map_err(e)?,
        Marker::Triangle => {
            area.draw(&Polygon::new(vec![(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)], colour.filled())).map_err(e)?
        }
        Marker::Diamond => area
            .draw(&Polygon::new(vec![(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], colour.filled()))
            .map_err(e)?,
    }
    // A white rim keeps overlapping markers apart in greyscale.
    Ok(())
}

/// Diagonal hatching inside a pixel rectangle (greyscale-safe texture).
pub(crate) fn hatch_rect(area: &Area<'_>, a: (i32, i32), b: (i32, i32)) -> Result<(), ReportError> {
    let (x0, y0) = (a.0.min(b.0), a.1.min(b.1));
    let (x1, y1) = (a.0.max(b.0), a.1.max(b.1));
    let mut c = x0 + y0;
    while c <= x1 + y1 {
        let xa = x0.max(c - y1);
        let xb = x1.min(c - y0);
        if xa < xb {
            area.draw(&PathElement::new(vec![(xa, c - xa), (xb, c - xb)], INK.mix(0.55).stroke_width(1)))
                .map_err(|e| render_err("hatch", e))?;
        }
        c += 6;
    }
    Ok(())
}

/// A backend pixel (as `ChartContext::backend_coord` returns) in `area`'s own
/// coordinates, which start at the area's top-left corner.
pub(crate) fn local(area: &Area<'_>, p: (i32, i32)) -> (i32, i32) {
    let (x0, y0) = area.get_base_pixel();
    (p.0 - x0, p.1 - y0)
}

/// Approximate rendered width of `s` in pixels at `px` (CJK full width, Latin ~0.55 em).
pub fn text_width(s: &str, px: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * px
}

/// Approximate width of one character in em (see [`text_width`]).
fn char_em(c: char) -> f64 {
    if is_wide(c) {
        1.0
    } else if c.is_ascii_uppercase() || c.is_ascii_digit() {
        0.62
    } else if c == ' ' || c == '.' || c == ',' || c == 'i' || c == 'l' {
        0.3
    } else {
        0.55
    }
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// `s` shortened in the middle with "…" to fit `max_px` at `px`, keeping the end:
/// class titles differ in their tail (`…（第3期）`, `…（网络班第5期）`).
pub fn fit_middle(s: &str, px: f64, max_px: f64) -> String {
    if text_width(s, px) <= max_px {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let budget = max_px - px; // room for the ellipsis
    let (mut head, mut tail) = (0usize, 0usize);
    // Measured on the chars in place (the same sums as `text_width` of each part).
    let ems = |part: &[char]| part.iter().copied().map(char_em).sum::<f64>() * px;
    let width = |h: usize, t: usize| ems(&chars[..h]) + ems(&chars[chars.len() - t..]);
    // Grow the tail to about 45 % of the room, then the head with the rest.
    while tail < chars.len() && width(0, tail + 1) <= budget * 0.45 {
        tail += 1;
    }
    while head + tail < chars.len() && width(head + 1, tail) <= budget {
        head += 1;
    }
    format!("{}…{}", chars[..head].iter().collect::<String>(), chars[chars.len() - tail..].iter().collect::<String>())
}

/// A padded axis range covering `values` (and `include`), on round numbers.
pub fn domain(values: impl IntoIterator<Item = f64>, include: &[f64]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().chain(include.iter().copied()).filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.06;
    let step = nice_step((hi - lo + 2.0 * pad) / 6.0);
    ((lo - pad).div_euclid(step) * step, ((hi + pad) / step).ceil() * step)
}

pub(crate) fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.abs().max(1e-12).log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Format an axis tick: no decimals for round values, else one.
/// Every axis of every chart formats its ticks here, so the digits are written without
/// `format!` when [`format::fixed_minus`] can tell how it rounds; [`tick_plain`] is the
/// definition.
pub(crate) fn tick(v: &f64) -> String {
    let decimals = if (v - v.round()).abs() < 1e-9 { 0 } else { 1 };
    crate::report::view::format::fixed_minus(*v, decimals).unwrap_or_else(|| tick_plain(v))
}

/// [`tick`] as `format!` writes it.
fn tick_plain(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v).replace('-', "−")
    } else {
        format!("{:.1}", v).replace('-', "−")
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Checks shared by the chart tests: a well-formed SVG with title, labels and marks.

    pub fn assert_chart(svg: &str, texts: &[&str], min_marks: usize) {
        assert!(svg.starts_with("<svg "), "not an svg: {}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("<title>"), "no <title>");
        for t in texts {
            assert!(svg.contains(t), "missing text {t:?}");
        }
        let marks: usize = svg
            .split("data-marks=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .expect("data-marks");
        assert!(marks >= min_marks, "only {marks} data marks");
        // The stylesheet sets the font of every chart text (`svg text`), not the chart.
        assert!(!svg.contains("font-family"), "a font stack in the chart");
        assert_eq!(svg.matches("<svg").count(), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_written_as_format_writes_them() {
        let mut values =
            vec![0.0, -0.0, 1e-10, -1e-10, 0.04, -0.04, 0.05, -0.05, 0.25, -0.25, 0.35, 2.5, -2.5, 1e14, -1e15];
        values.extend([1e16, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, 123456.789]);
        for k in -30_000..30_000 {
            let k = f64::from(k);
            values.extend([k, k / 10.0, k / 20.0, k / 3.0, k * 0.05, k * 0.1 + 1e-12, k / 7.0 - 0.05, k * 1234.567]);
        }
        for v in values {
            assert_eq!(tick(&v), tick_plain(&v), "{v:e}");
        }
    }

    #[test]
    fn the_font_desc_is_the_one_plotters_makes_of_the_font_stack() {
        for px in [LABEL_PX, DESC_PX, SUB_PX, TITLE_PX] {
            let ours = font_desc(px);
            let theirs = (FONT, svg_size(px)).into_font();
            assert!(matches!(FontFamily::from(FONT), FontFamily::Name(n) if n == FONT));
            assert_eq!(ours.get_family().as_str(), theirs.get_family().as_str());
            assert_eq!(ours.get_size(), theirs.get_size());
            assert_eq!(ours.get_style().as_str(), theirs.get_style().as_str());
            let (b, tb) = (ours.clone().style(FontStyle::Bold), theirs.clone().style(FontStyle::Bold));
            assert_eq!(b.get_style().as_str(), tb.get_style().as_str());
        }
    }

    #[test]
    fn domain_is_round_and_covers_values() {
        let (lo, hi) = domain([61.3, 88.2], &[]);
        assert!(lo <= 61.3 && hi >= 88.2);
        assert_eq!(lo, lo.round());
        let (lo, hi) = domain([-2.0, 3.0], &[0.0]);
        assert!(lo < -2.0 && hi > 3.0);
        assert_eq!(domain(std::iter::empty(), &[]), (0.0, 1.0));
    }

    #[test]
    fn long_subtitles_wrap_at_spaces_and_every_line_fits() {
        let short = "n = 120";
        assert_eq!(subtitle_lines(short), vec![short.to_string()]);
        let long = "n = 145; each point: mean of the trainees scored at that wave, with its n; whiskers: 95 % confidence interval (clustered by class)";
        let lines = subtitle_lines(long);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), long);
        for l in &lines {
            assert!(text_width(l, f64::from(SUB_PX)) <= f64::from(WIDTH) - 24.0, "{l}");
        }
        let zh = "每点为该时点有得分学员的均值，点旁为人数；误差线为 95% 置信区间（按班级聚类）".repeat(2);
        let lines = subtitle_lines(&zh);
        assert!(lines.len() >= 2);
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        assert!(header_height(subtitle_lines(long).len(), false) > header_height(subtitle_lines(short).len(), false));
    }

    #[test]
    fn fit_middle_keeps_both_ends() {
        let long = "新录用公务员初任培训班（网络班第5期）";
        let short = fit_middle(long, 13.0, 150.0);
        assert!(short.contains('…'), "{short}");
        assert!(short.starts_with("新录用") && short.ends_with("第5期）"), "{short}");
        assert!(text_width(&short, 13.0) <= 150.0, "{short}");
        assert_eq!(fit_middle("短标题", 13.0, 150.0), "短标题");
    }
}
