//! GetMessageInsights: one indexed read of the message and its events,
//! shaped per recipient by the engine and serialised straight from its
//! model (the hot read path builds no `Value` tree).

use super::Call;
use crate::error::ApiError;

/// The answer as JSON text.
pub async fn get(c: &Call<'_>) -> Result<String, ApiError> {
    // SES looks at the VDM switch before the message id.
    if !mailsight_engine::analytics::vdm::enabled(c.store(), c.account()).await? {
        return Err(ApiError::not_found(
            "Virtual Deliverability Manager is not enabled for this account.",
        ));
    }
    let message_id = c.label("MessageId")?;
    let found = c.store().message_events(c.account(), message_id).await?;
    let Some(found) = found else {
        return Err(ApiError::not_found(format!(
            "Message {message_id} not found for account {}",
            c.account()
        )));
    };
    let insights = mailsight_engine::insights::shape(found, c.state.config.insights.ses_exact);
    serde_json::to_string(&insights).map_err(|e| ApiError::internal(e.to_string()))
}
