//! The SES v2 event model, with no I/O.
//!
//! Everything here is plain data plus the pure rules that go with it, so that
//! every other crate (store, engine, API) agrees on one vocabulary and one
//! set of spellings:
//!
//! - [`event_type`]: the ten sending event types and their two spellings
//!   (API `RENDERING_FAILURE`, event record `Rendering Failure`).
//! - [`record`]: the event record SES publishes (and the older feedback
//!   notification), lossless: unknown fields survive a round trip.
//! - [`feedback`]: open enums for bounce type/subtype, complaint feedback
//!   type and delay type, with the record ↔ insights spelling bridge.
//! - [`insights`]: the `GetMessageInsights` response and the record →
//!   insight conversion.
//! - [`tags`]: message tags in their API and record forms, and SES's rules.
//! - [`notification`]: identity notifications (SES v1's
//!   `SetIdentityNotificationTopic`): their three types and the older
//!   `notificationType` format, built from an event record.
//! - [`isp`]: recipient domain → mailbox provider name.
//! - [`metric`]: the deliverability metrics (VDM's names) and their
//!   dimensions.
//! - [`names`]: the name rule of configuration sets, templates and the like.
//! - [`timestamp`]: record timestamp text ↔ instants.

pub mod event_type;
pub mod feedback;
pub mod insights;
pub mod isp;
pub mod metric;
pub mod names;
pub mod notification;
pub mod record;
pub mod tags;
pub mod timestamp;

pub use event_type::{EventType, UnknownEventType};
pub use feedback::{BounceSubType, BounceType, ComplaintFeedbackType, DelayType, upper_snake};
pub use insights::{
    BounceDetails, ComplaintDetails, EmailInsights, EventDetails, InsightsEvent, MessageInsights,
    details_for, epoch_seconds,
};
pub use isp::{MAILBOX_SIMULATOR, UNKNOWN_ISP, classify};
pub use metric::{Dimension, Metric};
pub use names::is_resource_name;
pub use notification::{NotificationError, NotificationType};
pub use record::{
    Bounce, BouncedRecipient, Click, CommonHeaders, ComplainedRecipient, Complaint,
    DelayedRecipient, Delivery, DeliveryDelay, EventRecord, Extra, Header, Mail, Open, RecordError,
    Reject, RenderingFailure, SendDetails, Subscription, TopicPreferences, TopicSubscriptionStatus,
    parse,
};
pub use tags::{MAX_TAG_LEN, MessageTag, TagError, TagMap, parse_tags_header, validate_tag};
pub use timestamp::{TimestampError, format_millis, format_timestamp, now_ms, parse_timestamp};
