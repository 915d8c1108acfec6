//! Email address helpers: mailbox parsing, domains and glob matching.

/// The bare address of a mailbox: `Jane <jane@example.com>` → `jane@example.com`.
pub fn bare_address(mailbox: &str) -> &str {
    let s = mailbox.trim();
    match (s.rfind('<'), s.rfind('>')) {
        (Some(open), Some(close)) if open < close => s[open + 1..close].trim(),
        _ => s,
    }
}

/// The domain of an address, lower-cased; `None` without an `@`.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = bare_address(address).rsplit_once('@')?;
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// Whether `address` is a plausible single address: one `@`, text on both
/// sides, no spaces or control characters.
pub fn is_valid_address(address: &str) -> bool {
    let a = bare_address(address);
    match a.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && a.chars().all(|c| !c.is_whitespace() && !c.is_control())
        }
        None => false,
    }
}

/// Case-insensitive glob: `*` matches any run of characters, `?` exactly one.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Iterative matcher with one backtrack point: linear-ish, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether a rule pattern matches an address: a pattern with `@` is an
/// address glob; one without is a domain that also covers its subdomains.
pub fn pattern_matches(pattern: &str, address: &str) -> bool {
    let address = bare_address(address);
    if pattern.contains('@') {
        return glob_matches(pattern, address);
    }
    let Some(domain) = domain_of(address) else {
        return false;
    };
    let pattern = pattern.to_ascii_lowercase();
    glob_matches(&pattern, &domain) || domain.ends_with(&format!(".{pattern}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_address_strips_display_names() {
        assert_eq!(
            bare_address("Jane Doe <jane@example.com>"),
            "jane@example.com"
        );
        assert_eq!(bare_address("  jane@example.com "), "jane@example.com");
        assert_eq!(bare_address("\"A <b>\" <c@d.e>"), "c@d.e");
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("X <a@Example.COM>").as_deref(),
            Some("example.com")
        );
        assert_eq!(domain_of("nodomain"), None);
        assert_eq!(domain_of("a@"), None);
    }

    #[test]
    fn address_validity() {
        assert!(is_valid_address("a@b.co"));
        assert!(is_valid_address("Name <a+x@b.co>"));
        assert!(!is_valid_address("a@b@c.co"));
        assert!(!is_valid_address("a b@c.co"));
        assert!(!is_valid_address("@b.co"));
        assert!(!is_valid_address("ab.co"));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*@bounce.test", "Someone@BOUNCE.test"));
        assert!(glob_matches("vip-?@x.io", "vip-1@x.io"));
        assert!(!glob_matches("vip-?@x.io", "vip-12@x.io"));
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn domain_patterns_cover_subdomains() {
        assert!(pattern_matches("example.net", "a@example.net"));
        assert!(pattern_matches("example.net", "a@mx.example.net"));
        assert!(!pattern_matches("example.net", "a@badexample.net"));
        assert!(pattern_matches("*.test", "a@slow.test"));
    }

    proptest::proptest! {
        #[test]
        fn glob_star_matches_everything(text in "[ -~]{0,40}") {
            proptest::prop_assert!(glob_matches("*", &text));
            proptest::prop_assert!(glob_matches(&text.replace(['*', '?'], "x"), &text.replace(['*', '?'], "x")));
        }

        #[test]
        fn helpers_never_panic(text in "\\PC{0,60}") {
            let _ = bare_address(&text);
            let _ = domain_of(&text);
            let _ = is_valid_address(&text);
            let _ = pattern_matches(&text, &text);
        }
    }
}
