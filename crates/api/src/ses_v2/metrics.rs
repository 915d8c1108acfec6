//! BatchGetMetricData: the request's JSON → the engine's VDM queries, and
//! their daily points back as SES shapes them (`Timestamps` in epoch
//! seconds beside `Values`, failed queries under `Errors`).

use mailsight_engine::analytics::vdm::{self, Outcome, VdmQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use crate::body::{epoch_seconds, json};
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    queries: Vec<Query>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Query {
    id: String,
    namespace: String,
    metric: String,
    #[serde(default)]
    dimensions: serde_json::Map<String, Value>,
    start_date: f64,
    end_date: f64,
}

fn millis(seconds: f64, member: &str) -> Result<i64, ApiError> {
    if !seconds.is_finite() || !(0.0..1e11).contains(&seconds) {
        return Err(ApiError::bad_request(format!(
            "{member} is not a valid timestamp."
        )));
    }
    Ok((seconds * 1000.0) as i64)
}

pub async fn batch_get(c: &Call<'_>) -> Result<Value, ApiError> {
    if !vdm::enabled(c.store(), c.account()).await? {
        return Err(ApiError::not_found(
            "Virtual Deliverability Manager is not enabled for this account.",
        ));
    }
    let req: Request = json(c.body)?;
    let mut queries = Vec::with_capacity(req.queries.len());
    for q in req.queries {
        let mut dimensions = Vec::with_capacity(q.dimensions.len());
        for (name, value) in q.dimensions {
            let Value::String(value) = value else {
                return Err(ApiError::bad_request(format!(
                    "The value of dimension {name} must be a string."
                )));
            };
            dimensions.push((name, value));
        }
        queries.push(VdmQuery {
            id: q.id,
            namespace: q.namespace,
            metric: q.metric,
            dimensions,
            start: millis(q.start_date, "StartDate")?,
            end: millis(q.end_date, "EndDate")?,
        });
    }
    let checked =
        vdm::check(&queries, c.state.config.insights.ses_exact).map_err(ApiError::bad_request)?;
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for outcome in vdm::run(c.store(), c.account(), &queries, checked).await {
        match outcome {
            Outcome::Points { id, days } => {
                let (timestamps, values): (Vec<f64>, Vec<u64>) =
                    days.into_iter().map(|(t, n)| (epoch_seconds(t), n)).unzip();
                results.push(json!({"Id": id, "Timestamps": timestamps, "Values": values}));
            }
            Outcome::Failed { id, code, message } => {
                errors.push(json!({"Id": id, "Code": code, "Message": message}));
            }
        }
    }
    Ok(json!({"Results": results, "Errors": errors}))
}
