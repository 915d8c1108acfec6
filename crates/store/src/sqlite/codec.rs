//! Record bodies as SQLite keeps them: the shared codec ([`crate::codec`])
//! for BLOBs, and the TEXT of rows written before schema version 5.

use rusqlite::types::ValueRef;

pub(crate) use crate::codec::{Encoded, hash, whole};
use crate::error::StoreError;

/// Puts a stored record back together; `mail` is `messages.mail`.
pub(crate) fn decode(body: ValueRef<'_>, mail: Option<&[u8]>) -> Result<String, StoreError> {
    match body {
        ValueRef::Text(t) => crate::codec::decode_text(t),
        ValueRef::Blob(b) => crate::codec::decode(b, mail),
        _ => Err(StoreError::Backend(
            "record codec: unexpected body type".into(),
        )),
    }
}
