//! Name rules shared by several operations.

use crate::error::ApiError;

/// Configuration set and event destination names: 1–64 ASCII letters,
/// digits, `_` and `-`.
pub fn resource_name(kind: &str, name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid {kind} name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(resource_name("x", "cs_1-A").is_ok());
        assert!(resource_name("x", "").is_err());
        assert!(resource_name("x", "has space").is_err());
        assert!(resource_name("x", &"a".repeat(65)).is_err());
        assert!(resource_name("x", &"a".repeat(64)).is_ok());
    }
}
