//! The commands that read the server's data (its data directory or its
//! database, `mailsight::store::StoreArgs`), one file each, and what
//! their output shares: aligned tables and ISO-8601 times.
//!
//! - [`copy`]: `mailsight copy --to postgres://…`.
//! - [`deliveries`]: `mailsight deliveries`.
//! - [`message`]: `mailsight message <id>`.
//! - [`rollups`]: `mailsight rollups rebuild`.

pub mod copy;
pub mod deliveries;
pub mod message;
pub mod rollups;

use mailsight_store::Millis;

/// Epoch milliseconds as ISO-8601 UTC (`2024-05-01T10:00:00.000Z`).
pub fn iso(ms: Millis) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => mailsight_model::format_timestamp(t),
        Err(_) => ms.to_string(),
    }
}

/// Text cut to at most `max` characters, with `…` where it was cut.
pub fn truncate(text: &str, max: usize) -> String {
    let one_line = text.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Rows under a header, each column as wide as its widest cell, two
/// spaces apart; the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate().take(columns) {
            if i + 1 == columns {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let text = table(
            &["id", "status", "error"],
            &[
                vec!["1".into(), "delivered".into(), "".into()],
                vec!["12345".into(), "dead".into(), "boom".into()],
            ],
        );
        assert_eq!(
            text,
            "id     status     error\n\
             1      delivered\n\
             12345  dead       boom\n"
        );
    }

    #[test]
    fn times_are_iso_utc_and_long_text_is_cut() {
        assert_eq!(iso(1_714_557_600_123), "2024-05-01T10:00:00.123Z");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a\nb", 10), "a b");
        let cut = truncate(&"é".repeat(100), 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }
}
