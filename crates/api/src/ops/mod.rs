//! One file per resource; each function is one SES v2 operation taking the
//! caller, the query string and the raw body, and returning the JSON answer.

pub mod account;
pub mod configuration_sets;
pub mod contact_lists;
pub mod event_destinations;
pub mod identities;
pub mod insights;
pub mod send;
pub mod suppression;
pub mod templates;
pub mod validate;
