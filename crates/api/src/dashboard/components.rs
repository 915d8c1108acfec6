//! Pieces several pages use: times, badges, notices, pagers, JSON blocks,
//! and the escaping of values put into links.

use maud::{Markup, html};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::body::query_param;

/// Longest text shown of a record body or a message part; the rest is cut
/// (the admin API serves the whole of it).
pub const MAX_SHOWN_BYTES: usize = 256 * 1024;

/// Characters kept as they are in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'@')
    .remove(b'+');

/// `s` escaped for use as one path segment.
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// `path?k=v&…` with every value url-encoded; `None` values are left out.
pub fn link(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        if let Some(v) = v {
            query.append_pair(k, v);
            any = true;
        }
    }
    if any {
        format!("{path}?{}", query.finish())
    } else {
        path.to_owned()
    }
}

/// A time as `YYYY-MM-DD HH:MM:SS UTC` in a `<time>` element (the script
/// shows it in the browser's time zone).
pub fn time(ms: i64) -> Markup {
    match utc(ms) {
        Some((iso, text)) => html! { time datetime=(iso) { (text) } },
        None => html! { span.muted { "—" } },
    }
}

/// The ISO 8601 and the display text of a time; `None` for 0 or out of
/// range.
pub fn utc(ms: i64) -> Option<(String, String)> {
    if ms <= 0 {
        return None;
    }
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    let text = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    Some((mailsight_model::format_timestamp(at), text))
}

/// A short label with a class named for what it says (`BOUNCE`, `dead`).
pub fn badge(text: &str) -> Markup {
    let class: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    html! { span class={ "badge " (class) } { (text) } }
}

/// A line of feedback after an action.
pub fn notice(ok: bool, text: &str) -> Markup {
    html! { p.notice.ok[ok].error[!ok] role="status" { (text) } }
}

/// A "Next page" link, if there is a next page.
pub fn pager(next: Option<String>) -> Markup {
    html! {
        @if let Some(href) = next {
            div.pager { a rel="next" href=(href) { "Next page →" } }
        }
    }
}

/// A record body as indented JSON (as it came if it is not JSON), cut at
/// [`MAX_SHOWN_BYTES`].
pub fn json_block(body: &str) -> Markup {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned());
    let (shown, cut) = cut(&pretty, MAX_SHOWN_BYTES);
    html! {
        pre { (shown) }
        @if cut { p.muted { "(cut at " (MAX_SHOWN_BYTES / 1024) " KiB)" } }
    }
}

/// At most `max` bytes of `s`, on a character boundary, and whether it
/// was cut.
pub fn cut(s: &str, max: usize) -> (&str, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

/// The `refresh` parameter: reload every N seconds (5 to 3600), if asked.
pub fn refresh(query: Option<&str>) -> Option<u32> {
    query_param(query, "refresh")
        .and_then(|v| v.parse::<u32>().ok())
        .map(|s| s.clamp(5, 3600))
}

/// A link that turns auto-refresh on or off for the page at `path`.
pub fn refresh_toggle(path: &str, refresh: Option<u32>) -> Markup {
    let (next, label) = match refresh {
        Some(_) => (path.to_owned(), "Stop auto-refresh"),
        None => (
            format!(
                "{path}{}refresh=10",
                if path.contains('?') { '&' } else { '?' }
            ),
            "Auto-refresh every 10 s",
        ),
    };
    html! { p.muted { a href=(next) { (label) } } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_links_are_encoded() {
        assert_eq!(segment("a b/<c>@d.e"), "a%20b%2F%3Cc%3E@d.e");
        assert_eq!(
            link("/p", &[("q", Some("a&b=c")), ("x", None), ("y", Some("é"))]),
            "/p?q=a%26b%3Dc&y=%C3%A9"
        );
        assert_eq!(link("/p", &[("x", None)]), "/p");
    }

    #[test]
    fn times_and_cuts() {
        assert_eq!(
            utc(1_700_000_000_000).map(|(_, t)| t).as_deref(),
            Some("2023-11-14 22:13:20 UTC")
        );
        assert_eq!(utc(0), None);
        assert_eq!(cut("héllo", 2), ("h", true));
        assert_eq!(cut("abc", 3), ("abc", false));
        assert_eq!(refresh(Some("refresh=1")), Some(5));
        assert_eq!(refresh(Some("refresh=x")), None);
    }

    #[test]
    fn markup_escapes_what_it_is_given() {
        let html = badge("<b>").into_string();
        assert!(
            html.contains("&lt;b&gt;") && !html.contains("<b>"),
            "{html}"
        );
        let block = json_block("</pre><script>x</script>").into_string();
        assert!(!block.contains("<script>"), "{block}");
    }
}
