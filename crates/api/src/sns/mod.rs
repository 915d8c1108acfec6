//! Just enough of Amazon SNS for an SES configuration set's
//! `SnsDestination` to deliver, and for the unmodified AWS CLI and boto3
//! `sns` clients to manage topics on mailsight (see `docs/SNS.md`).
//!
//! - [`actions`]: `CreateTopic`, `DeleteTopic`, `ListTopics`,
//!   `GetTopicAttributes`, `Subscribe`, `ConfirmSubscription`,
//!   `Unsubscribe`, `ListSubscriptions`, `ListSubscriptionsByTopic`,
//!   `Get/SetSubscriptionAttributes`, `Publish`, declared once in [`Action`];
//! - `SetTopicAttributes` in [`topic_attributes`]; `TagResource`,
//!   `UntagResource`, `ListTagsForResource` in [`tags`]; `Publish`'s
//!   `MessageAttributes` in [`message_attributes`];
//! - [`arn`]: topic and subscription ARNs;
//! - [`errors`]: SNS's codes and statuses;
//! - [`config`]: checking and seeding the topics `[sns]` declares.
//!
//! [`Sns`] is the protocol behind [`crate::front`], which sends it `POST /`
//! with a form body signed for `sns`, and the unsigned
//! `GET /?Action=ConfirmSubscription|Unsubscribe` links mailsight puts in
//! its envelopes. Parameters and XML are the query protocol's
//! ([`crate::query`]). Signing, envelopes and fan-out live in
//! `mailsight_engine::outbox::sns`, shared with the outbox.

pub mod actions;
pub mod arn;
pub mod config;
pub mod errors;
pub mod message_attributes;
pub mod tags;
pub mod topic_attributes;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsight_store::Store;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::front::operations::operations;
use crate::front::{Incoming, Protocol};
use crate::query::{Params, xml};
use crate::state::{AppState, SnsApi};

/// The SigV4 signing name SNS clients use.
pub const SIGNING_NAME: &str = "sns";

/// The SNS API's XML namespace.
pub const NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// The actions SNS clients may call without a signature: the links in
/// mailsight's envelopes, whose token or random id is the capability.
const UNSIGNED: &[Action] = &[Action::ConfirmSubscription, Action::Unsubscribe];

operations! {
    /// One SNS action mailsight implements.
    pub enum Action(SnsCall<'_>) -> Option<String>;
    CreateTopic => actions::create_topic;
    DeleteTopic => actions::delete_topic;
    ListTopics => actions::list_topics;
    GetTopicAttributes => actions::get_topic_attributes;
    SetTopicAttributes => topic_attributes::set_topic_attributes;
    TagResource => tags::tag_resource;
    UntagResource => tags::untag_resource;
    ListTagsForResource => tags::list_tags_for_resource;
    Subscribe => actions::subscribe;
    ConfirmSubscription => actions::confirm_subscription;
    Unsubscribe => actions::unsubscribe;
    ListSubscriptions => actions::list_subscriptions;
    ListSubscriptionsByTopic => actions::list_subscriptions_by_topic;
    GetSubscriptionAttributes => actions::get_subscription_attributes;
    SetSubscriptionAttributes => actions::set_subscription_attributes;
    Publish => actions::publish;
}

/// One call of an action: what every action gets.
pub struct SnsCall<'a> {
    pub state: &'a AppState,
    /// The signer's account; `None` for the unsigned links.
    pub caller_account: Option<&'a str>,
    pub params: &'a Params,
}

impl SnsCall<'_> {
    pub fn api(&self) -> &SnsApi {
        &self.state.sns
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.state.store()
    }

    /// The signer's account (every action but the links is signed).
    pub fn account(&self) -> Result<&str, ApiError> {
        self.caller_account
            .ok_or_else(|| errors::internal("this action needs a signed request"))
    }
}

/// A routed SNS request: the action named (or the unknown name, refused
/// after authentication as SNS does) and its parameters.
pub struct Routed {
    action: Result<Action, String>,
    /// The action's name, for the answer's element names.
    name: &'static str,
    params: Params,
    /// A `GET` of an unsigned link (the same actions POSTed are signed
    /// like any other).
    link: bool,
}

/// Whether `GET /?…` is one of the unsigned links.
pub fn is_link(query: Option<&str>) -> bool {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    params
        .action()
        .and_then(Action::from_name)
        .is_some_and(|a| UNSIGNED.contains(&a))
}

/// SNS behind the front.
pub struct Sns;

impl Protocol for Sns {
    const NAME: &'static str = "SNS";
    const SIGNING_NAME: &'static str = SIGNING_NAME;
    const THROTTLING_CODE: &'static str = "Throttled";
    type Operation = Routed;
    type Answer = Option<String>;

    fn route(request: &Incoming) -> Result<Routed, ApiError> {
        let get = request.parts.method == axum::http::Method::GET;
        let params = if get {
            Params::parse(request.parts.uri.query().unwrap_or_default().as_bytes())
        } else {
            Params::parse(&request.body)
        };
        let given = params.named_action()?;
        let action = Action::from_name(given).ok_or_else(|| given.to_owned());
        let name = action.as_ref().map_or("Unknown", |a| a.name());
        let link = get && matches!(action, Ok(a) if UNSIGNED.contains(&a));
        Ok(Routed {
            action,
            name,
            params,
            link,
        })
    }

    fn operation_name(op: &Routed) -> &'static str {
        op.name
    }

    fn signed(op: &Routed) -> bool {
        !op.link
    }

    /// Only a `GET` may be an unsigned confirmation link.
    fn signed_head(parts: &axum::http::request::Parts) -> bool {
        parts.method != axum::http::Method::GET
    }

    async fn call(
        state: &AppState,
        caller: Option<&Caller>,
        op: &Routed,
        _request: &Incoming,
    ) -> Result<Option<String>, ApiError> {
        let action = op.action.as_ref().map_err(|other| {
            ApiError::new(
                "InvalidAction",
                StatusCode::BAD_REQUEST,
                format!(
                    "The action {other} is not valid for this endpoint (mailsight implements a subset of SNS)."
                ),
            )
        })?;
        let call = SnsCall {
            state,
            caller_account: caller.map(|c| c.account_id.as_str()),
            params: &op.params,
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

/// `GET` of the signing certificate (`SigningCertURL`).
pub async fn certificate(State(state): State<AppState>) -> Response {
    let mut r = state.sns.host.cert_pem().to_owned().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    r
}
