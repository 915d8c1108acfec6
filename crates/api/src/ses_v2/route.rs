//! Routing: the method and raw path of a request matched against
//! [`Operation::ROUTES`], with the path's labels decoded.
//!
//! Path labels arrive percent-encoded (`user%40example.com`); they are
//! decoded here, and a label that does not decode to UTF-8, or is empty or
//! a dot segment, is a bad request. When several routes match, the one
//! with the most literal segments wins (`contacts/list` before
//! `contacts/{EmailAddress}`).

use std::sync::LazyLock;

use axum::http::{Method, StatusCode};
use percent_encoding::percent_decode_str;

use super::Operation;
use crate::error::ApiError;

/// One segment of a route's path pattern.
#[derive(Debug)]
enum Segment {
    Literal(&'static str),
    Label(&'static str),
}

struct Pattern {
    op: Operation,
    method: &'static str,
    segments: Vec<Segment>,
    labels: usize,
}

/// The routes, split once.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    Operation::ROUTES
        .iter()
        .map(|&(op, method, path)| {
            let segments: Vec<Segment> = path
                .trim_start_matches('/')
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(label) => Segment::Label(label),
                        None => Segment::Literal(s),
                    },
                )
                .collect();
            let labels = segments
                .iter()
                .filter(|s| matches!(s, Segment::Label(_)))
                .count();
            Pattern {
                op,
                method,
                segments,
                labels,
            }
        })
        .collect()
});

/// The decoded path labels of a routed request, by their model names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<(&'static str, String)>);

impl Labels {
    /// The label called `name`. Its absence is a bug in the operation
    /// table (a handler reading a label its route does not have).
    pub fn get(&self, name: &str) -> Result<&str, ApiError> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| ApiError::internal(format!("the route has no {name} label")))
    }
}

fn label(raw: &str) -> Result<String, ApiError> {
    let decoded = percent_decode_str(raw).decode_utf8().map_err(|_| {
        ApiError::bad_request(format!(
            "The path segment '{raw}' is not valid percent-encoded UTF-8."
        ))
    })?;
    // Empty and dot segments are refused: SigV4 normalises them away, so a
    // signature would not bind to them.
    if decoded.is_empty() || decoded == "." || decoded == ".." {
        return Err(ApiError::bad_request(format!(
            "The path parameter '{decoded}' is not valid."
        )));
    }
    Ok(decoded.into_owned())
}

fn unknown(method: &Method, path: &str) -> ApiError {
    ApiError::new(
        "UnknownOperationException",
        StatusCode::NOT_FOUND,
        format!("No SES v2 operation matches {method} {path}."),
    )
}

/// Finds the operation for `method` and the raw (still encoded) `path`.
pub fn route(method: &Method, path: &str) -> Result<(Operation, Labels), ApiError> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let fits = |p: &Pattern| {
        p.method == method.as_str()
            && p.segments.len() == segments.len()
            && p.segments.iter().zip(&segments).all(|(s, raw)| match s {
                Segment::Literal(l) => l == raw,
                Segment::Label(_) => true,
            })
    };
    let best = PATTERNS
        .iter()
        .filter(|p| fits(p))
        .min_by_key(|p| p.labels)
        .ok_or_else(|| unknown(method, path))?;
    let mut labels = Vec::with_capacity(best.labels);
    for (s, raw) in best.segments.iter().zip(&segments) {
        if let Segment::Label(name) = s {
            labels.push((*name, label(raw)?));
        }
    }
    Ok((best.op, Labels(labels)))
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    fn op(method: &str, path: &str) -> Result<(Operation, Labels), ApiError> {
        route(&Method::from_bytes(method.as_bytes()).unwrap(), path)
    }

    /// The operations of the botocore `sesv2` model: name, method, path.
    fn model() -> Vec<(String, String, String)> {
        include_str!("../../tests/data/sesv2-operations.tsv")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let mut f = l.split('\t').map(str::to_owned);
                (f.next().unwrap(), f.next().unwrap(), f.next().unwrap())
            })
            .collect()
    }

    #[test]
    fn every_operation_is_named_as_in_the_model_and_has_its_route() {
        let model: HashMap<String, (String, String)> =
            model().into_iter().map(|(n, m, p)| (n, (m, p))).collect();
        for &o in Operation::ALL {
            let (method, path) = model
                .get(o.name())
                .unwrap_or_else(|| panic!("{} is not an SES v2 operation", o.name()));
            assert!(
                Operation::ROUTES
                    .iter()
                    .any(|(r, m, p)| *r == o && m == method && p == path),
                "{} is declared without the model's route {method} {path}",
                o.name()
            );
            assert_eq!(Operation::from_name(o.name()), Some(o));
        }
        let names: HashSet<_> = Operation::ALL.iter().map(|o| o.name()).collect();
        assert_eq!(
            names.len(),
            Operation::ALL.len(),
            "a name is declared twice"
        );
    }

    /// The other direction: every operation of the model (botocore's
    /// newest, its version in the file's first line) is answered, and the
    /// model's own route reaches it.
    #[test]
    fn every_operation_of_the_model_is_routed() {
        let model = model();
        assert!(model.len() >= 117, "the model list is truncated");
        let unrouted: Vec<&str> = model
            .iter()
            .filter(|(name, method, path)| {
                let routed = Operation::from_name(name).is_some_and(|o| {
                    Operation::ROUTES
                        .iter()
                        .any(|(r, m, p)| *r == o && m == method && p == path)
                });
                !routed
            })
            .map(|(name, _, _)| name.as_str())
            .collect();
        assert!(
            unrouted.is_empty(),
            "{} operations of the model are not routed: {unrouted:?}",
            unrouted.len()
        );
    }

    #[test]
    fn every_route_routes_to_its_operation() {
        for &(o, method, pattern) in Operation::ROUTES {
            let path = pattern.replace(['{', '}'], "");
            let (routed, labels) = op(method, &path).unwrap();
            assert_eq!(routed, o, "{method} {pattern}");
            for part in pattern.split('/') {
                if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    assert_eq!(labels.get(name).unwrap(), name);
                }
            }
        }
    }

    #[test]
    fn routes_table() {
        use Operation as O;
        type Case = (
            &'static str,
            &'static str,
            Operation,
            &'static [(&'static str, &'static str)],
        );
        let table: Vec<Case> = vec![
            ("POST", "/v2/email/outbound-emails", O::SendEmail, &[]),
            (
                "POST",
                "/v2/email/outbound-bulk-emails",
                O::SendBulkEmail,
                &[],
            ),
            (
                "POST",
                "/v2/email/configuration-sets",
                O::CreateConfigurationSet,
                &[],
            ),
            (
                "GET",
                "/v2/email/configuration-sets",
                O::ListConfigurationSets,
                &[],
            ),
            (
                "POST",
                "/v2/email/list-configuration-sets",
                O::ListConfigurationSets,
                &[],
            ),
            (
                "POST",
                "/v2/email/update-configuration-sets",
                O::UpdateConfigurationSet,
                &[],
            ),
            (
                "GET",
                "/v2/email/configuration-sets/my%2Dset",
                O::GetConfigurationSet,
                &[("ConfigurationSetName", "my-set")],
            ),
            (
                "DELETE",
                "/v2/email/configuration-sets/cs",
                O::DeleteConfigurationSet,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/tracking-options",
                O::PutConfigurationSetTrackingOptions,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/sending",
                O::PutConfigurationSetSendingOptions,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/vdm-options",
                O::PutConfigurationSetVdmOptions,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "POST",
                "/v2/email/configuration-sets/cs/event-destinations",
                O::CreateConfigurationSetEventDestination,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "GET",
                "/v2/email/configuration-sets/cs/event-destinations",
                O::GetConfigurationSetEventDestinations,
                &[("ConfigurationSetName", "cs")],
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/event-destinations/d1",
                O::UpdateConfigurationSetEventDestination,
                &[
                    ("ConfigurationSetName", "cs"),
                    ("EventDestinationName", "d1"),
                ],
            ),
            (
                "DELETE",
                "/v2/email/configuration-sets/cs/event-destinations/d1",
                O::DeleteConfigurationSetEventDestination,
                &[
                    ("ConfigurationSetName", "cs"),
                    ("EventDestinationName", "d1"),
                ],
            ),
            ("POST", "/v2/email/identities", O::CreateEmailIdentity, &[]),
            ("GET", "/v2/email/identities", O::ListEmailIdentities, &[]),
            (
                "POST",
                "/v2/email/list-identities",
                O::ListEmailIdentities,
                &[],
            ),
            (
                "GET",
                "/v2/email/identities/user%40example.com",
                O::GetEmailIdentity,
                &[("EmailIdentity", "user@example.com")],
            ),
            (
                "DELETE",
                "/v2/email/identities/a%2Bb%40example.com",
                O::DeleteEmailIdentity,
                &[("EmailIdentity", "a+b@example.com")],
            ),
            ("GET", "/v2/email/account", O::GetAccount, &[]),
            (
                "GET",
                "/v2/email/insights/0100abc-1/",
                O::GetMessageInsights,
                &[("MessageId", "0100abc-1")],
            ),
            (
                "GET",
                "/v2/email/insights/0100abc-1",
                O::GetMessageInsights,
                &[("MessageId", "0100abc-1")],
            ),
            (
                "PUT",
                "/v2/email/account/suppression",
                O::PutAccountSuppressionAttributes,
                &[],
            ),
            ("POST", "/v2/email/templates", O::CreateEmailTemplate, &[]),
            ("GET", "/v2/email/templates", O::ListEmailTemplates, &[]),
            (
                "GET",
                "/v2/email/templates/t_1",
                O::GetEmailTemplate,
                &[("TemplateName", "t_1")],
            ),
            (
                "PUT",
                "/v2/email/templates/t_1",
                O::UpdateEmailTemplate,
                &[("TemplateName", "t_1")],
            ),
            (
                "DELETE",
                "/v2/email/templates/t_1",
                O::DeleteEmailTemplate,
                &[("TemplateName", "t_1")],
            ),
            (
                "POST",
                "/v2/email/templates/t/render",
                O::TestRenderEmailTemplate,
                &[("TemplateName", "t")],
            ),
            ("POST", "/v2/email/contact-lists", O::CreateContactList, &[]),
            ("GET", "/v2/email/contact-lists", O::ListContactLists, &[]),
            (
                "GET",
                "/v2/email/contact-lists/news",
                O::GetContactList,
                &[("ContactListName", "news")],
            ),
            (
                "PUT",
                "/v2/email/contact-lists/news",
                O::UpdateContactList,
                &[("ContactListName", "news")],
            ),
            (
                "DELETE",
                "/v2/email/contact-lists/news",
                O::DeleteContactList,
                &[("ContactListName", "news")],
            ),
            (
                "POST",
                "/v2/email/contact-lists/news/contacts",
                O::CreateContact,
                &[("ContactListName", "news")],
            ),
            (
                "POST",
                "/v2/email/contact-lists/news/contacts/list",
                O::ListContacts,
                &[("ContactListName", "news")],
            ),
            (
                "GET",
                "/v2/email/contact-lists/news/contacts/a%2Bb%40example.com",
                O::GetContact,
                &[
                    ("ContactListName", "news"),
                    ("EmailAddress", "a+b@example.com"),
                ],
            ),
            (
                "GET",
                "/v2/email/contact-lists/news/contacts/list",
                O::GetContact,
                &[("ContactListName", "news"), ("EmailAddress", "list")],
            ),
            (
                "PUT",
                "/v2/email/contact-lists/news/contacts/a%40example.com",
                O::UpdateContact,
                &[
                    ("ContactListName", "news"),
                    ("EmailAddress", "a@example.com"),
                ],
            ),
            (
                "DELETE",
                "/v2/email/contact-lists/news/contacts/a%40example.com",
                O::DeleteContact,
                &[
                    ("ContactListName", "news"),
                    ("EmailAddress", "a@example.com"),
                ],
            ),
            (
                "PUT",
                "/v2/email/suppression/addresses",
                O::PutSuppressedDestination,
                &[],
            ),
            (
                "GET",
                "/v2/email/suppression/addresses",
                O::ListSuppressedDestinations,
                &[],
            ),
            (
                "GET",
                "/v2/email/suppression/addresses/x%40example.com",
                O::GetSuppressedDestination,
                &[("EmailAddress", "x@example.com")],
            ),
            (
                "DELETE",
                "/v2/email/suppression/addresses/x%40example.com",
                O::DeleteSuppressedDestination,
                &[("EmailAddress", "x@example.com")],
            ),
        ];
        for (method, path, expected, labels) in table {
            let (routed, got) = op(method, path).unwrap();
            assert_eq!(routed, expected, "{method} {path}");
            let want = Labels(labels.iter().map(|(n, v)| (*n, (*v).to_owned())).collect());
            assert_eq!(got, want, "{method} {path}");
        }
    }

    #[test]
    fn unknown_routes_are_refused() {
        for (method, path) in [
            ("GET", "/"),
            ("GET", "/v2/email"),
            ("PATCH", "/v2/email/configuration-sets"),
            ("GET", "/v2/email/outbound-emails"),
            ("PUT", "/v2/email/configuration-sets/cs/bogus-options"),
            (
                "GET",
                "/v2/email/configuration-sets/cs/event-destinations/d1/extra",
            ),
            ("GET", "/v1/email/account"),
            ("GET", "/v2/email/account/suppression"),
            ("POST", "/v2/email/templates/t"),
            ("GET", "/v2/email/templates/t/render"),
            ("PATCH", "/v2/email/templates/t"),
            ("POST", "/v2/email/contact-lists/news"),
            ("GET", "/v2/email/contact-lists/news/contacts"),
            ("GET", "/v2/email/contact-lists/news/contacts/list/extra"),
            (
                "POST",
                "/v2/email/contact-lists/news/contacts/a%40example.com",
            ),
            ("POST", "/v2/email/suppression/addresses"),
            ("PUT", "/v2/email/suppression/addresses/x%40example.com"),
            ("GET", "/v2/email/suppression"),
        ] {
            let e = op(method, path).unwrap_err();
            assert_eq!(e.code, "UnknownOperationException", "{method} {path}");
            assert_eq!(e.status, 404);
        }
    }

    #[test]
    fn bad_encodings_and_empty_labels_are_bad_requests() {
        for path in [
            "/v2/email/configuration-sets/%FF",
            "/v2/email/configuration-sets/%C3%28",
            "/v2/email/insights//",
            "/v2/email/configuration-sets/..",
            "/v2/email/configuration-sets/%2E",
        ] {
            let e = op("GET", path).unwrap_err();
            assert_eq!(e.code, "BadRequestException", "{path}");
        }
    }

    proptest::proptest! {
        #[test]
        fn routing_never_panics(method in "(GET|POST|PUT|DELETE|PATCH)", path in "(/v2/email/)?[a-z%0-9A-F./@+-]{0,60}") {
            let _ = op(&method, &path);
        }

        #[test]
        fn labels_round_trip_through_percent_encoding(name in "[^/]{1,40}") {
            let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC).to_string();
            let routed = op("GET", &format!("/v2/email/configuration-sets/{encoded}"));
            if name == "." || name == ".." {
                proptest::prop_assert!(routed.is_err());
            } else {
                let (o, labels) = routed.unwrap();
                proptest::prop_assert_eq!(o, Operation::GetConfigurationSet);
                proptest::prop_assert_eq!(labels.get("ConfigurationSetName").unwrap(), name.as_str());
            }
        }
    }
}
