//! Routing: one [`Operation`] variant per SES v2 call, parsed from the
//! method and the raw path.
//!
//! Path labels arrive percent-encoded (`user%40example.com`); they are
//! decoded here, and a label that does not decode to UTF-8 is a bad request.
//! Both the routes older SDKs send and those of the newest model are
//! accepted (see `docs/API.md`).

use axum::http::Method;
use percent_encoding::percent_decode_str;

use crate::error::ApiError;

/// The member a `PUT /configuration-sets/{name}/<option>` call replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOption {
    Tracking,
    Delivery,
    Reputation,
    Sending,
    Suppression,
    Vdm,
    Archiving,
}

impl SetOption {
    /// The configuration set member the option call writes.
    pub fn member(self) -> &'static str {
        match self {
            SetOption::Tracking => "TrackingOptions",
            SetOption::Delivery => "DeliveryOptions",
            SetOption::Reputation => "ReputationOptions",
            SetOption::Sending => "SendingOptions",
            SetOption::Suppression => "SuppressionOptions",
            SetOption::Vdm => "VdmOptions",
            SetOption::Archiving => "ArchivingOptions",
        }
    }

    fn from_segment(s: &str) -> Option<Self> {
        Some(match s {
            "tracking-options" => SetOption::Tracking,
            "delivery-options" => SetOption::Delivery,
            "reputation-options" => SetOption::Reputation,
            "sending" => SetOption::Sending,
            "suppression-options" => SetOption::Suppression,
            "vdm-options" => SetOption::Vdm,
            "archiving-options" => SetOption::Archiving,
            _ => return None,
        })
    }
}

/// One SES v2 operation with its path labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    SendEmail,
    SendBulkEmail,
    CreateConfigurationSet,
    GetConfigurationSet {
        name: String,
    },
    /// `GET /configuration-sets` (older clients) and
    /// `POST /list-configuration-sets` (newest).
    ListConfigurationSets {
        post: bool,
    },
    /// `POST /update-configuration-sets`, the newest partial update.
    UpdateConfigurationSet,
    PutConfigurationSetOption {
        name: String,
        option: SetOption,
    },
    DeleteConfigurationSet {
        name: String,
    },
    CreateEventDestination {
        set: String,
    },
    GetEventDestinations {
        set: String,
    },
    UpdateEventDestination {
        set: String,
        name: String,
    },
    DeleteEventDestination {
        set: String,
        name: String,
    },
    CreateEmailIdentity,
    GetEmailIdentity {
        identity: String,
    },
    ListEmailIdentities {
        post: bool,
    },
    DeleteEmailIdentity {
        identity: String,
    },
    GetAccount,
    GetMessageInsights {
        message_id: String,
    },
    CreateEmailTemplate,
    ListEmailTemplates,
    GetEmailTemplate {
        name: String,
    },
    UpdateEmailTemplate {
        name: String,
    },
    DeleteEmailTemplate {
        name: String,
    },
    TestRenderEmailTemplate {
        name: String,
    },
    CreateContactList,
    ListContactLists,
    GetContactList {
        list: String,
    },
    UpdateContactList {
        list: String,
    },
    DeleteContactList {
        list: String,
    },
    CreateContact {
        list: String,
    },
    /// `POST /contact-lists/{list}/contacts/list` (a POST with a body).
    ListContacts {
        list: String,
    },
    GetContact {
        list: String,
        email: String,
    },
    UpdateContact {
        list: String,
        email: String,
    },
    DeleteContact {
        list: String,
        email: String,
    },
    PutSuppressedDestination,
    ListSuppressedDestinations,
    GetSuppressedDestination {
        email: String,
    },
    DeleteSuppressedDestination {
        email: String,
    },
    PutAccountSuppressionAttributes,
}

impl Operation {
    /// The SES operation name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::SendEmail => "SendEmail",
            Operation::SendBulkEmail => "SendBulkEmail",
            Operation::CreateConfigurationSet => "CreateConfigurationSet",
            Operation::GetConfigurationSet { .. } => "GetConfigurationSet",
            Operation::ListConfigurationSets { .. } => "ListConfigurationSets",
            Operation::UpdateConfigurationSet => "UpdateConfigurationSet",
            Operation::PutConfigurationSetOption { .. } => "PutConfigurationSetOption",
            Operation::DeleteConfigurationSet { .. } => "DeleteConfigurationSet",
            Operation::CreateEventDestination { .. } => "CreateConfigurationSetEventDestination",
            Operation::GetEventDestinations { .. } => "GetConfigurationSetEventDestinations",
            Operation::UpdateEventDestination { .. } => "UpdateConfigurationSetEventDestination",
            Operation::DeleteEventDestination { .. } => "DeleteConfigurationSetEventDestination",
            Operation::CreateEmailIdentity => "CreateEmailIdentity",
            Operation::GetEmailIdentity { .. } => "GetEmailIdentity",
            Operation::ListEmailIdentities { .. } => "ListEmailIdentities",
            Operation::DeleteEmailIdentity { .. } => "DeleteEmailIdentity",
            Operation::GetAccount => "GetAccount",
            Operation::GetMessageInsights { .. } => "GetMessageInsights",
            Operation::CreateEmailTemplate => "CreateEmailTemplate",
            Operation::ListEmailTemplates => "ListEmailTemplates",
            Operation::GetEmailTemplate { .. } => "GetEmailTemplate",
            Operation::UpdateEmailTemplate { .. } => "UpdateEmailTemplate",
            Operation::DeleteEmailTemplate { .. } => "DeleteEmailTemplate",
            Operation::TestRenderEmailTemplate { .. } => "TestRenderEmailTemplate",
            Operation::CreateContactList => "CreateContactList",
            Operation::ListContactLists => "ListContactLists",
            Operation::GetContactList { .. } => "GetContactList",
            Operation::UpdateContactList { .. } => "UpdateContactList",
            Operation::DeleteContactList { .. } => "DeleteContactList",
            Operation::CreateContact { .. } => "CreateContact",
            Operation::ListContacts { .. } => "ListContacts",
            Operation::GetContact { .. } => "GetContact",
            Operation::UpdateContact { .. } => "UpdateContact",
            Operation::DeleteContact { .. } => "DeleteContact",
            Operation::PutSuppressedDestination => "PutSuppressedDestination",
            Operation::ListSuppressedDestinations => "ListSuppressedDestinations",
            Operation::GetSuppressedDestination { .. } => "GetSuppressedDestination",
            Operation::DeleteSuppressedDestination { .. } => "DeleteSuppressedDestination",
            Operation::PutAccountSuppressionAttributes => "PutAccountSuppressionAttributes",
        }
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
        axum::http::StatusCode::NOT_FOUND,
        format!("No SES v2 operation matches {method} {path}."),
    )
}

/// Finds the operation for `method` and the raw (still encoded) `path`.
pub fn route(method: &Method, path: &str) -> Result<Operation, ApiError> {
    let Some(rest) = path.strip_prefix("/v2/email/") else {
        return Err(unknown(method, path));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    use Operation as O;
    let m = method.as_str();
    let op = match (m, segments.as_slice()) {
        ("POST", ["outbound-emails"]) => O::SendEmail,
        ("POST", ["outbound-bulk-emails"]) => O::SendBulkEmail,
        ("POST", ["configuration-sets"]) => O::CreateConfigurationSet,
        ("GET", ["configuration-sets"]) => O::ListConfigurationSets { post: false },
        ("POST", ["list-configuration-sets"]) => O::ListConfigurationSets { post: true },
        ("POST", ["update-configuration-sets"]) => O::UpdateConfigurationSet,
        ("GET", ["configuration-sets", name]) => O::GetConfigurationSet { name: label(name)? },
        ("DELETE", ["configuration-sets", name]) => {
            O::DeleteConfigurationSet { name: label(name)? }
        }
        ("PUT", ["configuration-sets", name, option]) => match SetOption::from_segment(option) {
            Some(option) => O::PutConfigurationSetOption {
                name: label(name)?,
                option,
            },
            None => return Err(unknown(method, path)),
        },
        ("POST", ["configuration-sets", set, "event-destinations"]) => {
            O::CreateEventDestination { set: label(set)? }
        }
        ("GET", ["configuration-sets", set, "event-destinations"]) => {
            O::GetEventDestinations { set: label(set)? }
        }
        ("PUT", ["configuration-sets", set, "event-destinations", name]) => {
            O::UpdateEventDestination {
                set: label(set)?,
                name: label(name)?,
            }
        }
        ("DELETE", ["configuration-sets", set, "event-destinations", name]) => {
            O::DeleteEventDestination {
                set: label(set)?,
                name: label(name)?,
            }
        }
        ("POST", ["identities"]) => O::CreateEmailIdentity,
        ("GET", ["identities"]) => O::ListEmailIdentities { post: false },
        ("POST", ["list-identities"]) => O::ListEmailIdentities { post: true },
        ("GET", ["identities", identity]) => O::GetEmailIdentity {
            identity: label(identity)?,
        },
        ("DELETE", ["identities", identity]) => O::DeleteEmailIdentity {
            identity: label(identity)?,
        },
        ("GET", ["account"]) => O::GetAccount,
        // The model's URI ends in a slash; a missing one is accepted too.
        ("GET", ["insights", id, ""]) | ("GET", ["insights", id]) => O::GetMessageInsights {
            message_id: label(id)?,
        },
        ("PUT", ["account", "suppression"]) => O::PutAccountSuppressionAttributes,
        ("POST", ["templates"]) => O::CreateEmailTemplate,
        ("GET", ["templates"]) => O::ListEmailTemplates,
        ("GET", ["templates", name]) => O::GetEmailTemplate { name: label(name)? },
        ("PUT", ["templates", name]) => O::UpdateEmailTemplate { name: label(name)? },
        ("DELETE", ["templates", name]) => O::DeleteEmailTemplate { name: label(name)? },
        ("POST", ["templates", name, "render"]) => {
            O::TestRenderEmailTemplate { name: label(name)? }
        }
        ("POST", ["contact-lists"]) => O::CreateContactList,
        ("GET", ["contact-lists"]) => O::ListContactLists,
        ("GET", ["contact-lists", list]) => O::GetContactList { list: label(list)? },
        ("PUT", ["contact-lists", list]) => O::UpdateContactList { list: label(list)? },
        ("DELETE", ["contact-lists", list]) => O::DeleteContactList { list: label(list)? },
        ("POST", ["contact-lists", list, "contacts"]) => O::CreateContact { list: label(list)? },
        ("POST", ["contact-lists", list, "contacts", "list"]) => {
            O::ListContacts { list: label(list)? }
        }
        ("GET", ["contact-lists", list, "contacts", email]) => O::GetContact {
            list: label(list)?,
            email: label(email)?,
        },
        ("PUT", ["contact-lists", list, "contacts", email]) => O::UpdateContact {
            list: label(list)?,
            email: label(email)?,
        },
        ("DELETE", ["contact-lists", list, "contacts", email]) => O::DeleteContact {
            list: label(list)?,
            email: label(email)?,
        },
        ("PUT", ["suppression", "addresses"]) => O::PutSuppressedDestination,
        ("GET", ["suppression", "addresses"]) => O::ListSuppressedDestinations,
        ("GET", ["suppression", "addresses", email]) => O::GetSuppressedDestination {
            email: label(email)?,
        },
        ("DELETE", ["suppression", "addresses", email]) => O::DeleteSuppressedDestination {
            email: label(email)?,
        },
        _ => return Err(unknown(method, path)),
    };
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Result<Operation, ApiError> {
        route(&Method::from_bytes(method.as_bytes()).unwrap(), path)
    }

    #[test]
    fn routes_table() {
        use Operation as O;
        let s = |v: &str| v.to_owned();
        let table: Vec<(&str, &str, Operation)> = vec![
            ("POST", "/v2/email/outbound-emails", O::SendEmail),
            ("POST", "/v2/email/outbound-bulk-emails", O::SendBulkEmail),
            (
                "POST",
                "/v2/email/configuration-sets",
                O::CreateConfigurationSet,
            ),
            (
                "GET",
                "/v2/email/configuration-sets",
                O::ListConfigurationSets { post: false },
            ),
            (
                "POST",
                "/v2/email/list-configuration-sets",
                O::ListConfigurationSets { post: true },
            ),
            (
                "POST",
                "/v2/email/update-configuration-sets",
                O::UpdateConfigurationSet,
            ),
            (
                "GET",
                "/v2/email/configuration-sets/cs-1",
                O::GetConfigurationSet { name: s("cs-1") },
            ),
            (
                "DELETE",
                "/v2/email/configuration-sets/cs-1",
                O::DeleteConfigurationSet { name: s("cs-1") },
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/tracking-options",
                O::PutConfigurationSetOption {
                    name: s("cs"),
                    option: SetOption::Tracking,
                },
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/sending",
                O::PutConfigurationSetOption {
                    name: s("cs"),
                    option: SetOption::Sending,
                },
            ),
            (
                "POST",
                "/v2/email/configuration-sets/cs/event-destinations",
                O::CreateEventDestination { set: s("cs") },
            ),
            (
                "GET",
                "/v2/email/configuration-sets/cs/event-destinations",
                O::GetEventDestinations { set: s("cs") },
            ),
            (
                "PUT",
                "/v2/email/configuration-sets/cs/event-destinations/d1",
                O::UpdateEventDestination {
                    set: s("cs"),
                    name: s("d1"),
                },
            ),
            (
                "DELETE",
                "/v2/email/configuration-sets/cs/event-destinations/d1",
                O::DeleteEventDestination {
                    set: s("cs"),
                    name: s("d1"),
                },
            ),
            ("POST", "/v2/email/identities", O::CreateEmailIdentity),
            (
                "GET",
                "/v2/email/identities",
                O::ListEmailIdentities { post: false },
            ),
            (
                "POST",
                "/v2/email/list-identities",
                O::ListEmailIdentities { post: true },
            ),
            (
                "GET",
                "/v2/email/identities/user%40example.com",
                O::GetEmailIdentity {
                    identity: s("user@example.com"),
                },
            ),
            (
                "DELETE",
                "/v2/email/identities/a%2Bb%40example.com",
                O::DeleteEmailIdentity {
                    identity: s("a+b@example.com"),
                },
            ),
            ("GET", "/v2/email/account", O::GetAccount),
            (
                "GET",
                "/v2/email/insights/0100abc-1/",
                O::GetMessageInsights {
                    message_id: s("0100abc-1"),
                },
            ),
            (
                "GET",
                "/v2/email/insights/0100abc-1",
                O::GetMessageInsights {
                    message_id: s("0100abc-1"),
                },
            ),
            (
                "PUT",
                "/v2/email/account/suppression",
                O::PutAccountSuppressionAttributes,
            ),
            ("POST", "/v2/email/templates", O::CreateEmailTemplate),
            ("GET", "/v2/email/templates", O::ListEmailTemplates),
            (
                "GET",
                "/v2/email/templates/t_1",
                O::GetEmailTemplate { name: s("t_1") },
            ),
            (
                "PUT",
                "/v2/email/templates/t_1",
                O::UpdateEmailTemplate { name: s("t_1") },
            ),
            (
                "DELETE",
                "/v2/email/templates/t_1",
                O::DeleteEmailTemplate { name: s("t_1") },
            ),
            (
                "POST",
                "/v2/email/templates/t/render",
                O::TestRenderEmailTemplate { name: s("t") },
            ),
            ("POST", "/v2/email/contact-lists", O::CreateContactList),
            ("GET", "/v2/email/contact-lists", O::ListContactLists),
            (
                "GET",
                "/v2/email/contact-lists/news",
                O::GetContactList { list: s("news") },
            ),
            (
                "PUT",
                "/v2/email/contact-lists/news",
                O::UpdateContactList { list: s("news") },
            ),
            (
                "DELETE",
                "/v2/email/contact-lists/news",
                O::DeleteContactList { list: s("news") },
            ),
            (
                "POST",
                "/v2/email/contact-lists/news/contacts",
                O::CreateContact { list: s("news") },
            ),
            (
                "POST",
                "/v2/email/contact-lists/news/contacts/list",
                O::ListContacts { list: s("news") },
            ),
            (
                "GET",
                "/v2/email/contact-lists/news/contacts/a%2Bb%40example.com",
                O::GetContact {
                    list: s("news"),
                    email: s("a+b@example.com"),
                },
            ),
            (
                "PUT",
                "/v2/email/contact-lists/news/contacts/a%40example.com",
                O::UpdateContact {
                    list: s("news"),
                    email: s("a@example.com"),
                },
            ),
            (
                "DELETE",
                "/v2/email/contact-lists/news/contacts/a%40example.com",
                O::DeleteContact {
                    list: s("news"),
                    email: s("a@example.com"),
                },
            ),
            (
                "PUT",
                "/v2/email/suppression/addresses",
                O::PutSuppressedDestination,
            ),
            (
                "GET",
                "/v2/email/suppression/addresses",
                O::ListSuppressedDestinations,
            ),
            (
                "GET",
                "/v2/email/suppression/addresses/x%40example.com",
                O::GetSuppressedDestination {
                    email: s("x@example.com"),
                },
            ),
            (
                "DELETE",
                "/v2/email/suppression/addresses/x%40example.com",
                O::DeleteSuppressedDestination {
                    email: s("x@example.com"),
                },
            ),
        ];
        for (method, path, expected) in table {
            assert_eq!(op(method, path).unwrap(), expected, "{method} {path}");
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
                proptest::prop_assert_eq!(routed.unwrap(), Operation::GetConfigurationSet { name: name.clone() });
            }
        }
    }
}
