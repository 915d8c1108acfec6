//! The one request handler: body → route → authenticate → operation.
//!
//! Doing these steps in one place, in this order, guarantees that every
//! answer (success or error, from any step) carries `x-amzn-RequestId`, that
//! an unknown route or an oversized body gets an AWS-shaped error, and that
//! nothing is parsed before the signature over the exact bytes is checked.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::operation::{Operation, route};
use crate::ops;
use crate::state::AppState;

pub async fn handle(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let result = answer(&state, peer, request).await;
    let mut response = match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => {
            if e.status.is_server_error() {
                tracing::error!(%method, %path, code = e.code, message = %e.message, "request failed");
            } else {
                tracing::debug!(%method, %path, code = e.code, message = %e.message, "request refused");
            }
            let mut r = json_response(e.status, e.body());
            if let Ok(v) = HeaderValue::from_str(e.code) {
                r.headers_mut().insert("x-amzn-ErrorType", v);
            }
            r
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-RequestId", v);
    }
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

async fn answer(
    state: &AppState,
    peer: SocketAddr,
    request: Request<Body>,
) -> Result<String, ApiError> {
    let (parts, body) = request.into_parts();
    let limit = state.config.max_body_bytes;
    let body = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            "RequestEntityTooLargeException",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {limit} bytes."),
        )
    })?;
    let op = route(&parts.method, parts.uri.path())?;
    let caller = state
        .auth
        .authenticate(&parts.method, &parts.uri, &parts.headers, &body)?;
    tracing::debug!(operation = op.name(), account = %caller.account_id, "request");
    // The hot read path is serialised straight from its model, without the
    // `Value` tree the other operations build.
    if let Operation::GetMessageInsights { message_id } = &op {
        return ops::insights::get(state, &caller, message_id).await;
    }
    let answer = run(
        state,
        &caller,
        op,
        parts.uri.query(),
        &body,
        &peer.ip().to_string(),
    )
    .await?;
    Ok(answer.to_string())
}

async fn run(
    state: &AppState,
    caller: &Caller,
    op: Operation,
    query: Option<&str>,
    body: &[u8],
    source_ip: &str,
) -> Result<Value, ApiError> {
    use Operation as O;
    use ops::*;
    match op {
        O::SendEmail => send::send_email(state, caller, source_ip, body).await,
        O::SendBulkEmail => send::send_bulk_email(state, caller, source_ip, body).await,
        O::CreateConfigurationSet => configuration_sets::create(state, caller, body).await,
        O::GetConfigurationSet { name } => configuration_sets::get(state, caller, &name).await,
        O::ListConfigurationSets { post } => {
            configuration_sets::list(state, caller, post, query, body).await
        }
        O::UpdateConfigurationSet => configuration_sets::update(state, caller, body).await,
        O::PutConfigurationSetOption { name, option } => {
            configuration_sets::put_option(state, caller, &name, option, body).await
        }
        O::DeleteConfigurationSet { name } => {
            configuration_sets::delete(state, caller, &name).await
        }
        O::CreateEventDestination { set } => {
            event_destinations::create(state, caller, &set, body).await
        }
        O::GetEventDestinations { set } => event_destinations::get(state, caller, &set).await,
        O::UpdateEventDestination { set, name } => {
            event_destinations::update(state, caller, &set, &name, body).await
        }
        O::DeleteEventDestination { set, name } => {
            event_destinations::delete(state, caller, &set, &name).await
        }
        O::CreateEmailIdentity => identities::create(state, caller, body).await,
        O::GetEmailIdentity { identity } => identities::get(state, caller, &identity).await,
        O::ListEmailIdentities { post } => identities::list(state, caller, post, query, body).await,
        O::DeleteEmailIdentity { identity } => identities::delete(state, caller, &identity).await,
        O::GetAccount => account::get(state, caller).await,
        // `answer` serves this one without the detour through `Value`.
        O::GetMessageInsights { message_id } => {
            let text = insights::get(state, caller, &message_id).await?;
            serde_json::from_str(&text).map_err(|e| ApiError::internal(e.to_string()))
        }
        O::CreateEmailTemplate => templates::create(state, caller, body).await,
        O::ListEmailTemplates => templates::list(state, caller, query).await,
        O::GetEmailTemplate { name } => templates::get(state, caller, &name).await,
        O::UpdateEmailTemplate { name } => templates::update(state, caller, &name, body).await,
        O::DeleteEmailTemplate { name } => templates::delete(state, caller, &name).await,
        O::TestRenderEmailTemplate { name } => {
            templates::test_render(state, caller, &name, body).await
        }
        O::CreateContactList => contact_lists::create_list(state, caller, body).await,
        O::ListContactLists => contact_lists::list_lists(state, caller, query).await,
        O::GetContactList { list } => contact_lists::get_list(state, caller, &list).await,
        O::UpdateContactList { list } => {
            contact_lists::update_list(state, caller, &list, body).await
        }
        O::DeleteContactList { list } => contact_lists::delete_list(state, caller, &list).await,
        O::CreateContact { list } => {
            contact_lists::create_contact(state, caller, &list, body).await
        }
        O::ListContacts { list } => contact_lists::list_contacts(state, caller, &list, body).await,
        O::GetContact { list, email } => {
            contact_lists::get_contact(state, caller, &list, &email).await
        }
        O::UpdateContact { list, email } => {
            contact_lists::update_contact(state, caller, &list, &email, body).await
        }
        O::DeleteContact { list, email } => {
            contact_lists::delete_contact(state, caller, &list, &email).await
        }
        O::PutSuppressedDestination => suppression::put(state, caller, body).await,
        O::ListSuppressedDestinations => suppression::list(state, caller, query).await,
        O::GetSuppressedDestination { email } => suppression::get(state, caller, &email).await,
        O::DeleteSuppressedDestination { email } => {
            suppression::delete(state, caller, &email).await
        }
        O::PutAccountSuppressionAttributes => {
            suppression::put_account_attributes(state, caller, body).await
        }
    }
}
