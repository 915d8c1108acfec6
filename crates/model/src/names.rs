//! The name rule SES applies to most of its resources (configuration sets,
//! event destinations, templates, contact lists).

/// Whether `name` is 1–64 ASCII letters, digits, `_` and `-`.
pub fn is_resource_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_resource_name("cs_1-A"));
        assert!(!is_resource_name(""));
        assert!(!is_resource_name("has space"));
        assert!(!is_resource_name("é"));
        assert!(!is_resource_name(&"a".repeat(65)));
        assert!(is_resource_name(&"a".repeat(64)));
    }
}
