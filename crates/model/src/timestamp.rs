//! Timestamp text as SES writes it in event records.
//!
//! Records carry timestamps as strings (`2017-08-05T00:41:02.669Z`) and the
//! model keeps them as strings so a record read and written back is
//! byte-identical. These helpers are the one place that turns such text into
//! an instant and back: records we produce always use millisecond precision
//! and `Z`, while records we ingest may come from elsewhere and are read
//! leniently (any RFC 3339 offset, with or without a fraction).

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Milliseconds since the Unix epoch, now: the one clock every stored time
/// (`created_at`, due times, leases) is read from.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Text that is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp '{input}': expected RFC 3339, e.g. 2024-05-01T10:00:00.000Z")]
pub struct TimestampError {
    /// The text that failed to parse.
    pub input: String,
}

/// Writes an instant the way SES does: UTC, milliseconds, `Z`.
///
/// Sub-millisecond digits are truncated, not rounded, so the result never
/// lies in the future of the instant it describes. Years outside 0000–9999
/// cannot be written as RFC 3339; they are written with a sign and should
/// never occur in mail.
pub fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Milliseconds since the epoch as [`format_timestamp`] writes them; empty
/// for an instant RFC 3339 cannot hold.
pub fn format_millis(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(format_timestamp)
        .unwrap_or_default()
}

/// Reads an RFC 3339 date-time, with or without a fraction and with any
/// offset, and returns it in UTC.
pub fn parse_timestamp(s: &str) -> Result<OffsetDateTime, TimestampError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| t.to_offset(UtcOffset::UTC))
        .map_err(|_| TimestampError {
            input: s.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_with_milliseconds_and_z() {
        assert_eq!(
            format_timestamp(datetime!(2017-08-05 00:41:02.669 UTC)),
            "2017-08-05T00:41:02.669Z"
        );
        assert_eq!(
            format_timestamp(datetime!(2017-08-05 00:41:02 UTC)),
            "2017-08-05T00:41:02.000Z"
        );
        // Truncation, and conversion from a non-UTC offset.
        assert_eq!(
            format_timestamp(datetime!(2017-08-05 02:41:02.669999 +02:00)),
            "2017-08-05T00:41:02.669Z"
        );
    }

    #[test]
    fn parses_with_and_without_fraction_and_offsets() {
        let a = parse_timestamp("2017-08-05T00:41:02.669Z").unwrap();
        assert_eq!(a, datetime!(2017-08-05 00:41:02.669 UTC));
        let b = parse_timestamp("2017-08-05T00:41:02Z").unwrap();
        assert_eq!(b, datetime!(2017-08-05 00:41:02 UTC));
        let c = parse_timestamp("2017-08-05T02:41:02.5+02:00").unwrap();
        assert_eq!(c, datetime!(2017-08-05 00:41:02.5 UTC));
        assert_eq!(c.offset(), UtcOffset::UTC);
        // RFC 3339 allows a space for the `T`.
        assert_eq!(parse_timestamp("2017-08-05 00:41:02Z").unwrap(), b);
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in [
            "",
            "2017-08-05",
            "Wed, 27 Jan 2016 14:05:45 +0000",
            "2017-08-05T00:41:02",
            "x",
        ] {
            let err = parse_timestamp(bad).unwrap_err();
            assert_eq!(err.input, bad);
        }
    }
}
