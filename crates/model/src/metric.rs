//! The deliverability metrics mailsight counts, and the dimensions they are
//! cut by: SES's Virtual Deliverability Manager (VDM) names, so that
//! `BatchGetMetricData` and export jobs speak SES's vocabulary, plus the
//! event types VDM has no metric for, which mailsight's own views show.
//!
//! What each metric counts (per recipient, as VDM does):
//! - `SEND`, `DELIVERY`, `COMPLAINT`: one per event and recipient.
//! - `PERMANENT_BOUNCE` / `TRANSIENT_BOUNCE`: bounces by their type; an
//!   `Undetermined` bounce counts as transient (SES does not suppress it).
//! - `OPEN`, `CLICK`: *unique*: the first open (click) of a recipient.
//! - `DELIVERY_OPEN`, `DELIVERY_CLICK`: deliveries of messages that could
//!   be tracked — sent with a configuration set, as SES tracks opens and
//!   clicks only through one: the denominators of open and click rates.
//! - `DELIVERY_COMPLAINT`: deliveries to ISPs that report complaints
//!   ([`has_feedback_loop`]): the denominator of the complaint rate.
//! - `REJECT`, `RENDERING_FAILURE`, `DELIVERY_DELAY`, `SUBSCRIPTION`: one
//!   per event and recipient; not VDM metrics (the API refuses them).

use crate::isp;

/// A counted metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Send,
    Delivery,
    PermanentBounce,
    TransientBounce,
    Complaint,
    Open,
    Click,
    DeliveryOpen,
    DeliveryClick,
    DeliveryComplaint,
    Reject,
    RenderingFailure,
    DeliveryDelay,
    Subscription,
}

impl Metric {
    /// Every metric: VDM's ten first, in the botocore model's order.
    pub const ALL: [Metric; 14] = [
        Metric::Send,
        Metric::Complaint,
        Metric::PermanentBounce,
        Metric::TransientBounce,
        Metric::Open,
        Metric::Click,
        Metric::Delivery,
        Metric::DeliveryOpen,
        Metric::DeliveryClick,
        Metric::DeliveryComplaint,
        Metric::Reject,
        Metric::RenderingFailure,
        Metric::DeliveryDelay,
        Metric::Subscription,
    ];

    /// The name as the SES API (and mailsight's own views) spell it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Send => "SEND",
            Metric::Delivery => "DELIVERY",
            Metric::PermanentBounce => "PERMANENT_BOUNCE",
            Metric::TransientBounce => "TRANSIENT_BOUNCE",
            Metric::Complaint => "COMPLAINT",
            Metric::Open => "OPEN",
            Metric::Click => "CLICK",
            Metric::DeliveryOpen => "DELIVERY_OPEN",
            Metric::DeliveryClick => "DELIVERY_CLICK",
            Metric::DeliveryComplaint => "DELIVERY_COMPLAINT",
            Metric::Reject => "REJECT",
            Metric::RenderingFailure => "RENDERING_FAILURE",
            Metric::DeliveryDelay => "DELIVERY_DELAY",
            Metric::Subscription => "SUBSCRIPTION",
        }
    }

    /// The metric of a name ([`Metric::name`]'s spelling, exactly).
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether SES's `BatchGetMetricData` knows this metric.
    pub fn is_vdm(self) -> bool {
        !matches!(
            self,
            Metric::Reject
                | Metric::RenderingFailure
                | Metric::DeliveryDelay
                | Metric::Subscription
        )
    }
}

/// What a metric can be cut by (`MetricDimensionName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// The sending identity: the From address, and its domain.
    EmailIdentity,
    ConfigurationSet,
    /// The recipient's mailbox provider ([`isp::classify`]).
    Isp,
    TenantName,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::EmailIdentity,
        Dimension::ConfigurationSet,
        Dimension::Isp,
        Dimension::TenantName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dimension::EmailIdentity => "EMAIL_IDENTITY",
            Dimension::ConfigurationSet => "CONFIGURATION_SET",
            Dimension::Isp => "ISP",
            Dimension::TenantName => "TENANT_NAME",
        }
    }

    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// The message tag naming the tenant a message was sent for. SES's
/// `TenantName` send parameter is stored as this tag, so ingested records
/// and simulated sends agree.
pub const TENANT_TAG: &str = "ses:tenant-name";

/// Whether mail to this ISP (an [`isp::classify`] name) can come back as a
/// complaint: the providers known to run feedback loops with SES. Gmail
/// reports none to senders; the simulator does, to exercise the path.
pub fn has_feedback_loop(isp_name: &str) -> bool {
    matches!(
        isp_name,
        "Yahoo" | "AOL" | "Outlook" | "Comcast" | "Yahoo Japan" | isp::MAILBOX_SIMULATOR
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_vdm_has_ten() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(m));
        }
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.name()), Some(d));
        }
        assert_eq!(Metric::ALL.iter().filter(|m| m.is_vdm()).count(), 10);
        assert_eq!(Metric::parse("send"), None);
        assert_eq!(Dimension::parse("Isp"), None);
    }

    #[test]
    fn feedback_loops_follow_the_classifier_names() {
        assert!(has_feedback_loop(isp::classify("a@yahoo.com")));
        assert!(has_feedback_loop(isp::classify("a@hotmail.com")));
        assert!(!has_feedback_loop(isp::classify("a@gmail.com")));
        assert!(!has_feedback_loop(isp::UNKNOWN_ISP));
    }
}
