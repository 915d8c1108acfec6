//! The time checks: credential-scope date, clock skew, presigned expiry.

use time::OffsetDateTime;

use crate::amzdate::{format_amz_date, format_scope_date};
use crate::error::SigV4Error;
use crate::parse::Authorization;

/// Checks the timestamps of `auth` against `now`:
///
/// * the credential-scope date must be the (UTC) date of the request time;
/// * the request time may be at most `max_skew` ahead of `now`;
/// * header-signed requests may be at most `max_skew` old;
/// * presigned requests are good until request time + `X-Amz-Expires`.
pub fn check_time(
    auth: &Authorization,
    now: OffsetDateTime,
    max_skew: std::time::Duration,
) -> Result<(), SigV4Error> {
    let request_day = format_scope_date(auth.date);
    if auth.scope_date != request_day {
        return Err(SigV4Error::invalid(format!(
            "The date of the credential scope ({}) does not match the date of the request \
             time ({request_day}, from {}).",
            auth.scope_date,
            format_amz_date(auth.date)
        )));
    }

    let skew = time::Duration::try_from(max_skew).unwrap_or(time::Duration::MAX);
    let signed = format_amz_date(auth.date);
    let now_text = format_amz_date(now);
    let skew_text = describe(max_skew);

    if let Some(latest) = now.checked_add(skew)
        && auth.date > latest
    {
        return Err(SigV4Error::NotYetCurrent(format!(
            "Signature not yet current: {signed} is still later than {} ({now_text} + {skew_text}.)",
            format_amz_date(latest)
        )));
    }

    match auth.expires {
        Some(expires) if auth.presigned => {
            let lifetime = time::Duration::seconds(i64::try_from(expires).unwrap_or(i64::MAX));
            if let Some(expiry) = auth.date.checked_add(lifetime)
                && now > expiry
            {
                return Err(SigV4Error::Expired(format!(
                    "Signature expired: the presigned request signed at {signed} was valid for \
                     {expires} seconds, until {}; it is now {now_text}.",
                    format_amz_date(expiry)
                )));
            }
        }
        _ => {
            if let Some(earliest) = now.checked_sub(skew)
                && auth.date < earliest
            {
                return Err(SigV4Error::Expired(format!(
                    "Signature expired: {signed} is now earlier than {} ({now_text} - {skew_text}.)",
                    format_amz_date(earliest)
                )));
            }
        }
    }
    Ok(())
}

/// "15 min" / "90 sec".
fn describe(skew: std::time::Duration) -> String {
    let secs = skew.as_secs();
    if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} sec")
    }
}
