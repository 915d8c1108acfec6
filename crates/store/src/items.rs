//! Small account-scoped documents: templates, contact lists, contacts,
//! suppressed destinations and account settings.
//!
//! They share one shape (a kind, a key, a JSON body, two timestamps) and one
//! set of calls, so each new SES resource of this sort costs an enum variant
//! rather than a table and eight trait methods. The API layer owns what the
//! bodies mean; the store only keeps them, in key order.

use serde_json::Value;

use crate::types::Millis;

/// What sort of document an item is. Each kind has its own key space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// An email template, keyed by its name.
    Template,
    /// A contact list, keyed by its name.
    ContactList,
    /// A contact, keyed by [`contact_key`] (list name, then address).
    Contact,
    /// An address on the account's suppression list, keyed by the address in
    /// lower case.
    Suppressed,
    /// An account-wide setting (`suppression`, ...), keyed by its name.
    AccountSetting,
    /// An identity's custom MAIL FROM domain, keyed by the identity's name.
    MailFrom,
    /// The tags of an SNS topic mailsight hosts, keyed by the topic's ARN.
    SnsTopicTags,
    /// A custom verification email template, keyed by its name.
    VerificationTemplate,
    /// A dedicated IP pool, keyed by its name.
    DedicatedIpPool,
    /// What was set about one dedicated IP (its pool, its warm-up), keyed
    /// by the address.
    DedicatedIp,
    /// A Deliverability dashboard inbox placement test, keyed by its id.
    DeliverabilityTestReport,
    /// A multi-region endpoint, keyed by its name.
    MultiRegionEndpoint,
    /// A sender's S/MIME certificate, keyed by the identity, a newline and
    /// the sender address.
    IdentityCertificate,
    /// A tenant, keyed by its name.
    Tenant,
    /// A resource associated with a tenant, stored twice: keyed by the
    /// tenant, then by the resource (`api::ses_v2::tenants`).
    TenantResource,
    /// An import job, keyed by its id.
    ImportJob,
    /// An address on a tenant's own suppression list, keyed by the tenant,
    /// a newline and the address in lower case.
    TenantSuppressed,
}

impl ItemKind {
    /// The name stored in the `kind` column; never change one.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Template => "template",
            ItemKind::ContactList => "contact-list",
            ItemKind::Contact => "contact",
            ItemKind::Suppressed => "suppressed",
            ItemKind::AccountSetting => "account-setting",
            ItemKind::MailFrom => "mail-from",
            ItemKind::SnsTopicTags => "sns-topic-tags",
            ItemKind::VerificationTemplate => "verification-template",
            ItemKind::DedicatedIpPool => "dedicated-ip-pool",
            ItemKind::DedicatedIp => "dedicated-ip",
            ItemKind::DeliverabilityTestReport => "deliverability-test-report",
            ItemKind::MultiRegionEndpoint => "multi-region-endpoint",
            ItemKind::IdentityCertificate => "identity-certificate",
            ItemKind::Tenant => "tenant",
            ItemKind::TenantResource => "tenant-resource",
            ItemKind::ImportJob => "import-job",
            ItemKind::TenantSuppressed => "tenant-suppressed",
        }
    }
}

/// The key of a contact: its list's name and its address, separated by a
/// character no list name may hold, so a list's contacts share a prefix.
pub fn contact_key(list: &str, address: &str) -> String {
    format!("{list}\n{}", address.to_ascii_lowercase())
}

/// The prefix every contact key of `list` starts with.
pub fn contact_prefix(list: &str) -> String {
    format!("{list}\n")
}

/// One stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: String,
    pub body: Value,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// How [`crate::Store::put_item`] treats an existing item of the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMode {
    /// Fails with `AlreadyExists` if the key is taken.
    Create,
    /// Fails with `NotFound` unless the key exists; keeps `created_at`.
    Replace,
    /// Creates or replaces.
    Upsert,
}

/// One write of [`crate::Store::put_items`].
#[derive(Debug, Clone, PartialEq)]
pub struct ItemPut {
    pub account_id: String,
    pub kind: ItemKind,
    pub key: String,
    pub body: Value,
    pub mode: PutMode,
    pub now: Millis,
}

/// An engagement event (open or click) judged to come from a machine: a
/// privacy proxy fetching images, a link scanner, a click too soon after
/// delivery. Kept beside the event, never instead of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineActivity {
    /// The dedupe key of the record it marks.
    pub dedupe_key: String,
    /// Why it was judged a machine (`apple-mail-privacy-protection`, ...).
    pub reason: String,
}
