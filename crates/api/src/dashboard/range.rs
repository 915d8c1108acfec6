//! The time range and filters the overview and reputation pages share: a
//! range picker (last 24 hours to 90 days) and filters by identity,
//! configuration set, ISP and tenant, all plain query parameters so a page
//! is a link.

use mailsight_model::Dimension;
use mailsight_store::{DAY_MS, HOUR_MS, Millis};
use maud::{Markup, html};

use super::DashError;
use super::access::Viewer;
use crate::body::query_param;

/// The ranges offered: (parameter, label, length).
pub const RANGES: [(&str, &str, Millis); 4] = [
    ("24h", "last 24 hours", DAY_MS),
    ("7d", "last 7 days", 7 * DAY_MS),
    ("30d", "last 30 days", 30 * DAY_MS),
    ("90d", "last 90 days", 90 * DAY_MS),
];

/// The filters offered: (parameter, label, dimension).
pub const FILTERS: [(&str, &str, Dimension); 4] = [
    ("identity", "Identity", Dimension::EmailIdentity),
    (
        "configuration_set",
        "Configuration set",
        Dimension::ConfigurationSet,
    ),
    ("isp", "ISP", Dimension::Isp),
    ("tenant", "Tenant", Dimension::TenantName),
];

/// What a page was asked to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub range: &'static str,
    pub start: Millis,
    pub end: Millis,
    /// Hourly up to a week, daily beyond.
    pub bucket: Millis,
    pub filters: Vec<(Dimension, Vec<String>)>,
    /// The filters as given, for the form and links.
    pub given: Vec<(&'static str, String)>,
    /// `until` as given: the range ends there instead of now (a past
    /// month, a link that shows the same data tomorrow).
    pub until: Option<String>,
}

/// Reads `range`, `until` and the filters from the query; `until` (any
/// form search takes: a date, a date-time, epoch seconds) or else `now` ends
/// the range (the current hour included).
pub fn selection(query: Option<&str>, now: Millis, default: &str) -> Result<Selection, DashError> {
    let asked = query_param(query, "range").unwrap_or_else(|| default.to_owned());
    let (range, _, length) = RANGES
        .iter()
        .find(|(p, _, _)| *p == asked)
        .copied()
        .ok_or_else(|| DashError::bad_request(format!("Unknown range {asked}.")))?;
    let until = query_param(query, "until")
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    let end = match &until {
        Some(u) => {
            let at = crate::search::parse_time(u, now)
                .map_err(|e| DashError::bad_request(format!("until: {e}")))?;
            at.div_euclid(HOUR_MS) * HOUR_MS + if at % HOUR_MS == 0 { 0 } else { HOUR_MS }
        }
        None => now.div_euclid(HOUR_MS) * HOUR_MS + HOUR_MS,
    };
    let bucket = if length <= 7 * DAY_MS {
        HOUR_MS
    } else {
        DAY_MS
    };
    let start = if bucket == DAY_MS {
        (end - length).div_euclid(DAY_MS) * DAY_MS
    } else {
        end - length
    };
    let mut filters = Vec::new();
    let mut given = Vec::new();
    for (param, _, dimension) in FILTERS {
        if let Some(v) = query_param(query, param).filter(|v| !v.trim().is_empty()) {
            let v = v.trim().to_owned();
            if v.len() > 320 {
                return Err(DashError::bad_request(format!("{param} is too long.")));
            }
            filters.push((dimension, vec![v.clone()]));
            given.push((param, v));
        }
    }
    Ok(Selection {
        range,
        start,
        end,
        bucket,
        filters,
        given,
        until,
    })
}

/// The form that changes the selection (with the filter boxes or not).
pub fn form(path: &str, viewer: &Viewer, s: &Selection, with_filters: bool) -> Markup {
    let value = |p: &str| {
        s.given
            .iter()
            .find(|(k, _)| *k == p)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    html! {
        form.search method="get" action=(path) {
            label for="range" { "Range" }
            select #range name="range" {
                @for (p, label, _) in RANGES {
                    option value=(p) selected[p == s.range] { (label) }
                }
            }
            label for="until" { "Until" }
            input id="until" type="text" name="until" value=(s.until.clone().unwrap_or_default()) size="12" placeholder="now";
            @for (p, label, _) in FILTERS.iter().filter(|_| with_filters) {
                label for=(p) { (label) }
                input id=(p) type="text" name=(p) value=(value(p)) size="18";
            }
            @if let Some((k, a)) = viewer.account_param() { input type="hidden" name=(k) value=(a); }
            button type="submit" { "Show" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_filters_come_from_the_query() {
        let now = 100 * DAY_MS + 5 * HOUR_MS + 7;
        let s = selection(Some("range=30d&isp=Gmail&identity="), now, "7d").unwrap();
        assert_eq!(s.bucket, DAY_MS);
        assert_eq!(s.end, 100 * DAY_MS + 6 * HOUR_MS);
        assert_eq!(s.start, 70 * DAY_MS);
        assert_eq!(s.filters, [(Dimension::Isp, vec!["Gmail".to_owned()])]);
        let s = selection(None, now, "24h").unwrap();
        assert_eq!((s.bucket, s.end - s.start), (HOUR_MS, DAY_MS));
        assert!(selection(Some("range=1y"), now, "7d").is_err());
        let s = selection(Some("range=7d&until=2026-01-31"), now, "24h").unwrap();
        assert_eq!(s.end, 1_769_817_600_000, "a whole hour ends where asked");
        assert_eq!(s.end - s.start, 7 * DAY_MS);
        assert_eq!(s.until.as_deref(), Some("2026-01-31"));
        assert!(selection(Some("until=yesterdayish"), now, "7d").is_err());
    }
}
