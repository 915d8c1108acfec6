//! SVG charts as pure functions: series in, an SVG document (as a string)
//! out, so pages embed them inline and need no script or chart library,
//! and tests parse what they get.
//!
//! [`time_series`] draws one or more series over time as lines or grouped
//! bars, with axes, ticks, a legend and an optional threshold line (the
//! bounce and complaint rates at which SES reviews or pauses an account).
//! Colours are presentation attributes, not CSS, so an SVG saved from a
//! page looks the same on its own. Callers bucket their data first (hourly
//! rollups): each series is drawn from at most [`MAX_POINTS`] points.

use std::fmt::Write as _;

/// Points of one series beyond this many are not drawn.
pub const MAX_POINTS: usize = 2_000;

/// Series beyond this many are not drawn (nor listed in the legend).
pub const MAX_SERIES: usize = 8;

const PALETTE: [&str; MAX_SERIES] = [
    "#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04",
];

/// One named series: `(milliseconds since the epoch, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// How series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    /// Bars side by side at each timestamp, one per series.
    Bar,
}

/// How values are written on the y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Plain numbers (counts).
    Count,
    /// Fractions written as percentages (`0.05` is `5%`).
    Percent,
}

/// A horizontal line across the plot at `value`, labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub value: f64,
    pub label: String,
}

/// What to draw and how large.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: Kind,
    pub scale: Scale,
    pub series: Vec<Series>,
    pub threshold: Option<Threshold>,
    pub width: u32,
    pub height: u32,
}

impl Chart {
    /// A line chart of `series`, 640×260.
    pub fn lines(title: impl Into<String>, series: Vec<Series>) -> Self {
        Chart {
            title: title.into(),
            kind: Kind::Line,
            scale: Scale::Count,
            series,
            threshold: None,
            width: 640,
            height: 260,
        }
    }

    /// A bar chart of `series`, 640×260.
    pub fn bars(title: impl Into<String>, series: Vec<Series>) -> Self {
        Chart {
            kind: Kind::Bar,
            ..Chart::lines(title, series)
        }
    }

    /// The same chart with a threshold line.
    pub fn with_threshold(mut self, value: f64, label: impl Into<String>) -> Self {
        self.threshold = Some(Threshold {
            value,
            label: label.into(),
        });
        self
    }

    /// The same chart with values written as percentages.
    pub fn percent(mut self) -> Self {
        self.scale = Scale::Percent;
        self
    }
}

/// Space around the plot area: left (y labels), right, top (title),
/// bottom (x labels, then the legend).
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 48.0;

/// The plot area inside the chart, in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// The area points are drawn in, for a chart of this size.
pub fn plot_area(width: u32, height: u32) -> Plot {
    let (w, h) = (f64::from(width.max(160)), f64::from(height.max(120)));
    Plot {
        x0: LEFT,
        y0: TOP,
        x1: w - RIGHT,
        y1: h - BOTTOM,
    }
}

/// Draws `chart` as a standalone SVG document.
pub fn time_series(chart: &Chart) -> String {
    let width = chart.width.max(160);
    let height = chart.height.max(120);
    let plot = plot_area(width, height);
    let series: Vec<Vec<(i64, f64)>> = chart
        .series
        .iter()
        .take(MAX_SERIES)
        .map(|s| {
            let mut points: Vec<(i64, f64)> = s
                .points
                .iter()
                .take(MAX_POINTS)
                .copied()
                .filter(|(_, v)| v.is_finite())
                .collect();
            points.sort_by_key(|(t, _)| *t);
            points
        })
        .collect();
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif" font-size="11"><title>{}</title>"##,
        escape(&chart.title)
    );
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="16" font-size="13" font-weight="bold" fill="#111827">{}</text>"##,
        escape(&chart.title)
    );
    frame(&mut out, plot);
    let times: Vec<i64> = series.iter().flatten().map(|(t, _)| *t).collect();
    let (Some(&t_min), Some(&t_max)) = (times.iter().min(), times.iter().max()) else {
        let _ = write!(
            out,
            r##"<text class="empty" x="{:.1}" y="{:.1}" text-anchor="middle" fill="#6b7280">No data</text></svg>"##,
            (plot.x0 + plot.x1) / 2.0,
            (plot.y0 + plot.y1) / 2.0
        );
        return out;
    };
    let slot = min_gap(&times).unwrap_or(3_600_000);
    // Bars need half a slot on each side; a single instant needs some span.
    let (lo, hi) = match chart.kind {
        Kind::Bar => (t_min - slot / 2, t_max + slot / 2),
        Kind::Line if t_min == t_max => (t_min - 1_800_000, t_max + 1_800_000),
        Kind::Line => (t_min, t_max),
    };
    let values = series.iter().flatten().map(|(_, v)| *v);
    let threshold = chart.threshold.as_ref().filter(|t| t.value.is_finite());
    let v_max = values
        .clone()
        .chain(threshold.map(|t| t.value))
        .fold(0.0_f64, f64::max);
    let v_min = values.fold(0.0_f64, f64::min);
    let (mut y_lo, mut y_hi, mut y_step) = nice_range(v_min, v_max);
    // Counts step by whole numbers: no "0.2 dead letters" tick.
    let whole = series.iter().flatten().all(|(_, v)| v.fract() == 0.0);
    if chart.scale == Scale::Count && whole && y_step < 1.0 {
        (y_lo, y_hi, y_step) = (y_lo.floor(), y_hi.ceil().max(y_lo.floor() + 1.0), 1.0);
    }
    let x = |t: i64| plot.x0 + (t - lo) as f64 / (hi - lo).max(1) as f64 * (plot.x1 - plot.x0);
    let y = |v: f64| plot.y1 - (v - y_lo) / (y_hi - y_lo) * (plot.y1 - plot.y0);

    // y grid and labels
    let mut v = y_lo;
    let mut guard = 0;
    while v <= y_hi + y_step / 1e6 && guard < 20 {
        let py = y(v);
        let _ = write!(
            out,
            r##"<line x1="{:.1}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#374151">{}</text>"##,
            plot.x0,
            plot.x1,
            plot.x0 - 6.0,
            py + 4.0,
            format_value(v, chart.scale)
        );
        v += y_step;
        guard += 1;
    }
    // x ticks and labels
    let step = time_step(hi - lo);
    let mut t = lo.div_euclid(step) * step;
    if t < lo {
        t += step;
    }
    let mut guard = 0;
    while t <= hi && guard < 24 {
        let px = x(t);
        let _ = write!(
            out,
            r##"<line x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}" stroke="#6b7280"/><text x="{px:.1}" y="{:.1}" text-anchor="middle" fill="#374151">{}</text>"##,
            plot.y1,
            plot.y1 + 4.0,
            plot.y1 + 16.0,
            time_label(t, step)
        );
        t += step;
        guard += 1;
    }
    // the series
    let n = series.len().max(1) as f64;
    let slot_px = (x(lo + slot) - x(lo)).max(1.0);
    let bar_w = (slot_px * 0.8 / n).clamp(1.0, 40.0);
    for (i, points) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let label = escape(&chart.series[i].label);
        let _ = write!(out, r##"<g class="series" data-series="{label}">"##);
        match chart.kind {
            Kind::Line => {
                let coords: Vec<String> = points
                    .iter()
                    .map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v)))
                    .collect();
                if coords.len() > 1 {
                    let _ = write!(
                        out,
                        r##"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"##,
                        coords.join(" ")
                    );
                }
                if points.len() <= 200 {
                    for &(t, v) in points {
                        let _ = write!(
                            out,
                            r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"><title>{}: {}</title></circle>"##,
                            x(t),
                            y(v),
                            label,
                            format_value(v, chart.scale)
                        );
                    }
                }
            }
            Kind::Bar => {
                for &(t, v) in points {
                    let left = x(t) - bar_w * n / 2.0 + bar_w * i as f64;
                    let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
                    let _ = write!(
                        out,
                        r##"<rect x="{left:.1}" y="{top:.1}" width="{bar_w:.1}" height="{:.1}" fill="{colour}"><title>{}: {}</title></rect>"##,
                        (bottom - top).max(0.0),
                        label,
                        format_value(v, chart.scale)
                    );
                }
            }
        }
        out.push_str("</g>");
    }
    if let Some(th) = threshold {
        let py = y(th.value);
        let _ = write!(
            out,
            r##"<g class="threshold"><line x1="{:.1}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#b91c1c">{} ({})</text></g>"##,
            plot.x0,
            plot.x1,
            plot.x1 - 2.0,
            py - 4.0,
            escape(&th.label),
            format_value(th.value, chart.scale)
        );
    }
    legend(&mut out, chart, plot, f64::from(height));
    out.push_str("</svg>");
    out
}

fn frame(out: &mut String, plot: Plot) {
    let _ = write!(
        out,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#9ca3af"/>"##,
        plot.x0,
        plot.y0,
        plot.x1 - plot.x0,
        plot.y1 - plot.y0
    );
}

fn legend(out: &mut String, chart: &Chart, plot: Plot, height: f64) {
    let mut lx = plot.x0;
    let ly = height - 10.0;
    out.push_str(r#"<g class="legend">"#);
    for (i, s) in chart.series.iter().take(MAX_SERIES).enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let _ = write!(
            out,
            r##"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text x="{:.1}" y="{ly:.1}" fill="#111827">{}</text>"##,
            ly - 9.0,
            lx + 14.0,
            escape(&s.label)
        );
        // An estimate of the label's width: the legend needs no font metrics.
        lx += 28.0 + 6.5 * s.label.chars().count().min(40) as f64;
    }
    out.push_str("</g>");
}

/// The smallest gap between distinct timestamps.
fn min_gap(times: &[i64]) -> Option<i64> {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.windows(2).map(|w| w[1] - w[0]).min()
}

/// Axis bounds and tick step covering `lo..=hi` in 1, 2 or 5 × 10ⁿ steps.
fn nice_range(lo: f64, hi: f64) -> (f64, f64, f64) {
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return (
            lo.min(0.0),
            lo.max(0.0) + 1.0,
            if lo.abs() > 1.0 { lo.abs() } else { 0.2 },
        );
    }
    let rough = span / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    let lo = (lo / step).floor() * step;
    let hi = (hi / step).ceil() * step;
    (lo, if hi > lo { hi } else { lo + step }, step)
}

/// A tick step (ms) giving at most about six ticks over `span`.
fn time_step(span: i64) -> i64 {
    const MINUTE: i64 = 60_000;
    const STEPS: [i64; 12] = [
        MINUTE,
        5 * MINUTE,
        15 * MINUTE,
        30 * MINUTE,
        60 * MINUTE,
        3 * 60 * MINUTE,
        6 * 60 * MINUTE,
        12 * 60 * MINUTE,
        24 * 60 * MINUTE,
        2 * 24 * 60 * MINUTE,
        7 * 24 * 60 * MINUTE,
        30 * 24 * 60 * MINUTE,
    ];
    STEPS
        .into_iter()
        .find(|s| span / s <= 6)
        .unwrap_or_else(|| (span / 6).max(1))
}

/// `HH:MM` (UTC) for steps under a day, `MM-DD` otherwise.
fn time_label(t: i64, step: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000_000) else {
        return String::new();
    };
    if step >= 86_400_000 {
        format!("{:02}-{:02}", u8::from(at.month()), at.day())
    } else {
        format!("{:02}:{:02}", at.hour(), at.minute())
    }
}

/// A value as the y axis writes it.
pub fn format_value(v: f64, scale: Scale) -> String {
    let (v, suffix) = match scale {
        Scale::Count => (v, ""),
        Scale::Percent => (v * 100.0, "%"),
    };
    let rounded = (v * 100.0).round() / 100.0;
    let mut s = format!("{rounded:.2}");
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    s + suffix
}

/// Text made safe for XML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    const T0: i64 = 1_700_000_000_000 - 1_700_000_000_000 % HOUR;

    fn series(label: &str, values: &[f64]) -> Series {
        Series {
            label: label.into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (T0 + i as i64 * HOUR, *v))
                .collect(),
        }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML ({e}): {svg}"))
    }

    fn num(n: roxmltree::Node<'_, '_>, attr: &str) -> f64 {
        n.attribute(attr)
            .unwrap_or_else(|| panic!("no {attr}"))
            .parse()
            .unwrap()
    }

    fn inside(p: Plot, x: f64, y: f64) -> bool {
        (p.x0 - 0.05..=p.x1 + 0.05).contains(&x) && (p.y0 - 0.05..=p.y1 + 0.05).contains(&y)
    }

    #[test]
    fn a_line_chart_is_svg_with_every_point_inside_the_plot() {
        let chart = Chart::lines(
            "Sent & delivered",
            vec![
                series("sent", &[3.0, 10.0, 7.0, 0.0]),
                series("delivered", &[2.0, 9.0, 7.0, 1.0]),
            ],
        );
        let svg = time_series(&chart);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("viewBox"), Some("0 0 640 260"));
        let plot = plot_area(640, 260);
        let circles: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .collect();
        assert_eq!(circles.len(), 8, "one marker per point");
        for c in &circles {
            assert!(inside(plot, num(*c, "cx"), num(*c, "cy")), "{svg}");
        }
        let lines: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .collect();
        assert_eq!(lines.len(), 2);
        for l in lines {
            for pair in l.attribute("points").unwrap().split(' ') {
                let (x, y) = pair.split_once(',').unwrap();
                assert!(inside(plot, x.parse().unwrap(), y.parse().unwrap()));
            }
        }
        // The highest value is drawn highest, the lowest on the x axis.
        let ys: Vec<f64> = circles.iter().map(|c| num(*c, "cy")).collect();
        let top = ys.iter().cloned().fold(f64::MAX, f64::min);
        assert_eq!(top, ys[1], "10.0 is the highest point");
        assert!((ys[3] - plot.y1).abs() < 0.05, "0 sits on the axis");
        // The title and the legend are text, escaped.
        assert_eq!(
            doc.descendants()
                .find(|n| n.has_tag_name("title"))
                .and_then(|n| n.text()),
            Some("Sent & delivered")
        );
        let legend: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("legend"))
            .flat_map(|g| g.descendants().filter(|n| n.has_tag_name("text")))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(legend, ["sent", "delivered"]);
    }

    #[test]
    fn axes_have_ticks_with_labels() {
        let svg = time_series(&Chart::lines("t", vec![series("a", &[1.0, 4.0, 2.0])]));
        let doc = parse(&svg);
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor").is_some())
            .filter_map(|n| n.text())
            .collect();
        assert!(labels.contains(&"0"), "{labels:?}");
        assert!(labels.contains(&"4"), "{labels:?}");
        let one = time_series(&Chart::bars("t", vec![series("a", &[1.0])]));
        assert!(
            !one.contains(">0.2<"),
            "whole counts get whole ticks: {one}"
        );
        assert!(
            labels
                .iter()
                .any(|l| l.len() == 5 && l.as_bytes()[2] == b':'),
            "an HH:MM tick: {labels:?}"
        );
    }

    #[test]
    fn bars_stay_inside_the_plot_and_grow_with_the_value() {
        let svg = time_series(&Chart::bars(
            "b",
            vec![series("x", &[1.0, 5.0, 0.0]), series("y", &[2.0, 2.0, 2.0])],
        ));
        let doc = parse(&svg);
        let plot = plot_area(640, 260);
        let bars: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.has_children())
            .collect();
        assert_eq!(bars.len(), 6);
        for b in &bars {
            let (x, y, w, h) = (
                num(*b, "x"),
                num(*b, "y"),
                num(*b, "width"),
                num(*b, "height"),
            );
            assert!(inside(plot, x, y) && inside(plot, x + w, y + h), "{svg}");
        }
        assert!(num(bars[1], "height") > num(bars[0], "height"));
        assert_eq!(num(bars[2], "height"), 0.0);
    }

    #[test]
    fn a_threshold_is_drawn_and_fits_the_y_axis() {
        let chart = Chart::lines("Bounce rate", vec![series("bounce", &[0.01, 0.02])])
            .percent()
            .with_threshold(0.05, "review");
        let svg = time_series(&chart);
        let doc = parse(&svg);
        let plot = plot_area(640, 260);
        let line = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("threshold"))
            .and_then(|g| g.children().find(|n| n.has_tag_name("line")))
            .expect("a threshold line");
        let y = num(line, "y1");
        assert!(
            inside(plot, plot.x0, y),
            "a threshold above the data still fits"
        );
        let circles: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .map(|c| num(c, "cy"))
            .collect();
        assert!(circles.iter().all(|cy| *cy > y), "the data lies below it");
        assert!(svg.contains("review (5%)"), "{svg}");
    }

    #[test]
    fn empty_and_degenerate_series_still_make_valid_svg() {
        for chart in [
            Chart::lines("none", vec![]),
            Chart::lines("empty", vec![series("a", &[])]),
            Chart::bars("empty bars", vec![series("a", &[])]),
            Chart::lines("nan", vec![series("a", &[f64::NAN, f64::INFINITY])]),
        ] {
            let svg = time_series(&chart);
            let doc = parse(&svg);
            assert!(
                doc.descendants()
                    .any(|n| n.attribute("class") == Some("empty")),
                "{svg}"
            );
        }
        for chart in [
            Chart::lines("one", vec![series("a", &[3.0])]),
            Chart::bars("one", vec![series("a", &[3.0])]),
            Chart::lines("zeros", vec![series("a", &[0.0, 0.0])]),
            Chart::bars("negative", vec![series("a", &[-2.0, 3.0])]),
        ] {
            let svg = time_series(&chart);
            let doc = parse(&svg);
            let plot = plot_area(640, 260);
            for n in doc.descendants().filter(|n| n.has_tag_name("circle")) {
                assert!(inside(plot, num(n, "cx"), num(n, "cy")), "{svg}");
            }
            for n in doc
                .descendants()
                .filter(|n| n.has_tag_name("rect") && n.has_children())
            {
                assert!(inside(plot, num(n, "x"), num(n, "y")), "{svg}");
                assert!(
                    inside(plot, num(n, "x"), num(n, "y") + num(n, "height")),
                    "{svg}"
                );
            }
        }
    }

    #[test]
    fn hostile_labels_are_escaped() {
        let svg = time_series(&Chart::lines(
            "<script>alert(1)</script>",
            vec![series("\"><b>x</b>\u{1}", &[1.0, 2.0])],
        ));
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        let doc = parse(&svg);
        assert!(
            doc.descendants()
                .any(|n| n.text() == Some("<script>alert(1)</script>"))
        );
    }

    #[test]
    fn too_many_points_and_series_are_capped() {
        let many = Series {
            label: "many".into(),
            points: (0..MAX_POINTS as i64 + 500)
                .map(|i| (T0 + i * 60_000, 1.0))
                .collect(),
        };
        let all: Vec<Series> = (0..MAX_SERIES + 3).map(|_| many.clone()).collect();
        let svg = time_series(&Chart::lines("big", all));
        let doc = parse(&svg);
        let lines: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .collect();
        assert_eq!(lines.len(), MAX_SERIES);
        assert_eq!(
            lines[0].attribute("points").unwrap().split(' ').count(),
            MAX_POINTS
        );
    }

    #[test]
    fn values_are_written_briefly() {
        assert_eq!(format_value(3.0, Scale::Count), "3");
        assert_eq!(format_value(2.5, Scale::Count), "2.5");
        assert_eq!(format_value(0.051, Scale::Percent), "5.1%");
        assert_eq!(format_value(-0.0, Scale::Count), "0");
        assert_eq!(nice_range(0.0, 9.0), (0.0, 10.0, 2.0));
    }
}
