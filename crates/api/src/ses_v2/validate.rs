//! Name rules shared by several operations.

use crate::error::ApiError;

/// Configuration set and event destination names: 1–64 ASCII letters,
/// digits, `_` and `-`.
pub fn resource_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if mailsight_model::is_resource_name(name) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid {kind} name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )))
    }
}
