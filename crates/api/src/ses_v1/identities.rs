//! SES v1's identity actions, on the identities SES v2 manages
//! ([`mailsight_engine::identities`]): `VerifyEmailIdentity`,
//! `VerifyEmailAddress`, `VerifyDomainIdentity`, `VerifyDomainDkim`,
//! `ListIdentities`, `ListVerifiedEmailAddresses`, `DeleteIdentity`,
//! `DeleteVerifiedEmailAddress`, `GetIdentityVerificationAttributes`,
//! `GetIdentityDkimAttributes`, `SetIdentityDkimEnabled`,
//! `GetIdentityMailFromDomainAttributes` and `SetIdentityMailFromDomain`.
//!
//! Identities are verified at once (mailsight checks no DNS), so every
//! status is `Success`. The `Verify…` and `Delete…` actions are
//! idempotent, as in SES v1; the `GetIdentity…Attributes` maps leave out
//! identities that do not exist.

use mailsight_engine::identities::{self, MailFrom};
use mailsight_model::now_ms;
use mailsight_store::{Identity, IdentityType};

use super::errors::{invalid_parameter, store_error};
use super::paging::{next_token, page};
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::Xml;
use crate::ses_v2::paging::{PageRequest, filtered_page};

/// Verifies `name`, which must be of `kind`.
async fn verify(c: &SesCall<'_>, name: &str, kind: IdentityType) -> Result<Identity, ApiError> {
    let what = match kind {
        IdentityType::EmailAddress => "an email address",
        IdentityType::Domain => "a domain",
    };
    let wrong = || invalid_parameter(format!("Invalid identity <{name}>: give {what}."));
    if identities::identity_type(name).map_err(|_| wrong())? != kind {
        return Err(wrong());
    }
    identities::verify(c.store(), c.account(), name, now_ms())
        .await
        .map_err(store_error)?
        .map_err(invalid_parameter)
}

pub async fn verify_email_identity(c: &SesCall<'_>) -> Answer {
    let address = c.params.required("EmailAddress")?;
    verify(c, address, IdentityType::EmailAddress).await?;
    Ok(Some(String::new()))
}

/// The older spelling of [`verify_email_identity`], without a result.
pub async fn verify_email_address(c: &SesCall<'_>) -> Answer {
    verify_email_identity(c).await.map(|_| None)
}

pub async fn verify_domain_identity(c: &SesCall<'_>) -> Answer {
    let domain = c.params.required("Domain")?;
    let identity = verify(c, domain, IdentityType::Domain).await?;
    let mut x = Xml::new();
    x.text(
        "VerificationToken",
        &identities::verification_token(&identity.name),
    );
    Ok(Some(x.finish()))
}

pub async fn verify_domain_dkim(c: &SesCall<'_>) -> Answer {
    let domain = c.params.required("Domain")?;
    let identity = verify(c, domain, IdentityType::Domain).await?;
    let mut x = Xml::new();
    strings(
        &mut x,
        "DkimTokens",
        &identities::dkim_tokens(&identity.name),
    );
    Ok(Some(x.finish()))
}

/// A list of strings as `<name><member>…</member>…</name>`.
fn strings(x: &mut Xml, name: &str, items: &[String]) {
    x.elem(name, |x| {
        for item in items {
            x.text("member", item);
        }
    });
}

/// One page of identities, optionally of one type (`EmailAddress` or
/// `Domain`).
async fn identity_page(
    c: &SesCall<'_>,
    want: PageRequest,
    kind: Option<IdentityType>,
) -> Result<(Vec<Identity>, Option<String>), ApiError> {
    filtered_page(
        want,
        |after, limit| async move {
            c.store()
                .list_identities(c.account(), after.as_deref(), limit)
                .await
        },
        |i: &Identity| kind.is_none_or(|k| i.identity_type == k),
        |i: &Identity| i.name.clone(),
    )
    .await
}

pub async fn list_identities(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let kind = match p.get("IdentityType").filter(|t| !t.is_empty()) {
        None => None,
        Some("EmailAddress") => Some(IdentityType::EmailAddress),
        Some("Domain") => Some(IdentityType::Domain),
        Some(other) => {
            return Err(p.malformed(
                "IdentityType",
                other,
                "Member must satisfy enum value set: [EmailAddress, Domain]",
            ));
        }
    };
    let want = page(p, 1000, 1000)?;
    let (found, next) = identity_page(c, want, kind).await?;
    let names: Vec<String> = found.into_iter().map(|i| i.name).collect();
    let mut x = Xml::new();
    strings(&mut x, "Identities", &names);
    next_token(&mut x, next.as_deref());
    Ok(Some(x.finish()))
}

/// Every verified address, unpaged, as the old action answers.
pub async fn list_verified_email_addresses(c: &SesCall<'_>) -> Answer {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let want = PageRequest { limit: 1000, after };
        let (found, next) = identity_page(c, want, Some(IdentityType::EmailAddress)).await?;
        all.extend(found.into_iter().map(|i| i.name));
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let mut x = Xml::new();
    strings(&mut x, "VerifiedEmailAddresses", &all);
    Ok(Some(x.finish()))
}

pub async fn delete_identity(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("Identity")?;
    identities::delete(c.store(), c.account(), name)
        .await
        .map_err(store_error)?;
    Ok(Some(String::new()))
}

pub async fn delete_verified_email_address(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("EmailAddress")?;
    identities::delete(c.store(), c.account(), name)
        .await
        .map_err(store_error)?;
    Ok(None)
}

/// The identities of `Identities.member.N` (names or ARNs) that exist, in
/// the order asked.
pub(super) async fn asked(c: &SesCall<'_>) -> Result<Vec<Identity>, ApiError> {
    let names = c.params.list("Identities");
    if names.is_empty() {
        return Err(c.params.missing("Identities"));
    }
    let mut out = Vec::new();
    for name in names {
        if let Some(i) = c
            .store()
            .get_identity(c.account(), &identities::name_of(name))
            .await
            .map_err(store_error)?
        {
            out.push(i);
        }
    }
    Ok(out)
}

/// A map answer: `<{name}><entry><key>identity</key><value>…` per item.
pub(super) fn identity_map<T>(
    name: &str,
    items: &[(String, T)],
    value: impl Fn(&mut Xml, &T),
) -> String {
    let mut x = Xml::new();
    x.elem(name, |x| {
        for (key, item) in items {
            x.elem("entry", |x| {
                x.text("key", key);
                x.elem("value", |x| value(x, item));
            });
        }
    });
    x.finish()
}

/// Every identity is `Success`; a domain also has its `VerificationToken`.
pub async fn get_identity_verification_attributes(c: &SesCall<'_>) -> Answer {
    let found: Vec<(String, Option<String>)> = asked(c)
        .await?
        .into_iter()
        .map(|i| {
            let token = (i.identity_type == IdentityType::Domain)
                .then(|| identities::verification_token(&i.name));
            (i.name, token)
        })
        .collect();
    Ok(Some(verification_xml(&found)))
}

fn verification_xml(found: &[(String, Option<String>)]) -> String {
    identity_map("VerificationAttributes", found, |x, token| {
        x.text("VerificationStatus", "Success");
        if let Some(t) = token {
            x.text("VerificationToken", t);
        }
    })
}

/// Whether an identity signs, and a domain's DKIM tokens.
type Dkim = (bool, Option<Vec<String>>);

pub async fn get_identity_dkim_attributes(c: &SesCall<'_>) -> Answer {
    let found: Vec<(String, Dkim)> = asked(c)
        .await?
        .into_iter()
        .map(|i| {
            let tokens =
                (i.identity_type == IdentityType::Domain).then(|| identities::dkim_tokens(&i.name));
            let signing = identities::dkim_signing(&i);
            (i.name, (signing, tokens))
        })
        .collect();
    Ok(Some(identity_map(
        "DkimAttributes",
        &found,
        |x, (signing, tokens)| {
            x.text("DkimEnabled", if *signing { "true" } else { "false" });
            match tokens {
                Some(tokens) => {
                    x.text("DkimVerificationStatus", "Success");
                    strings(x, "DkimTokens", tokens);
                }
                None => {
                    x.text("DkimVerificationStatus", "NotStarted");
                }
            }
        },
    )))
}

/// Switches the identity's DKIM signing (SES v2's
/// `PutEmailIdentityDkimAttributes` sets the same flag).
pub async fn set_identity_dkim_enabled(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let identity = p.required("Identity")?;
    let enabled = p.required_flag("DkimEnabled")?;
    identities::set_dkim_signing(c.store(), c.account(), identity, enabled)
        .await
        .map_err(super::errors::attribute_error)?;
    Ok(Some(String::new()))
}

/// SES v1's `BehaviorOnMXFailure` and v2's spelling of the same.
const BEHAVIORS: [(&str, &str); 2] = [
    ("UseDefaultValue", "USE_DEFAULT_VALUE"),
    ("RejectMessage", "REJECT_MESSAGE"),
];

pub async fn get_identity_mail_from_domain_attributes(c: &SesCall<'_>) -> Answer {
    let mut found = Vec::new();
    for i in asked(c).await? {
        if let Some(m) = identities::mail_from(c.store(), c.account(), &i.name)
            .await
            .map_err(store_error)?
        {
            found.push((i.name, m));
        }
    }
    Ok(Some(identity_map(
        "MailFromDomainAttributes",
        &found,
        |x, m| {
            let behavior = BEHAVIORS
                .iter()
                .find(|(_, v2)| *v2 == m.behavior_on_mx_failure)
                .map_or("UseDefaultValue", |(v1, _)| *v1);
            x.text("MailFromDomain", &m.domain)
                .text("MailFromDomainStatus", "Success")
                .text("BehaviorOnMXFailure", behavior);
        },
    )))
}

/// The MAIL FROM domain must be a subdomain of the identity's domain;
/// without one, the identity's setting is removed.
pub async fn set_identity_mail_from_domain(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let name = p.required("Identity")?.to_ascii_lowercase();
    let identity = c
        .store()
        .get_identity(c.account(), &name)
        .await
        .map_err(store_error)?
        .ok_or_else(|| invalid_parameter(format!("Identity <{name}> does not exist.")))?;
    let behavior = match p.get("BehaviorOnMXFailure").filter(|b| !b.is_empty()) {
        None => "USE_DEFAULT_VALUE",
        Some(b) => BEHAVIORS
            .iter()
            .find(|(v1, _)| *v1 == b)
            .map(|(_, v2)| *v2)
            .ok_or_else(|| {
                p.malformed(
                    "BehaviorOnMXFailure",
                    b,
                    "Member must satisfy enum value set: [UseDefaultValue, RejectMessage]",
                )
            })?,
    };
    let mail_from = match p.get("MailFromDomain").filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => {
            let d = identities::check_mail_from(&identity, d).map_err(invalid_parameter)?;
            Some(MailFrom {
                domain: d,
                behavior_on_mx_failure: behavior.to_owned(),
            })
        }
    };
    identities::set_mail_from(c.store(), c.account(), &name, mail_from, now_ms())
        .await
        .map_err(store_error)?;
    Ok(Some(String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_entries_and_domains_carry_their_token() {
        let found = vec![
            ("a@example.com".to_owned(), None),
            ("example.com".to_owned(), Some("tok".to_owned())),
        ];
        assert_eq!(
            verification_xml(&found),
            "<VerificationAttributes><entry><key>a@example.com</key><value>\
             <VerificationStatus>Success</VerificationStatus></value></entry>\
             <entry><key>example.com</key><value><VerificationStatus>Success</VerificationStatus>\
             <VerificationToken>tok</VerificationToken></value></entry></VerificationAttributes>"
        );
    }

    #[test]
    fn string_lists_have_plain_members() {
        let mut x = Xml::new();
        strings(&mut x, "Identities", &["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            x.finish(),
            "<Identities><member>a</member><member>b</member></Identities>"
        );
    }
}
