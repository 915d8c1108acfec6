//! The SES v1 API (the query protocol, API version 2010-12-01), for
//! clients that still speak it (boto3's and the AWS CLI's `ses`,
//! `aws-sdk-ses`). Every action is declared once in [`Action`], named as
//! in botocore's `ses` model; one file per resource group holds them:
//!
//! - [`account`]: `GetSendQuota`, `GetSendStatistics`,
//!   `GetAccountSendingEnabled`, `UpdateAccountSendingEnabled`, answered
//!   from the same state as SES v2's `GetAccount` and
//!   `PutAccountSendingAttributes`;
//! - [`send`]: `SendEmail`, `SendRawEmail`, `SendTemplatedEmail`,
//!   `SendBulkTemplatedEmail`, through the engine's one sending path;
//! - [`templates`]: `CreateTemplate`, `GetTemplate`, `ListTemplates`,
//!   `UpdateTemplate`, `DeleteTemplate`, `TestRenderTemplate`, on the
//!   template store SES v2 shares;
//! - [`identities`]: the `Verify…`, `List…`, `Delete…` and
//!   `GetIdentity…Attributes` actions, `SetIdentityDkimEnabled` and
//!   `SetIdentityMailFromDomain`, on
//!   SES v2's identities;
//! - [`notifications`]: the identity notification actions,
//!   `SetIdentityNotificationTopic`, `GetIdentityNotificationAttributes`,
//!   `SetIdentityHeadersInNotificationsEnabled` and
//!   `SetIdentityFeedbackForwardingEnabled` (the topics the outbox
//!   publishes each identity's bounces, complaints and deliveries to);
//! - [`policies`]: `PutIdentityPolicy`, `GetIdentityPolicies`,
//!   `ListIdentityPolicies`, `DeleteIdentityPolicy` (sending authorization
//!   policies, kept, not enforced);
//! - [`configuration_sets`] and [`event_destinations`]: the sets, their
//!   options and destinations, stored as SES v2 stores them;
//! - [`paging`]: `MaxItems` / `NextToken`;
//! - [`errors`]: SES v1's codes (`InvalidAction` for what mailsight does
//!   not implement; inbound mail and receipt rules it never will).
//!
//! [`SesV1`] is the protocol behind [`crate::front`], which sends it `POST /`
//! with a form body signed for `ses` (SES v2 shares the signing name and is
//! told apart by its `/v2/email/` paths). Parameters and XML are the query
//! protocol's ([`crate::query`], shared with SNS); parameters are refused
//! in SES's words (`ValidationError`).

pub mod account;
pub mod configuration_sets;
pub mod custom_verification;
pub mod errors;
pub mod event_destinations;
pub mod identities;
pub mod notifications;
pub mod paging;
pub mod policies;
pub mod send;
pub mod templates;

use axum::http::StatusCode;
use axum::response::Response;
use mailsight_store::Store;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::front::operations::operations;
use crate::front::{Incoming, Protocol};
use crate::query::params::Wording;
use crate::query::{Params, xml};
use crate::state::AppState;

/// What an action answers: the inner XML of its `<{Action}Result>`, or
/// `None` for actions without a result element.
pub type Answer = Result<Option<String>, ApiError>;

/// The SigV4 signing name of SES (v1 and v2 alike).
pub const SIGNING_NAME: &str = "ses";

/// The SES v1 API's XML namespace.
pub const NAMESPACE: &str = "http://ses.amazonaws.com/doc/2010-12-01/";

operations! {
    /// One SES v1 action mailsight implements.
    pub enum Action(SesCall<'_>) -> Option<String>;
    GetSendQuota => account::get_send_quota;
    GetSendStatistics => account::get_send_statistics;
    GetAccountSendingEnabled => account::get_account_sending_enabled;
    UpdateAccountSendingEnabled => account::update_account_sending_enabled;
    SendEmail => send::send_email;
    SendRawEmail => send::send_raw_email;
    SendTemplatedEmail => send::send_templated_email;
    SendBulkTemplatedEmail => send::send_bulk_templated_email;
    CreateTemplate => templates::create_template;
    GetTemplate => templates::get_template;
    ListTemplates => templates::list_templates;
    CreateCustomVerificationEmailTemplate =>
        custom_verification::create_custom_verification_email_template;
    GetCustomVerificationEmailTemplate =>
        custom_verification::get_custom_verification_email_template;
    UpdateCustomVerificationEmailTemplate =>
        custom_verification::update_custom_verification_email_template;
    DeleteCustomVerificationEmailTemplate =>
        custom_verification::delete_custom_verification_email_template;
    ListCustomVerificationEmailTemplates =>
        custom_verification::list_custom_verification_email_templates;
    SendCustomVerificationEmail => custom_verification::send_custom_verification_email;
    UpdateTemplate => templates::update_template;
    DeleteTemplate => templates::delete_template;
    TestRenderTemplate => templates::test_render_template;
    VerifyEmailIdentity => identities::verify_email_identity;
    VerifyEmailAddress => identities::verify_email_address;
    VerifyDomainIdentity => identities::verify_domain_identity;
    VerifyDomainDkim => identities::verify_domain_dkim;
    ListIdentities => identities::list_identities;
    ListVerifiedEmailAddresses => identities::list_verified_email_addresses;
    DeleteIdentity => identities::delete_identity;
    DeleteVerifiedEmailAddress => identities::delete_verified_email_address;
    GetIdentityVerificationAttributes => identities::get_identity_verification_attributes;
    GetIdentityDkimAttributes => identities::get_identity_dkim_attributes;
    SetIdentityDkimEnabled => identities::set_identity_dkim_enabled;
    GetIdentityMailFromDomainAttributes => identities::get_identity_mail_from_domain_attributes;
    SetIdentityMailFromDomain => identities::set_identity_mail_from_domain;
    SetIdentityNotificationTopic => notifications::set_identity_notification_topic;
    GetIdentityNotificationAttributes => notifications::get_identity_notification_attributes;
    SetIdentityHeadersInNotificationsEnabled =>
        notifications::set_identity_headers_in_notifications_enabled;
    SetIdentityFeedbackForwardingEnabled =>
        notifications::set_identity_feedback_forwarding_enabled;
    PutIdentityPolicy => policies::put_identity_policy;
    GetIdentityPolicies => policies::get_identity_policies;
    ListIdentityPolicies => policies::list_identity_policies;
    DeleteIdentityPolicy => policies::delete_identity_policy;
    CreateConfigurationSet => configuration_sets::create_configuration_set;
    DescribeConfigurationSet => configuration_sets::describe_configuration_set;
    ListConfigurationSets => configuration_sets::list_configuration_sets;
    DeleteConfigurationSet => configuration_sets::delete_configuration_set;
    CreateConfigurationSetTrackingOptions =>
        configuration_sets::create_configuration_set_tracking_options;
    UpdateConfigurationSetTrackingOptions =>
        configuration_sets::update_configuration_set_tracking_options;
    DeleteConfigurationSetTrackingOptions =>
        configuration_sets::delete_configuration_set_tracking_options;
    UpdateConfigurationSetReputationMetricsEnabled =>
        configuration_sets::update_configuration_set_reputation_metrics_enabled;
    UpdateConfigurationSetSendingEnabled =>
        configuration_sets::update_configuration_set_sending_enabled;
    PutConfigurationSetDeliveryOptions =>
        configuration_sets::put_configuration_set_delivery_options;
    CreateConfigurationSetEventDestination =>
        event_destinations::create_configuration_set_event_destination;
    UpdateConfigurationSetEventDestination =>
        event_destinations::update_configuration_set_event_destination;
    DeleteConfigurationSetEventDestination =>
        event_destinations::delete_configuration_set_event_destination;
}

/// The actions of inbound mail (receipt rules and filters, bounces of
/// received mail): mailsight receives no mail, so they are refused for
/// good rather than "not yet".
pub const INBOUND: &[&str] = &[
    "CreateReceiptRule",
    "CreateReceiptRuleSet",
    "DescribeReceiptRule",
    "DescribeReceiptRuleSet",
    "ListReceiptRuleSets",
    "DescribeActiveReceiptRuleSet",
    "SetActiveReceiptRuleSet",
    "DeleteReceiptRule",
    "DeleteReceiptRuleSet",
    "CloneReceiptRuleSet",
    "ReorderReceiptRuleSet",
    "UpdateReceiptRule",
    "SetReceiptRulePosition",
    "CreateReceiptFilter",
    "DeleteReceiptFilter",
    "ListReceiptFilters",
    "SendBounce",
];

/// One authenticated call of an action: what every action gets.
pub struct SesCall<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub params: &'a Params,
    /// The client's address, as SES reports it in `mail.sourceIp`.
    pub source_ip: String,
}

impl SesCall<'_> {
    pub fn store(&self) -> &dyn Store {
        self.state.store().as_ref()
    }

    /// The caller's account.
    pub fn account(&self) -> &str {
        &self.caller.account_id
    }
}

/// Why an action that was named is not run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refused {
    /// One of [`INBOUND`].
    Inbound(&'static str),
    /// Anything else mailsight does not implement (yet).
    Unknown(String),
}

/// A routed SES v1 request: the action named (or why it is refused, after
/// authentication as AWS does) and its parameters.
pub struct Routed {
    action: Result<Action, Refused>,
    /// The action's name, for the answer's element names and the metrics.
    name: &'static str,
    params: Params,
}

/// What a request names: an action, or why it is refused; `None` without
/// an `Action`.
fn resolve(given: &str) -> Result<Action, Refused> {
    if let Some(a) = Action::from_name(given) {
        return Ok(a);
    }
    match INBOUND.iter().find(|n| **n == given) {
        Some(n) => Err(Refused::Inbound(n)),
        None => Err(Refused::Unknown(given.to_owned())),
    }
}

/// SES v1 behind the front.
pub struct SesV1;

impl Protocol for SesV1 {
    const NAME: &'static str = "SES v1";
    const SIGNING_NAME: &'static str = SIGNING_NAME;
    const THROTTLING_CODE: &'static str = "Throttling";
    type Operation = Routed;
    type Answer = Option<String>;

    fn route(request: &Incoming) -> Result<Routed, ApiError> {
        let params = Params::parse_worded(&request.body, Wording::Ses);
        let action = resolve(params.named_action()?);
        let name = match &action {
            Ok(a) => a.name(),
            Err(Refused::Inbound(n)) => n,
            Err(Refused::Unknown(_)) => "Unknown",
        };
        Ok(Routed {
            action,
            name,
            params,
        })
    }

    fn operation_name(op: &Routed) -> &'static str {
        op.name
    }

    async fn call(
        state: &AppState,
        caller: Option<&Caller>,
        op: &Routed,
        request: &Incoming,
    ) -> Result<Option<String>, ApiError> {
        let action = match &op.action {
            Ok(a) => a,
            Err(Refused::Inbound(name)) => return Err(errors::inbound(name)),
            Err(Refused::Unknown(name)) => return Err(errors::not_implemented(name)),
        };
        let caller = caller.ok_or_else(|| errors::internal("SES v1 calls are signed"))?;
        let call = SesCall {
            state,
            caller,
            params: &op.params,
            source_ip: request.peer.ip().to_string(),
        };
        action.call(&call).await
    }

    fn render(op: &Routed, answer: Option<String>, request_id: &str) -> Response {
        xml::http(
            StatusCode::OK,
            xml::response(NAMESPACE, op.name, answer, request_id),
        )
    }

    fn render_error(e: &ApiError, request_id: &str) -> Response {
        xml::http(e.status, xml::error(NAMESPACE, e, request_id))
    }

    fn too_large(limit: usize) -> ApiError {
        crate::query::params::too_large(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations of the botocore `ses` model.
    fn model() -> Vec<&'static str> {
        include_str!("../../tests/data/ses-operations.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn every_action_is_named_as_in_the_model() {
        let model = model();
        assert_eq!(model.len(), 71);
        for a in Action::ALL {
            assert!(
                model.contains(&a.name()),
                "{} is not an SES v1 action",
                a.name()
            );
        }
        for n in INBOUND {
            assert!(model.contains(n), "{n} is not an SES v1 action");
            assert!(Action::from_name(n).is_none());
        }
        let receipt = model.iter().filter(|n| n.contains("Receipt")).count();
        assert_eq!(
            receipt + 1,
            INBOUND.len(),
            "every receipt action and SendBounce"
        );
    }

    #[test]
    fn actions_resolve_to_themselves_or_why_not() {
        assert_eq!(resolve("GetSendQuota"), Ok(Action::GetSendQuota));
        assert_eq!(
            resolve("CreateReceiptRule"),
            Err(Refused::Inbound("CreateReceiptRule"))
        );
        assert_eq!(resolve("SendEmail"), Ok(Action::SendEmail));
        assert_eq!(
            resolve("CreateNoSuchThing"),
            Err(Refused::Unknown("CreateNoSuchThing".to_owned()))
        );
        // Names are exact, as AWS's are.
        assert!(matches!(resolve("getsendquota"), Err(Refused::Unknown(_))));
    }

    fn incoming(body: &'static [u8]) -> Incoming {
        Incoming {
            parts: axum::http::Request::builder()
                .method("POST")
                .uri("/")
                .body(())
                .unwrap()
                .into_parts()
                .0,
            body: axum::body::Bytes::from_static(body),
            peer: "127.0.0.1:1".parse().unwrap(),
        }
    }

    #[test]
    fn routing_reads_the_form_and_refuses_a_missing_action() {
        let r = SesV1::route(&incoming(b"Action=GetSendStatistics&Version=2010-12-01")).unwrap();
        assert_eq!(
            (r.name, r.action),
            ("GetSendStatistics", Ok(Action::GetSendStatistics))
        );
        let r = SesV1::route(&incoming(b"Action=ListReceiptFilters")).unwrap();
        assert_eq!(r.name, "ListReceiptFilters");
        let r = SesV1::route(&incoming(b"Action=CreateNoSuchThing")).unwrap();
        assert_eq!(r.name, "Unknown");
        for body in [&b"Version=2010-12-01"[..], b"Action="] {
            let e = SesV1::route(&incoming(body)).map(|_| ()).unwrap_err();
            assert_eq!((e.code, e.status.as_u16()), ("MissingAction", 400));
        }
    }

    #[tokio::test]
    async fn answers_and_errors_are_xml_in_the_ses_namespace() {
        let op = SesV1::route(&incoming(b"Action=UpdateAccountSendingEnabled")).unwrap();
        let r = SesV1::render(&op, None, "req-1");
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/xml");
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "<UpdateAccountSendingEnabledResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\
             <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\
             </UpdateAccountSendingEnabledResponse>"
        );
        let e = errors::inbound("CreateReceiptRule");
        let r = SesV1::render_error(&e, "req-2");
        assert_eq!(r.status(), 400);
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body = std::str::from_utf8(&body).unwrap().to_owned();
        assert!(
            body.starts_with(
                "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><Error>\
                 <Type>Sender</Type><Code>InvalidAction</Code><Message>CreateReceiptRule: inbound mail \
                 and receipt rules are not supported by mailsight"
            ),
            "{body}"
        );
        assert!(
            body.ends_with("<RequestId>req-2</RequestId></ErrorResponse>"),
            "{body}"
        );
        let e = errors::not_implemented("CreateNoSuchThing");
        assert_eq!((e.code, e.status.as_u16()), ("InvalidAction", 400));
        assert!(
            e.message.starts_with(
                "mailsight does not implement the SES v1 action CreateNoSuchThing yet"
            ),
            "{}",
            e.message
        );
    }
}
