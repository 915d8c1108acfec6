//! A small writer of the two text formats scrapers read: Prometheus text
//! 0.0.4 and OpenMetrics 1.0, chosen by the scrape's `Accept` header.
//!
//! Hand-written rather than a metrics crate because what `/metrics` shows
//! is mostly read at scrape time (outbox depth from the store, ingest
//! counters that already exist, CloudWatch series whose label names come
//! from each destination's configuration), and no single crate writes both
//! formats; the two differ only in a few places, all kept here:
//!
//! - a counter's family is `x` in OpenMetrics and `x_total` in Prometheus
//!   text; its sample is `x_total` in both;
//! - an info metric is the OpenMetrics type `info` (family `x`, sample
//!   `x_info`), and a gauge `x_info` in Prometheus text;
//! - OpenMetrics escapes `"` in help text and ends with `# EOF`.

use std::fmt::Write as _;

/// Which text format a scrape gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `text/plain; version=0.0.4`.
    Prometheus,
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
}

impl Format {
    /// OpenMetrics when the `Accept` header offers it with a weight above
    /// zero (as Prometheus does), else the Prometheus text format.
    pub fn from_accept(accept: Option<&str>) -> Format {
        let offered = accept.unwrap_or_default().split(',').any(|range| {
            let mut params = range.split(';').map(str::trim);
            let media = params.next().unwrap_or_default();
            let q = params
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            media.eq_ignore_ascii_case("application/openmetrics-text") && q > 0.0
        });
        if offered {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    /// A constant 1 whose labels carry the information (build version).
    Info,
}

/// A histogram's reading: per-bucket counts (not cumulative) for the
/// given upper bounds, then the sum and count of every observation.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramReading<'a> {
    pub bounds: &'a [f64],
    /// One count per bound, plus one for observations above the last.
    pub buckets: &'a [u64],
    pub sum: f64,
    pub count: u64,
}

/// An exposition being written; [`Exposition::finish`] gives the text.
pub struct Exposition {
    format: Format,
    out: String,
}

impl Exposition {
    pub fn new(format: Format) -> Self {
        Exposition {
            format,
            out: String::new(),
        }
    }

    /// Starts a family: its `# HELP` and `# TYPE` lines. `name` is the
    /// family's base name (`mailsight_requests` for the counter whose
    /// samples are `mailsight_requests_total`). Every sample of a family
    /// must be written before the next family starts.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) -> Family<'_> {
        let (declared, type_name) = match (self.format, kind) {
            (Format::Prometheus, Kind::Counter) => (format!("{name}_total"), "counter"),
            (Format::Prometheus, Kind::Info) => (format!("{name}_info"), "gauge"),
            (Format::OpenMetrics, Kind::Counter) => (name.to_owned(), "counter"),
            (Format::OpenMetrics, Kind::Info) => (name.to_owned(), "info"),
            (_, Kind::Gauge) => (name.to_owned(), "gauge"),
            (_, Kind::Histogram) => (name.to_owned(), "histogram"),
        };
        let help = escape_help(help, self.format);
        let _ = writeln!(self.out, "# HELP {declared} {help}");
        let _ = writeln!(self.out, "# TYPE {declared} {type_name}");
        let sample = match kind {
            Kind::Counter => format!("{name}_total"),
            Kind::Info => format!("{name}_info"),
            Kind::Gauge | Kind::Histogram => name.to_owned(),
        };
        Family {
            out: &mut self.out,
            sample,
        }
    }

    /// The text, with OpenMetrics' closing `# EOF`.
    pub fn finish(mut self) -> String {
        if self.format == Format::OpenMetrics {
            self.out.push_str("# EOF\n");
        }
        self.out
    }
}

/// The samples of one family.
pub struct Family<'a> {
    out: &'a mut String,
    sample: String,
}

impl Family<'_> {
    /// One sample of a counter, gauge or info family.
    pub fn sample<K: AsRef<str>, V: AsRef<str>>(&mut self, labels: &[(K, V)], value: f64) {
        let labels = render_labels(labels, None);
        let _ = writeln!(self.out, "{}{labels} {}", self.sample, number(value));
    }

    /// The `_bucket`, `_sum` and `_count` samples of one histogram series.
    pub fn histogram<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        labels: &[(K, V)],
        h: &HistogramReading<'_>,
    ) {
        let mut cumulative = 0u64;
        for (i, bound) in h.bounds.iter().enumerate() {
            cumulative += h.buckets.get(i).copied().unwrap_or(0);
            let le = format!("{bound:?}");
            let l = render_labels(labels, Some(&le));
            let _ = writeln!(self.out, "{}_bucket{l} {cumulative}", self.sample);
        }
        let l = render_labels(labels, Some("+Inf"));
        let _ = writeln!(self.out, "{}_bucket{l} {}", self.sample, h.count);
        let l = render_labels(labels, None);
        let _ = writeln!(self.out, "{}_sum{l} {}", self.sample, number(h.sum));
        let _ = writeln!(self.out, "{}_count{l} {}", self.sample, h.count);
    }
}

/// `{a="x",le="0.5"}`, or nothing without labels. Label names are made
/// valid, and a name seen twice keeps its first value.
fn render_labels<K: AsRef<str>, V: AsRef<str>>(labels: &[(K, V)], le: Option<&str>) -> String {
    let mut seen: Vec<String> = Vec::with_capacity(labels.len() + 1);
    let mut parts: Vec<String> = Vec::with_capacity(labels.len() + 1);
    let all = labels
        .iter()
        .map(|(k, v)| (label_name(k.as_ref()), v.as_ref()))
        .chain(le.map(|le| ("le".to_owned(), le)));
    for (name, value) in all {
        if seen.contains(&name) {
            continue;
        }
        parts.push(format!("{name}=\"{}\"", escape_label(value)));
        seen.push(name);
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// Label names allow letters, digits and `_`, not starting with a digit
/// (nor with `__`, which is reserved); CloudWatch dimension names may also
/// hold `-` and `:`.
pub fn label_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) || out.starts_with("__") {
        out.insert(0, 'l');
    }
    out
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(help: &str, format: Format) -> String {
    let s = help.replace('\\', "\\\\").replace('\n', "\\n");
    match format {
        Format::Prometheus => s,
        Format::OpenMetrics => s.replace('"', "\\\""),
    }
}

/// A sample value: integers without a fraction, infinities as `+Inf`.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(write: impl Fn(&mut Exposition)) -> (String, String) {
        let mut p = Exposition::new(Format::Prometheus);
        write(&mut p);
        let mut o = Exposition::new(Format::OpenMetrics);
        write(&mut o);
        (p.finish(), o.finish())
    }

    #[test]
    fn counters_are_named_for_each_format() {
        let (p, o) = both(|e| {
            let mut f = e.family("jobs", Kind::Counter, "Jobs \"done\".");
            f.sample(&[("kind", "a")], 3.0);
        });
        assert_eq!(
            p,
            "# HELP jobs_total Jobs \"done\".\n# TYPE jobs_total counter\njobs_total{kind=\"a\"} 3\n"
        );
        assert_eq!(
            o,
            "# HELP jobs Jobs \\\"done\\\".\n# TYPE jobs counter\njobs_total{kind=\"a\"} 3\n# EOF\n"
        );
    }

    #[test]
    fn info_is_a_gauge_in_prometheus_text() {
        let (p, o) = both(|e| {
            e.family("app_build", Kind::Info, "Build.")
                .sample(&[("version", "1.2.3")], 1.0);
        });
        assert!(p.contains("# TYPE app_build_info gauge\napp_build_info{version=\"1.2.3\"} 1\n"));
        assert!(o.contains("# TYPE app_build info\napp_build_info{version=\"1.2.3\"} 1\n"));
    }

    #[test]
    fn histograms_are_cumulative_with_canonical_bounds() {
        let (p, _) = both(|e| {
            let mut f = e.family("lat_seconds", Kind::Histogram, "Latency.");
            f.histogram(
                &[("op", "x")],
                &HistogramReading {
                    bounds: &[0.005, 1.0],
                    buckets: &[2, 1, 4],
                    sum: 12.5,
                    count: 7,
                },
            );
        });
        assert_eq!(
            p,
            "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n\
             lat_seconds_bucket{op=\"x\",le=\"0.005\"} 2\n\
             lat_seconds_bucket{op=\"x\",le=\"1.0\"} 3\n\
             lat_seconds_bucket{op=\"x\",le=\"+Inf\"} 7\n\
             lat_seconds_sum{op=\"x\"} 12.5\n\
             lat_seconds_count{op=\"x\"} 7\n"
        );
    }

    #[test]
    fn labels_are_escaped_sanitised_and_unique() {
        let (p, _) = both(|e| {
            e.family("g", Kind::Gauge, "G.").sample(
                &[
                    ("X-Campaign", "a \"b\"\\\nc"),
                    ("9lives", "v"),
                    ("X_Campaign", "dropped"),
                    ("__name", "w"),
                ],
                0.25,
            );
        });
        assert!(
            p.contains(r#"g{X_Campaign="a \"b\"\\\nc",l9lives="v",l__name="w"} 0.25"#),
            "{p}"
        );
    }

    #[test]
    fn the_format_follows_the_accept_header() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::from_accept(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(Format::from_accept(Some("text/plain")), Format::Prometheus);
        assert_eq!(Format::from_accept(None), Format::Prometheus);
        assert_eq!(
            Format::from_accept(Some("application/openmetrics-text; q=0")),
            Format::Prometheus
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NAN), "NaN");
    }
}
