//! The identity check of the sending path: the sender may use its own
//! address, its domain or a parent domain, whichever is verified; SES
//! refuses the send when none is (unless the check is turned off).

use super::Engine;
use crate::address::{bare_address, domain_of};
use crate::error::SendError;

impl Engine {
    /// The identity the sender may use: its address, its domain or a parent
    /// domain. Refused as SES refuses when none is verified (and the check is on).
    pub(crate) async fn check_identity(
        &self,
        account: &str,
        from: &str,
    ) -> Result<String, SendError> {
        let address = bare_address(from).to_owned();
        let domain = domain_of(from).unwrap_or_default();
        let mut candidates = vec![address.clone(), address.to_ascii_lowercase()];
        let mut rest = domain.as_str();
        loop {
            candidates.push(rest.to_owned());
            match rest.split_once('.') {
                Some((_, parent)) if parent.contains('.') => rest = parent,
                _ => break,
            }
        }
        for c in &candidates {
            if self.store.get_identity(account, c).await?.is_some() {
                return Ok(c.clone());
            }
        }
        if !self.sending.require_verified_identity {
            return Ok(domain);
        }
        Err(SendError::MessageRejected(format!(
            "Email address is not verified. The following identities failed the check in region {}: {}",
            self.sending.region.to_ascii_uppercase(),
            address
        )))
    }
}
