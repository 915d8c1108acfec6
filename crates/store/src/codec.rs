//! How record bodies are kept, by every backend (SQLite schema version 5,
//! PostgreSQL from its first).
//!
//! Every record of a message carries the same `mail` object, most of the
//! record's bytes. The store keeps that object once, on the message row, and
//! each record only as the bytes around it; the record is put back together
//! byte for byte on read. Both parts are compressed with zstd and a small
//! built-in dictionary of SES's key names and constant strings.
//!
//! `records.body` is one of:
//! - TEXT: the whole record as received (SQLite rows written before
//!   version 5; the SQLite backend reads those itself);
//! - BLOB `[1][len u32][zstd]`: the whole record, compressed (its `mail`
//!   differs from the message's);
//! - BLOB `[2][offset u32][len u32][zstd]`: the record without its `mail`
//!   value, which goes back at `offset`, taken from `messages.mail`.
//!
//! `messages.mail` is `[1][len u32][zstd]` of the `mail` value's exact text,
//! and `messages.mail_hash` its XXH3-64, to tell a record's `mail` is the
//! same without decompressing anything.

use std::cell::RefCell;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::value::RawValue;
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::error::StoreError;
use crate::types::{Message, NewRecord};

/// Compression level: the fastest, as the dictionary does most of the
/// work. On bodies of a few hundred bytes level 3 spent about twice the CPU
/// (zstd was a sixth of an import's) for about 1% less disk.
const LEVEL: i32 = 1;

/// A raw-content dictionary: SES's key names and constant strings, in the
/// order records use them. Values are left out on purpose, so that the
/// ratio does not depend on any particular sender's traffic. Never change
/// it: stored bodies need it to decompress (add a new codec instead).
const DICTIONARY: &str = concat!(
    r#"{"eventType":"Bounce","bounce":{"feedbackId":"-000000","bounceType":"Permanent","bounceSubType":"General","#,
    r#""bouncedRecipients":[{"emailAddress":"","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"#,
    r#""timestamp":"2026-01-01T00:00:00.000Z","remoteMtaIp":"","reportingMTA":"dsn; a0-0.smtp-out.amazonses.com"}"#,
    r#"{"eventType":"Complaint","complaint":{"feedbackId":"-000000","complaintSubType":null,"complainedRecipients":[{"emailAddress":""}],"#,
    r#""timestamp":"","userAgent":"","complaintFeedbackType":"abuse","arrivalDate":""}"#,
    r#"{"eventType":"Delivery","delivery":{"timestamp":"","processingTimeMillis":,"recipients":[""],"smtpResponse":"250 ok ","#,
    r#""reportingMTA":".smtp-out.amazonses.com","remoteMtaIp":""}"#,
    r#"{"eventType":"Send","send":{}}{"eventType":"Reject","reject":{"reason":"Bad content"}}"#,
    r#"{"eventType":"Open","open":{"ipAddress":"","timestamp":"","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/ Safari/537.36"}"#,
    r#"{"eventType":"Click","click":{"ipAddress":"","link":"https://","linkTags":{},"timestamp":"","userAgent":"Mozilla/5.0 "}"#,
    r#"{"eventType":"Rendering Failure","failure":{"errorMessage":"","templateName":""}"#,
    r#"{"eventType":"DeliveryDelay","deliveryDelay":{"timestamp":"","delayType":"TransientCommunicationFailure","expirationTime":"","delayedRecipients":[{"emailAddress":"","status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 "}]}"#,
    r#"{"eventType":"Subscription","subscription":{"contactList":"","timestamp":"","source":"UnsubscribeHeader","newTopicPreferences":{"unsubscribeAll":false,"topicSubscriptionStatus":[{"topicName":"","subscriptionStatus":"OptOut"}]},"oldTopicPreferences":{"unsubscribeAll":false,"topicSubscriptionStatus":[{"topicName":"","subscriptionStatus":"OptIn"}]}}"#,
    r#"{"notificationType":"Delivery","mail":{"timestamp":"2026-01-01T00:00:00.000Z","source":"","sourceArn":"arn:aws:ses:us-east-1::identity/","sourceIp":"","callerIdentity":"","sendingAccountId":"","messageId":"-000000","#,
    r#""destination":[""],"headersTruncated":false,"headers":[{"name":"Received","value":""},{"name":"From","value":""},{"name":"To","value":""},{"name":"Subject","value":""},{"name":"MIME-Version","value":"1.0"},"#,
    r#"{"name":"Content-Type","value":"text/html; charset=UTF-8"},{"name":"Content-Transfer-Encoding","value":"7bit"},{"name":"Message-ID","value":""},{"name":"Date","value":""}],"#,
    r#""commonHeaders":{"returnPath":"","from":[""],"date":"","to":[""],"messageId":"","subject":""},"#,
    r#""tags":{"ses:operation":["SendEmail"],"ses:configuration-set":[""],"ses:source-ip":[""],"ses:from-domain":[""],"ses:caller-identity":[""],"ses:outgoing-ip":[""],"ses:source-tls-version":["TLSv1.3"]}},"#,
    r#""mail":{"timestamp":"2026-01-01T00:00:00.000Z","source":"","sourceArn":"arn:aws:ses:us-east-1::identity/","sendingAccountId":"","messageId":"-000000","destination":[""],"headersTruncated":false,"headers":[{"name":"From","value":""},{"name":"To","value":""},{"name":"Subject","value":""}],"commonHeaders":{"from":[""],"to":[""],"messageId":"","subject":""},"tags":{"ses:operation":["SendEmail"],"ses:configuration-set":[""],"ses:source-ip":[""],"ses:from-domain":[""],"ses:caller-identity":[""]}}"#,
);

static ENCODER: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICTIONARY.as_bytes(), LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICTIONARY.as_bytes()));

thread_local! {
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

const WHOLE: u8 = 1;
const SPLIT: u8 = 2;

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("record codec: {e}"))
}

fn compress(data: &[u8]) -> Result<Vec<u8>, StoreError> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(Compressor::with_prepared_dictionary(&ENCODER).map_err(backend)?);
        }
        c.as_mut()
            .expect("set above")
            .compress(data)
            .map_err(backend)
    })
}

fn decompress(data: &[u8], len: usize) -> Result<Vec<u8>, StoreError> {
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(Decompressor::with_prepared_dictionary(&DECODER).map_err(backend)?);
        }
        d.as_mut()
            .expect("set above")
            .decompress(data, len)
            .map_err(backend)
    })
}

fn u32_at(b: &[u8], at: usize) -> Result<usize, StoreError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or_else(|| backend("truncated body"))
}

/// XXH3-64 of some bytes, as a signed 64-bit integer (the type both
/// SQLite and PostgreSQL keep).
pub(crate) fn hash(bytes: &[u8]) -> i64 {
    xxhash_rust::xxh3::xxh3_64(bytes) as i64
}

/// A record body ready for the writer: split around its `mail` value and
/// the rest already compressed, so the writer thread only inserts.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    /// Byte range of the `mail` value in the body, with its hash.
    pub mail: Option<(std::ops::Range<usize>, i64)>,
    /// `records.body` to store when the message holds the same `mail`.
    pub split: Vec<u8>,
    /// The dedupe key's hash.
    pub dedupe: i64,
    /// The `mail` value compressed for `messages.mail`, made for the first
    /// record of each message in a batch (the writer makes it otherwise).
    pub mail_whole: Option<Vec<u8>>,
    /// Each recipient's insights details, as JSON text.
    pub details: Vec<Option<String>>,
    /// The message's tags and recipients as JSON, for a new message row.
    pub message_json: Option<(String, String)>,
}

impl Encoded {
    /// `messages.mail` for this record's `mail` value (the body it was
    /// encoded from): the copy prepared off the writer, or one made now.
    pub(crate) fn mail_blob(
        &self,
        body: &str,
        span: &std::ops::Range<usize>,
    ) -> Result<Vec<u8>, StoreError> {
        match &self.mail_whole {
            Some(b) => Ok(b.clone()),
            None => whole(&body[span.clone()]),
        }
    }
}

#[derive(Deserialize)]
struct MailOnly<'a> {
    #[serde(borrow)]
    mail: Option<&'a RawValue>,
}

/// Finds the exact text of the top-level `mail` value of a record.
fn mail_span(body: &str) -> Option<std::ops::Range<usize>> {
    let parsed: MailOnly<'_> = serde_json::from_str(body).ok()?;
    let raw = parsed.mail?.get();
    let start = raw.as_ptr() as usize - body.as_ptr() as usize;
    Some(start..start + raw.len())
}

/// Splits and compresses a record body (off the writer thread).
pub(crate) fn encode(body: &str, dedupe_key: &str, with_mail: bool) -> Result<Encoded, StoreError> {
    let dedupe = hash(dedupe_key.as_bytes());
    match mail_span(body) {
        Some(span) => encode_split(body, dedupe, span, with_mail),
        None => whole_only(body, dedupe),
    }
}

/// A body kept whole: it has no `mail`, or its `mail` is not the message's.
fn whole_only(body: &str, dedupe: i64) -> Result<Encoded, StoreError> {
    Ok(Encoded {
        mail: None,
        split: whole(body)?,
        dedupe,
        mail_whole: None,
        details: Vec::new(),
        message_json: None,
    })
}

/// A body split around its `mail` value at `span`.
fn encode_split(
    body: &str,
    dedupe: i64,
    span: std::ops::Range<usize>,
    with_mail: bool,
) -> Result<Encoded, StoreError> {
    let mut rest = Vec::with_capacity(body.len() - span.len());
    rest.extend_from_slice(&body.as_bytes()[..span.start]);
    rest.extend_from_slice(&body.as_bytes()[span.end..]);
    let packed = compress(&rest)?;
    let mut split = Vec::with_capacity(9 + packed.len());
    split.push(SPLIT);
    split.extend_from_slice(&(span.start as u32).to_le_bytes());
    split.extend_from_slice(&(rest.len() as u32).to_le_bytes());
    split.extend_from_slice(&packed);
    let mail_hash = hash(&body.as_bytes()[span.clone()]);
    let mail_whole = if with_mail {
        Some(whole(&body[span.clone()])?)
    } else {
        None
    };
    Ok(Encoded {
        mail: Some((span, mail_hash)),
        split,
        dedupe,
        mail_whole,
        details: Vec::new(),
        message_json: None,
    })
}

/// The whole body, compressed (`[1][len][zstd]`); also the form of `messages.mail`.
pub(crate) fn whole(text: &str) -> Result<Vec<u8>, StoreError> {
    let packed = compress(text.as_bytes())?;
    let mut out = Vec::with_capacity(5 + packed.len());
    out.push(WHOLE);
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(&packed);
    Ok(out)
}

fn unwhole(b: &[u8]) -> Result<Vec<u8>, StoreError> {
    let len = u32_at(b, 1)?;
    decompress(&b[5..], len)
}

fn utf8(v: Vec<u8>) -> Result<String, StoreError> {
    String::from_utf8(v).map_err(backend)
}

/// Puts a stored (binary) record back together; `mail` is `messages.mail`.
pub(crate) fn decode(b: &[u8], mail: Option<&[u8]>) -> Result<String, StoreError> {
    match b.first() {
        Some(&WHOLE) => utf8(unwhole(b)?),
        Some(&SPLIT) => {
            let (offset, len) = (u32_at(b, 1)?, u32_at(b, 5)?);
            let rest = decompress(&b[9..], len)?;
            let mail = unwhole(mail.ok_or_else(|| backend("the message lost its mail"))?)?;
            if offset > rest.len() {
                return Err(backend("bad mail offset"));
            }
            let mut out = Vec::with_capacity(rest.len() + mail.len());
            out.extend_from_slice(&rest[..offset]);
            out.extend_from_slice(&mail);
            out.extend_from_slice(&rest[offset..]);
            utf8(out)
        }
        _ => Err(backend("unknown body codec")),
    }
}

/// A record's text as kept before compression (old SQLite rows).
pub(crate) fn decode_text(t: &[u8]) -> Result<String, StoreError> {
    utf8(t.to_vec())
}

/// Encodes bodies before they reach a write transaction.
pub(crate) fn encode_all(records: &[NewRecord]) -> Result<Vec<Encoded>, StoreError> {
    encode_each(records.iter())
}

/// Encodes bodies, preparing `messages.mail` for each message's first.
pub(crate) fn encode_each<'a>(
    records: impl Iterator<Item = &'a NewRecord>,
) -> Result<Vec<Encoded>, StoreError> {
    let mut seen = std::collections::HashSet::new();
    records
        .map(|r| {
            let mut e = encode(&r.body, &r.dedupe_key, seen.insert(r.message_id.as_str()))?;
            e.details = details_of(r);
            Ok(e)
        })
        .collect()
}

/// [`encode`] for a record of a message the store may already hold, whose
/// `messages.mail_hash` is `stored` (`None`: no row, or a stub without
/// `mail`). The scheduler's releases use it: each body is compressed once,
/// in the form the writer will keep, so the writer thread compresses
/// nothing, and the message's `mail` is not prepared again when the row
/// already has it. A DELIVERY's `mail` differs from its SEND's (it carries
/// `ses:outgoing-ip`), so it is kept whole.
///
/// Kept whole, the body needs nothing from the message row, so the stored
/// form is right whatever happens to that row before the write.
pub(crate) fn encode_for(r: &NewRecord, stored: Option<i64>) -> Result<Encoded, StoreError> {
    let dedupe = hash(r.dedupe_key.as_bytes());
    let body = r.body.as_str();
    let mut e = match mail_span(body) {
        Some(span) => match stored {
            None => encode_split(body, dedupe, span, true)?,
            Some(h) if h == hash(&body.as_bytes()[span.clone()]) => {
                encode_split(body, dedupe, span, false)?
            }
            Some(_) => whole_only(body, dedupe)?,
        },
        None => whole_only(body, dedupe)?,
    };
    e.details = details_of(r);
    Ok(e)
}

/// Each recipient's insights details as JSON text, in recipient order.
fn details_of(r: &NewRecord) -> Vec<Option<String>> {
    r.recipients
        .iter()
        .map(|ev| ev.details.as_ref().map(|d| d.to_string()))
        .collect()
}

/// [`encode_each`] for an ingest batch, with each new message's JSON columns.
pub(crate) fn encode_batch(batch: &[(Message, NewRecord)]) -> Result<Vec<Encoded>, StoreError> {
    let mut out = encode_each(batch.iter().map(|(_, r)| r))?;
    for ((m, _), e) in batch.iter().zip(&mut out) {
        if e.mail_whole.is_some() || e.mail.is_none() {
            e.message_json = Some((
                serde_json::to_string(&m.tags)?,
                serde_json::to_string(&m.recipients)?,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_bodies_come_back_byte_for_byte() {
        for body in [
            r#"{"eventType":"Send","mail":{"messageId":"m","destination":["a@x"]},"send":{}}"#,
            r#"{ "mail" : { "a" : [1, 2] } , "eventType" : "Open" }"#,
            r#"{"eventType":"Send","send":{},"mail":{"messageId":"é"}}"#,
        ] {
            let e = encode(body, "k", false).unwrap();
            let (span, h) = e.mail.clone().unwrap();
            assert_eq!(h, hash(&body.as_bytes()[span.clone()]));
            let mail = whole(&body[span]).unwrap();
            let back = decode(&e.split, Some(&mail)).unwrap();
            assert_eq!(back, body);
        }
    }

    /// A released record is compressed once, in the form its message's
    /// stored `mail` calls for, and always comes back byte for byte.
    #[test]
    fn released_records_are_encoded_for_what_the_message_holds() {
        let body = r#"{"eventType":"Delivery","mail":{"messageId":"m","tags":{"ses:outgoing-ip":["192.0.2.1"]}},"delivery":{}}"#;
        let r = NewRecord {
            account_id: "111122223333".into(),
            message_id: "m".into(),
            event_type: mailsight_model::EventType::Delivery,
            timestamp: 0,
            dedupe_key: "k".into(),
            body: body.into(),
            recipients: Vec::new(),
            configuration_set: None,
            identity: None,
            machine: None,
        };
        let span = mail_span(body).unwrap();
        let own = hash(&body.as_bytes()[span.clone()]);
        let mail = whole(&body[span]).unwrap();

        // The message holds this very `mail`: only the rest is kept.
        let same = encode_for(&r, Some(own)).unwrap();
        assert_eq!(same.split[0], SPLIT);
        assert!(same.mail_whole.is_none());
        assert_eq!(decode(&same.split, Some(&mail)).unwrap(), body);

        // Another `mail` (the SEND's, without the outgoing IP): kept whole.
        let other = encode_for(&r, Some(own ^ 1)).unwrap();
        assert!(other.mail.is_none());
        assert_eq!(other.split[0], WHOLE);
        assert_eq!(decode(&other.split, None).unwrap(), body);

        // No `mail` stored yet: split, with the message's `mail` prepared.
        let none = encode_for(&r, None).unwrap();
        assert_eq!(none.split[0], SPLIT);
        assert_eq!(none.mail_whole.as_deref(), Some(&mail[..]));
    }

    #[test]
    fn whole_and_legacy_bodies_decode() {
        let body = r#"{"eventType":"Send"}"#;
        let e = encode(body, "k", false).unwrap();
        assert!(e.mail.is_none());
        assert_eq!(decode(&e.split, None).unwrap(), body);
        assert_eq!(decode_text(body.as_bytes()).unwrap(), body);
        assert!(decode(&[9, 0], None).is_err());
    }
}
