//! End-to-end tests: a mailsight server started in-process on port 0,
//! driven through the real `aws-sdk-sesv2` client (and raw, SigV4-signed
//! HTTP where the SDK would refuse to send the malformed input).
//!
//! One test binary with modules, so the SDK is linked once.

mod common;

mod account_settings;
mod bulk;
mod configuration_sets;
mod contact_lists;
mod custom_verification;
mod dashboard;
mod dedicated_ips;
mod deliverability;
mod deliverability_dashboard;
mod errors;
mod event_destinations;
mod exports;
mod firehose_sink;
mod hostile;
mod identities;
mod identity_attributes;
mod identity_certificates;
mod identity_policies;
mod import;
mod import_jobs;
mod ingest;
mod lifecycle;
mod limits;
mod logs;
mod metrics;
mod multi_region;
mod nats_forwarder;
mod open_accounts;
mod outbox;
mod postgres;
mod protocols;
mod receiver;
mod restart;
mod search;
mod send_insights;
mod ses_v1;
mod ses_v1_notifications;
mod ses_v1_resources;
mod ses_v1_send;
mod sigv4;
mod sns_hosting;
mod sns_https;
mod sns_ingest;
mod strict_bodies;
mod suppression;
mod tags;
mod templates;
mod tenants;
mod tracking_tokens;
mod unsigned_payload;
