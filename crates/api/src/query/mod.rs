//! The AWS query protocol, shared by the query APIs mailsight speaks (SNS,
//! and SES v1): form parameters in, XML out.
//!
//! - [`params`]: the parameters of one request, maps included;
//! - [`xml`]: a small XML writer, and the success and error envelopes.

pub mod params;
pub mod xml;

pub use params::Params;
pub use xml::Xml;
