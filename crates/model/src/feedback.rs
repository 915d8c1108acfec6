//! Open enumerations for the classification fields of bounce, complaint and
//! delivery-delay objects.
//!
//! AWS has added bounce subtypes over the years (account-level suppression,
//! tenant suppression, validation suppression) and documents that consumers
//! must tolerate values they do not know. A closed enum would turn every such
//! addition into a parse failure and a lost event, so each enum here keeps an
//! unknown value verbatim in a catch-all variant and writes it back unchanged.
//!
//! The event record spells these in CamelCase (`OnAccountSuppressionList`),
//! while `GetMessageInsights` answers in UPPER_SNAKE
//! (`ON_ACCOUNT_SUPPRESSION_LIST`); [`upper_snake`] is the single bridge.

use std::fmt;

/// Generates an open enum: named variants with their record spelling, a
/// catch-all that keeps unknown spellings, and string serde.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, catch_all = $other:ident, default = $default:ident,
        { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this build does not know; kept verbatim so it survives
            /// a round trip.
            $other(String),
        }

        impl $name {
            /// Every named variant, in the order AWS documents them.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in the event record.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::$other(s) => s,
                }
            }

            /// Maps a record spelling to its variant; anything unrecognised
            /// lands in the catch-all rather than failing.
            pub fn from_record_name(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::$other(other.to_owned()),
                }
            }

            /// True when the value is one AWS has documented (or we have
            /// observed) rather than the catch-all.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::$other(_))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from_record_name(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok(Self::from_record_name(&s))
            }
        }
    };
}

open_enum! {
    /// `bounce.bounceType`.
    BounceType, catch_all = Other, default = Undetermined, {
        Undetermined => "Undetermined",
        Permanent => "Permanent",
        Transient => "Transient",
    }
}

open_enum! {
    /// `bounce.bounceSubType`. The last three are observed in third-party
    /// parsers only; naming them costs nothing and lets callers match on them.
    BounceSubType, catch_all = Other, default = Undetermined, {
        Undetermined => "Undetermined",
        General => "General",
        NoEmail => "NoEmail",
        Suppressed => "Suppressed",
        OnAccountSuppressionList => "OnAccountSuppressionList",
        MailboxFull => "MailboxFull",
        MessageTooLarge => "MessageTooLarge",
        ContentRejected => "ContentRejected",
        AttachmentRejected => "AttachmentRejected",
        UnsubscribedRecipient => "UnsubscribedRecipient",
        OnTenantSuppressionList => "OnTenantSuppressionList",
        EmailValidationSuppressed => "EmailValidationSuppressed",
    }
}

open_enum! {
    /// `complaint.complaintFeedbackType`: the MARF `Feedback-Type` of the
    /// ISP's report, lower-case with hyphens. `Other` is a real MARF value, so
    /// the catch-all is called `Unknown`.
    ComplaintFeedbackType, catch_all = Unknown, default = Abuse, {
        Abuse => "abuse",
        AuthFailure => "auth-failure",
        Fraud => "fraud",
        NotSpam => "not-spam",
        Other => "other",
        Virus => "virus",
    }
}

open_enum! {
    /// `deliveryDelay.delayType`.
    DelayType, catch_all = Other, default = Undetermined, {
        InternalFailure => "InternalFailure",
        General => "General",
        MailboxFull => "MailboxFull",
        SpamDetected => "SpamDetected",
        RecipientServerError => "RecipientServerError",
        IpFailure => "IPFailure",
        TransientCommunicationFailure => "TransientCommunicationFailure",
        ByoipHostNameLookupUnavailable => "BYOIPHostNameLookupUnavailable",
        Undetermined => "Undetermined",
        SendingDeferral => "SendingDeferral",
    }
}

impl BounceType {
    /// The `GetMessageInsights` spelling (`PERMANENT`).
    pub fn insights_name(&self) -> String {
        upper_snake(self.as_str())
    }
}

impl BounceSubType {
    /// The `GetMessageInsights` spelling (`ON_ACCOUNT_SUPPRESSION_LIST`).
    /// Unknown subtypes go through the same conversion, on the bet that AWS
    /// keeps deriving one spelling from the other.
    pub fn insights_name(&self) -> String {
        upper_snake(self.as_str())
    }
}

/// Converts a CamelCase (or spaced / hyphenated) name to UPPER_SNAKE.
///
/// Runs of capitals are treated as one acronym word, so
/// `BYOIPHostNameLookupUnavailable` becomes `BYOIP_HOST_NAME_LOOKUP_UNAVAILABLE`,
/// and a value that is already UPPER_SNAKE comes back unchanged.
pub fn upper_snake(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                let word_starts = prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next_is_lower);
                if word_starts && !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
            }
            out.extend(c.to_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_names_match_the_api() {
        assert_eq!(BounceType::Permanent.insights_name(), "PERMANENT");
        assert_eq!(BounceType::Transient.insights_name(), "TRANSIENT");
        assert_eq!(BounceType::Undetermined.insights_name(), "UNDETERMINED");
        assert_eq!(BounceSubType::General.insights_name(), "GENERAL");
        assert_eq!(BounceSubType::NoEmail.insights_name(), "NO_EMAIL");
        assert_eq!(
            BounceSubType::OnAccountSuppressionList.insights_name(),
            "ON_ACCOUNT_SUPPRESSION_LIST"
        );
        assert_eq!(
            BounceSubType::Other("SomethingNew".into()).insights_name(),
            "SOMETHING_NEW"
        );
    }

    #[test]
    fn upper_snake_handles_acronyms_separators_and_idempotence() {
        assert_eq!(
            upper_snake("BYOIPHostNameLookupUnavailable"),
            "BYOIP_HOST_NAME_LOOKUP_UNAVAILABLE"
        );
        assert_eq!(upper_snake("IPFailure"), "IP_FAILURE");
        assert_eq!(upper_snake("Rendering Failure"), "RENDERING_FAILURE");
        assert_eq!(upper_snake("auth-failure"), "AUTH_FAILURE");
        assert_eq!(
            upper_snake("ON_ACCOUNT_SUPPRESSION_LIST"),
            "ON_ACCOUNT_SUPPRESSION_LIST"
        );
        assert_eq!(upper_snake("Mailbox2Full"), "MAILBOX2_FULL");
        assert_eq!(upper_snake(""), "");
        assert_eq!(upper_snake("--"), "");
    }

    #[test]
    fn every_known_value_round_trips_through_its_spelling() {
        for v in BounceType::KNOWN {
            assert_eq!(&BounceType::from_record_name(v.as_str()), v);
        }
        for v in BounceSubType::KNOWN {
            assert_eq!(&BounceSubType::from_record_name(v.as_str()), v);
        }
        for v in ComplaintFeedbackType::KNOWN {
            assert_eq!(&ComplaintFeedbackType::from_record_name(v.as_str()), v);
        }
        for v in DelayType::KNOWN {
            assert_eq!(&DelayType::from_record_name(v.as_str()), v);
        }
        assert_eq!(DelayType::KNOWN.len(), 10);
    }

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let t: BounceSubType = serde_json::from_str("\"FutureThing\"").unwrap();
        assert_eq!(t, BounceSubType::Other("FutureThing".into()));
        assert!(!t.is_known());
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"FutureThing\"");

        let f: ComplaintFeedbackType = serde_json::from_str("\"opt-out\"").unwrap();
        assert_eq!(f, ComplaintFeedbackType::Unknown("opt-out".into()));
        let o: ComplaintFeedbackType = serde_json::from_str("\"other\"").unwrap();
        assert_eq!(o, ComplaintFeedbackType::Other);
    }

    #[test]
    fn record_spellings_are_case_sensitive() {
        // The record never uses upper case; an upper-case value is foreign and
        // must not be silently promoted to a named variant.
        assert_eq!(
            BounceType::from_record_name("PERMANENT"),
            BounceType::Other("PERMANENT".into())
        );
        assert_eq!(
            ComplaintFeedbackType::from_record_name("auth-failure"),
            ComplaintFeedbackType::AuthFailure
        );
        assert_eq!(
            DelayType::from_record_name("IPFailure"),
            DelayType::IpFailure
        );
    }
}
