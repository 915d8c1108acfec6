//! Rewrites a message's HTML for open and click tracking, as SES does:
//! each trackable `<a href>` is wrapped, `ses:tags` become the click's link
//! tags, `ses:no-track` opts a link out (and is removed), and a 1×1 pixel
//! goes at the end of the body.

use std::cell::{Cell, RefCell};

use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use serde_json::{Map, Value, json};

use super::entities::decode_attribute;

/// SES tracks at most this many links per message.
pub const MAX_TRACKED_LINKS: usize = 250;

/// Turns a link and its tags into a tracking URL.
pub type Wrap<'a> = &'a dyn Fn(&str, Map<String, Value>) -> String;

/// What the rewrite adds.
pub struct Tracking<'a> {
    /// The pixel's URL, when opens are tracked.
    pub pixel: Option<String>,
    /// Wraps a link (and its tags) into a tracking URL, when clicks are.
    pub wrap: Option<Wrap<'a>>,
}

/// Whether `link` is trackable: an absolute http(s) URL written in valid
/// RFC 3986 form (SES leaves links with raw spaces and the like untracked,
/// and never tracks `mailto:`).
pub fn trackable(link: &str) -> bool {
    let bytes = link.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        if !allowed {
            return false;
        }
        i += 1;
    }
    match url::Url::parse(link) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
        Err(_) => false,
    }
}

/// Parses `ses:tags="k1:v1;k2:v2;"` into link tags (`{"k1":["v1"]}`),
/// keeping only names and values SES allows (`0-9A-Za-z-_`).
pub fn link_tags(attr: &str) -> Map<String, Value> {
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let mut tags = Map::new();
    for pair in attr.split(';') {
        let Some((k, v)) = pair.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if ok(k) && ok(v) {
            match tags.get_mut(k).and_then(Value::as_array_mut) {
                Some(values) => values.push(json!(v)),
                None => {
                    tags.insert(k.to_owned(), json!([v]));
                }
            }
        }
    }
    tags
}

/// The pixel markup for `url`.
fn pixel_html(url: &str) -> String {
    format!(
        r#"<img alt="" src="{url}" style="display: none; width: 1px; height: 1px;" width="1" height="1">"#
    )
}

/// Rewrites `html`; returns it unchanged if it cannot be parsed.
pub fn rewrite_html(html: &str, t: &Tracking<'_>) -> String {
    let wrapped = Cell::new(0usize);
    let body_seen = Cell::new(false);
    let failure = RefCell::new(None::<String>);
    let result = rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("a[href]", |el| {
                let no_track = el.has_attribute("ses:no-track");
                el.remove_attribute("ses:no-track");
                let tags = el
                    .get_attribute("ses:tags")
                    .map(|a| link_tags(&a))
                    .unwrap_or_default();
                el.remove_attribute("ses:tags");
                let Some(wrap) = t.wrap else { return Ok(()) };
                // lol_html gives the value as written: decode it once, so
                // the redirect and the Click event carry the link a browser
                // would have followed.
                let href = el.get_attribute("href").unwrap_or_default();
                let href = decode_attribute(href.trim());
                let href = href.as_str();
                if no_track || !trackable(href) || wrapped.get() >= MAX_TRACKED_LINKS {
                    return Ok(());
                }
                wrapped.set(wrapped.get() + 1);
                if let Err(e) = el.set_attribute("href", &wrap(href, tags)) {
                    *failure.borrow_mut() = Some(e.to_string());
                }
                Ok(())
            }))
            .append_element_content_handler(element!("body", |el| {
                body_seen.set(true);
                if let Some(url) = &t.pixel {
                    el.append(&pixel_html(url), ContentType::Html);
                }
                Ok(())
            })),
    );
    match result {
        Ok(mut out) if failure.borrow().is_none() => {
            if !body_seen.get()
                && let Some(url) = &t.pixel
            {
                out.push_str(&pixel_html(url));
            }
            out
        }
        _ => html.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(link: &str, tags: Map<String, Value>) -> String {
        let tags: Vec<String> = tags
            .iter()
            .map(|(k, v)| format!("{k}={}", v[0].as_str().unwrap_or_default()))
            .collect();
        format!("https://t.test/c/{}/{}", link.len(), tags.join("+"))
    }

    fn rewrite(html: &str) -> String {
        rewrite_html(
            html,
            &Tracking {
                pixel: Some("https://t.test/o".into()),
                wrap: Some(&wrap),
            },
        )
    }

    #[test]
    fn wraps_links_keeps_opt_outs_and_adds_the_pixel() {
        let html = r#"<html><body><a href="https://a.test/x" ses:tags="product:book;genre:fiction;">A</a>
<a ses:no-track href="https://b.test/">B</a><a href="mailto:x@y.test">M</a>
<a href="https://c.test/a b">bad</a></body></html>"#;
        let out = rewrite(html);
        assert!(
            out.contains(r#"<a href="https://t.test/c/16/product=book+genre=fiction">A</a>"#),
            "{out}"
        );
        assert!(out.contains(r#"<a href="https://b.test/">B</a>"#), "{out}");
        assert!(!out.contains("ses:"), "{out}");
        assert!(out.contains(r#"href="mailto:x@y.test""#));
        assert!(out.contains(r#"href="https://c.test/a b""#));
        let pixel = out.find("https://t.test/o").unwrap();
        assert!(pixel < out.find("</body>").unwrap());
    }

    #[test]
    fn at_most_250_links_are_wrapped() {
        let html: String = (0..300)
            .map(|i| format!(r#"<a href="https://a.test/{i}">x</a>"#))
            .collect();
        let out = rewrite(&html);
        assert_eq!(out.matches("https://t.test/c").count(), MAX_TRACKED_LINKS);
        // No <body>: the pixel goes at the end.
        assert!(out.ends_with(r#"height="1">"#));
    }

    #[test]
    fn links_are_wrapped_html_decoded() {
        let seen = RefCell::new(Vec::new());
        let wrap = |link: &str, _: Map<String, Value>| {
            seen.borrow_mut().push(link.to_owned());
            "https://t.test/c".to_owned()
        };
        let html = r#"<a href="https://a.test/p?a=1&amp;b=2&#38;c=&#x33;">x</a>"#;
        rewrite_html(
            html,
            &Tracking {
                pixel: None,
                wrap: Some(&wrap),
            },
        );
        assert_eq!(*seen.borrow(), ["https://a.test/p?a=1&b=2&c=3"]);
    }

    #[test]
    fn trackable_links() {
        for ok in ["http://a.test", "https://a.test/p?q=1&r=%20#f"] {
            assert!(trackable(ok), "{ok}");
        }
        for bad in [
            "mailto:a@b.test",
            "https://a.test/a b",
            "/relative",
            "https://a.test/%zz",
            "javascript:x",
            "ftp://a.test/",
        ] {
            assert!(!trackable(bad), "{bad}");
        }
    }

    #[test]
    fn link_tags_follow_ses_rules() {
        let t = link_tags("a:1; b:two;bad key:x;c:;k:v2;a:3");
        assert_eq!(
            Value::Object(t),
            json!({"a": ["1", "3"], "b": ["two"], "k": ["v2"]})
        );
    }

    proptest::proptest! {
        #[test]
        fn rewriting_never_panics(html in r#"[<>a-z ="/:.;#-]{0,120}"#) {
            let _ = rewrite(&html);
        }
    }
}
