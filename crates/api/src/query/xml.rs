//! XML answers in the shape of the query protocol (SNS, SES v1): every
//! success is `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result>
//! <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>`
//! and every error an `<ErrorResponse>`, which is what botocore and the AWS
//! CLI parse. Each service has its own namespace. Timestamps are ISO 8601
//! in UTC ([`timestamp`]), as the query protocol writes them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Escapes text for an element's content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A small writer of well-formed XML: elements are closed in order and all
/// text is escaped.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        Xml::default()
    }

    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>` … children written by `f` … `</name>`.
    pub fn elem(&mut self, name: &str, f: impl FnOnce(&mut Xml)) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        f(self);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// A number the model types `double`, as botocore reads it back
    /// (`1000000.0`).
    pub fn double(&mut self, name: &str, v: f64) -> &mut Self {
        self.text(name, &format!("{v:?}"))
    }

    /// A list as the query protocol writes it: `<name>` with one `<member>`
    /// per item, each written by `f`.
    pub fn list<T>(&mut self, name: &str, items: &[T], f: impl Fn(&mut Xml, &T)) -> &mut Self {
        self.elem(name, |x| {
            for item in items {
                x.elem("member", |x| f(x, item));
            }
        })
    }

    /// An `Attributes` map as `<entry><key>…</key><value>…</value></entry>`s.
    pub fn entries<'a>(
        &mut self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> &mut Self {
        for (k, v) in pairs {
            self.elem("entry", |x| {
                x.text("key", k).text("value", v);
            });
        }
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A success answer; `result` is the content of `<{action}Result>`, or
/// `None` for actions that return nothing.
pub fn response(namespace: &str, action: &str, result: Option<String>, request_id: &str) -> String {
    let mut body = format!(r#"<{action}Response xmlns="{namespace}">"#);
    if let Some(result) = result {
        body.push_str(&format!("<{action}Result>{result}</{action}Result>"));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        escape(request_id)
    ));
    body
}

/// An answer or error as HTTP: the status and the XML, as `text/xml`.
pub fn http(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    r
}

/// A stored millisecond time as the query protocol writes a timestamp:
/// ISO 8601 in UTC, to the second (`2026-01-05T10:15:00Z`), as SES does.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => String::new(),
    }
}

/// An error answer.
pub fn error(namespace: &str, e: &ApiError, request_id: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="{namespace}"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>"#,
        e.fault(),
        escape(e.code),
        escape(&e.message),
        escape(request_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

    #[test]
    fn a_result_is_wrapped_in_the_action_s_elements() {
        let mut x = Xml::new();
        x.text("TopicArn", "arn:aws:sns:us-east-1:000000000000:t");
        assert_eq!(
            response(NAMESPACE, "CreateTopic", Some(x.finish()), "r-1"),
            r#"<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:t</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CreateTopicResponse>"#
        );
        assert_eq!(
            response(NAMESPACE, "DeleteTopic", None, "r"),
            r#"<DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteTopicResponse>"#
        );
    }

    #[test]
    fn errors_name_type_code_and_message() {
        let e = ApiError::new(
            "NotFound",
            axum::http::StatusCode::NOT_FOUND,
            "Topic <x> & co does not exist",
        );
        assert_eq!(
            error(NAMESPACE, &e, "r"),
            r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic &lt;x&gt; &amp; co does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>"#
        );
        assert!(error(NAMESPACE, &ApiError::internal("x"), "r").contains("<Type>Receiver</Type>"));
    }

    #[test]
    fn lists_have_members_and_doubles_a_fraction() {
        let mut x = Xml::new();
        x.list("Topics", &["a", "b"], |x, t| {
            x.text("TopicArn", t);
        })
        .list("Empty", &[] as &[&str], |_, _| {})
        .double("Max24HourSend", 1_000_000.0)
        .double("SentLast24Hours", 0.0);
        assert_eq!(
            x.finish(),
            "<Topics><member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member></Topics>\
             <Empty></Empty><Max24HourSend>1000000.0</Max24HourSend><SentLast24Hours>0.0</SentLast24Hours>"
        );
    }

    #[test]
    fn timestamps_are_iso_8601_to_the_second() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        // 2026-01-05T10:15:00.999Z: the fraction is dropped.
        assert_eq!(timestamp(1_767_608_100_999), "2026-01-05T10:15:00Z");
        assert_eq!(timestamp(i64::MAX), "");
    }

    #[test]
    fn text_is_escaped_and_entries_are_written() {
        let mut x = Xml::new();
        x.elem("Attributes", |x| {
            x.entries([("Endpoint", "http://h/?a=1&b='2'"), ("Bad", "a\u{1}b")]);
        });
        assert_eq!(
            x.finish(),
            "<Attributes><entry><key>Endpoint</key><value>http://h/?a=1&amp;b=&apos;2&apos;</value></entry>\
             <entry><key>Bad</key><value>ab</value></entry></Attributes>"
        );
    }
}
