//! What an export job exports: `CreateExportJob`'s `ExportDataSource` and
//! `ExportDestination`, in SES's member names (the API reads the request
//! into these types and `GetExportJob` writes them back), and the checks
//! SES makes before it accepts a job.

use std::collections::BTreeMap;

use mailsight_model::{Dimension, Metric};
use mailsight_store::{DAY_MS, Millis};
use serde::{Deserialize, Serialize};

use crate::analytics::vdm;

/// `MessageInsightsDataSource.MaxResults` when the request gives none.
pub const DEFAULT_MAX_RESULTS: u32 = 1_000;
/// The largest `MaxResults` SES takes.
pub const MAX_RESULTS: u32 = 10_000;

/// A whole `CreateExportJob` request, as stored with the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportSpec {
    pub export_data_source: ExportDataSource,
    pub export_destination: ExportDestination,
}

/// One of the two sources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportDataSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_data_source: Option<MetricsDataSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_insights_data_source: Option<MessageInsightsDataSource>,
}

/// Daily VDM metrics per value of up to three dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricsDataSource {
    /// Dimension name → `["*"]` or up to ten values.
    pub dimensions: BTreeMap<String, Vec<String>>,
    pub namespace: String,
    pub metrics: Vec<ExportMetric>,
    /// Epoch seconds, as the REST-JSON protocol sends timestamps.
    pub start_date: f64,
    pub end_date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportMetric {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation: Option<String>,
}

/// One row per recipient of each message sent in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageInsightsDataSource {
    pub start_date: f64,
    pub end_date: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<InsightsFilters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<InsightsFilters>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
}

/// `MessageInsightsFilters`: each member lists the values a row may have
/// (any of them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InsightsFilters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_email_address: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isp: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenant_name: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_delivery_event: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_engagement_event: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportDestination {
    pub data_format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_url: Option<String>,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Csv,
    /// One JSON object per line.
    Json,
}

impl DataFormat {
    pub fn extension(self) -> &'static str {
        match self {
            DataFormat::Csv => "csv",
            DataFormat::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DataFormat::Csv => "text/csv",
            DataFormat::Json => "application/x-ndjson",
        }
    }
}

/// A metrics source as the exporter runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsPlan {
    /// Each dimension with its values; none: every value (`*`).
    pub dimensions: Vec<(Dimension, Vec<String>)>,
    /// The metrics, each with whether it is a rate (of `SEND`).
    pub metrics: Vec<(Metric, bool)>,
    /// `[start, end)`, whole UTC days.
    pub start: Millis,
    pub end: Millis,
}

/// A message insights source as the exporter runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsPlan {
    /// `[start, end]`, both inclusive as SES documents.
    pub start: Millis,
    pub end: Millis,
    pub include: InsightsFilters,
    pub exclude: InsightsFilters,
    pub max_results: u32,
}

/// What a checked job does.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Metrics(MetricsPlan),
    Insights(Box<InsightsPlan>),
}

impl Plan {
    /// `ExportSourceType`.
    pub fn source_type(&self) -> &'static str {
        match self {
            Plan::Metrics(_) => "METRICS_DATA",
            Plan::Insights(_) => "MESSAGE_INSIGHTS",
        }
    }
}

fn millis(seconds: f64, member: &str) -> Result<Millis, String> {
    if !seconds.is_finite() || !(0.0..1e11).contains(&seconds) {
        return Err(format!("{member} is not a valid timestamp."));
    }
    Ok((seconds * 1000.0) as Millis)
}

const DELIVERY_EVENTS: [&str; 6] = [
    "SEND",
    "DELIVERY",
    "TRANSIENT_BOUNCE",
    "PERMANENT_BOUNCE",
    "UNDETERMINED_BOUNCE",
    "COMPLAINT",
];
const ENGAGEMENT_EVENTS: [&str; 2] = ["OPEN", "CLICK"];

impl InsightsFilters {
    fn check(&self, which: &str) -> Result<(), String> {
        let lists: [(&str, &Vec<String>, usize); 7] = [
            ("FromEmailAddress", &self.from_email_address, 5),
            ("Destination", &self.destination, 5),
            ("Subject", &self.subject, 1),
            ("Isp", &self.isp, 5),
            ("TenantName", &self.tenant_name, 5),
            ("LastDeliveryEvent", &self.last_delivery_event, 5),
            ("LastEngagementEvent", &self.last_engagement_event, 2),
        ];
        for (name, values, max) in lists {
            if values.len() > max {
                return Err(format!(
                    "{which}.{name} may list at most {max} values, not {}.",
                    values.len()
                ));
            }
        }
        let allowed = |values: &[String], names: &[&str], member: &str| {
            values.iter().try_for_each(|v| {
                if names.contains(&v.as_str()) {
                    Ok(())
                } else {
                    Err(format!(
                        "{which}.{member}: {v} is not one of {}.",
                        names.join(", ")
                    ))
                }
            })
        };
        allowed(
            &self.last_delivery_event,
            &DELIVERY_EVENTS,
            "LastDeliveryEvent",
        )?;
        allowed(
            &self.last_engagement_event,
            &ENGAGEMENT_EVENTS,
            "LastEngagementEvent",
        )
    }
}

impl ExportSpec {
    /// Checks the request as SES does; the plan to run and the format.
    pub fn check(&self) -> Result<(Plan, DataFormat), String> {
        let format = match self.export_destination.data_format.as_str() {
            "CSV" => DataFormat::Csv,
            "JSON" => DataFormat::Json,
            other => {
                return Err(format!(
                    "ExportDestination.DataFormat must be CSV or JSON, not {other}."
                ));
            }
        };
        let source = &self.export_data_source;
        let plan = match (
            &source.metrics_data_source,
            &source.message_insights_data_source,
        ) {
            (Some(m), None) => Plan::Metrics(m.check()?),
            (None, Some(i)) => Plan::Insights(Box::new(i.check()?)),
            _ => {
                return Err(
                    "ExportDataSource must hold exactly one of MetricsDataSource and \
                     MessageInsightsDataSource."
                        .to_owned(),
                );
            }
        };
        Ok((plan, format))
    }
}

impl MetricsDataSource {
    fn check(&self) -> Result<MetricsPlan, String> {
        if self.namespace != "VDM" {
            return Err(format!("Namespace must be VDM, not {}.", self.namespace));
        }
        if self.metrics.is_empty() || self.metrics.len() > 10 {
            return Err("Metrics must hold 1 to 10 metrics.".to_owned());
        }
        let mut metrics = Vec::new();
        for m in &self.metrics {
            let name = m.name.as_deref().unwrap_or_default();
            let metric = Metric::parse(name)
                .filter(|m| m.is_vdm())
                .ok_or_else(|| format!("{name} is not a VDM metric."))?;
            let rate = match m.aggregation.as_deref() {
                Some("RATE") => true,
                Some("VOLUME") | None => false,
                Some(other) => {
                    return Err(format!(
                        "The aggregation of {name} must be RATE or VOLUME, not {other}."
                    ));
                }
            };
            if metrics.contains(&(metric, rate)) {
                return Err(format!("Metric {name} is listed twice."));
            }
            metrics.push((metric, rate));
        }
        let given: Vec<(String, Vec<String>)> = self
            .dimensions
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let dimensions = vdm::dimension_filters(&given)?;
        let start = millis(self.start_date, "StartDate")?;
        let end = millis(self.end_date, "EndDate")?;
        vdm::check_range(start, end)?;
        Ok(MetricsPlan {
            dimensions,
            metrics,
            start: start.div_euclid(DAY_MS) * DAY_MS,
            end,
        })
    }
}

impl MessageInsightsDataSource {
    fn check(&self) -> Result<InsightsPlan, String> {
        let start = millis(self.start_date, "StartDate")?;
        let end = millis(self.end_date, "EndDate")?;
        if start > end {
            return Err("StartDate must not be after EndDate.".to_owned());
        }
        let max_results = self.max_results.unwrap_or(DEFAULT_MAX_RESULTS);
        if !(1..=MAX_RESULTS).contains(&max_results) {
            return Err(format!(
                "MaxResults must be between 1 and {MAX_RESULTS}, not {max_results}."
            ));
        }
        let include = self.include.clone().unwrap_or_default();
        let exclude = self.exclude.clone().unwrap_or_default();
        include.check("Include")?;
        exclude.check("Exclude")?;
        Ok(InsightsPlan {
            start,
            end,
            include,
            exclude,
            max_results,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> ExportSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_metrics_source_becomes_a_plan_of_whole_days() {
        let s = spec(serde_json::json!({
            "ExportDataSource": {"MetricsDataSource": {
                "Dimensions": {"ISP": ["*"], "EMAIL_IDENTITY": ["a.test"]},
                "Namespace": "VDM",
                "Metrics": [{"Name": "SEND", "Aggregation": "VOLUME"},
                            {"Name": "COMPLAINT", "Aggregation": "RATE"}],
                "StartDate": 1_767_225_600.5, "EndDate": 1_767_398_400.0}},
            "ExportDestination": {"DataFormat": "CSV"}
        }));
        let (Plan::Metrics(p), DataFormat::Csv) = s.check().unwrap() else {
            panic!("a metrics plan in CSV");
        };
        assert_eq!(p.start, 1_767_225_600_000);
        assert_eq!(p.end, 1_767_398_400_000);
        assert_eq!(
            p.metrics,
            [(Metric::Send, false), (Metric::Complaint, true)]
        );
        assert_eq!(
            p.dimensions,
            [
                (Dimension::EmailIdentity, vec!["a.test".to_owned()]),
                (Dimension::Isp, vec![])
            ]
        );
    }

    #[test]
    fn what_ses_refuses_is_refused() {
        let base = serde_json::json!({
            "ExportDataSource": {"MessageInsightsDataSource": {
                "StartDate": 10.0, "EndDate": 20.0}},
            "ExportDestination": {"DataFormat": "JSON"}
        });
        assert!(spec(base.clone()).check().is_ok());
        let bad = |path: &[&str], value: serde_json::Value| {
            let mut v = base.clone();
            let mut at = &mut v;
            for p in &path[..path.len() - 1] {
                at = at.get_mut(*p).unwrap();
            }
            at[path[path.len() - 1]] = value;
            spec(v).check().unwrap_err()
        };
        let src = ["ExportDataSource", "MessageInsightsDataSource"];
        assert!(bad(&["ExportDestination", "DataFormat"], "XML".into()).contains("CSV or JSON"));
        assert!(bad(&[src[0], src[1], "EndDate"], 5.0.into()).contains("after"));
        assert!(bad(&[src[0], src[1], "MaxResults"], 10_001.into()).contains("MaxResults"));
        assert!(
            bad(
                &[src[0], src[1], "Include"],
                serde_json::json!({"LastDeliveryEvent": ["OPEN"]})
            )
            .contains("not one of")
        );
        assert!(
            bad(
                &[src[0], src[1], "Exclude"],
                serde_json::json!({"Subject": ["a", "b"]})
            )
            .contains("at most 1")
        );
        assert!(
            bad(&["ExportDataSource"], serde_json::json!({})).contains("exactly one"),
            "no source"
        );
    }
}
