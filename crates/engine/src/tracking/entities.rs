//! Decoding of the character references an HTML attribute value may hold.
//!
//! The rewriter reads `href` values as written, so `?a=1&amp;b=2` would
//! otherwise be wrapped, redirected to and recorded with the literal
//! `&amp;`, and the target would see a parameter `amp;b` instead of `b`.
//! The link is decoded once, as a browser does before following it.

/// `value` with `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;` and
/// numeric references (`&#NN;`, `&#xHH;`) decoded once. Anything else,
/// including a reference naming no valid character, stays as written.
pub fn decode_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    let end = s.get(1..)?.find(';')? + 1;
    // Longer than any reference we decode: not one.
    if end > 10 {
        return None;
    }
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                Some(_) => return None,
                None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse().ok()?
                }
                None => return None,
            };
            // NUL and non-characters are left as written rather than guessed at.
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_numeric_references_decode_once() {
        assert_eq!(
            decode_attribute("https://a.test/p?a=1&amp;b=2&amp;c=3"),
            "https://a.test/p?a=1&b=2&c=3"
        );
        assert_eq!(decode_attribute("&lt;&gt;&quot;&#39;&apos;"), "<>\"''");
        assert_eq!(decode_attribute("&#38;&#x26;&#X26;"), "&&&");
        // Once: a double-encoded `&amp;amp;` keeps one level.
        assert_eq!(decode_attribute("a&amp;amp;b"), "a&amp;b");
    }

    #[test]
    fn anything_else_stays_as_written() {
        for s in [
            "https://a.test/?a=1&b=2",
            "&",
            "&;",
            "&#;",
            "&#x;",
            "&#xZZ;",
            "&#0;",
            "&#xD800;",
            "&#99999999999;",
            "&nbsp;",
            "&ampx",
            "&verylongname;",
            "trailing&",
            "é&amp",
        ] {
            assert_eq!(decode_attribute(s), s, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_plain_text_is_unchanged(s in "\\PC{0,40}") {
            let _ = decode_attribute(&s);
            let plain: String = s.chars().filter(|&c| c != '&').collect();
            proptest::prop_assert_eq!(decode_attribute(&plain), plain);
        }
    }
}
