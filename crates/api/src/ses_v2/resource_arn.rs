//! The ARNs SES v2's tagging calls name resources by:
//! `arn:aws:ses:<region>:<account>:<type>/<name>`. Only the kinds mailsight
//! stores are understood; any other ARN is refused as malformed, as SES
//! refuses one it cannot parse.

/// A taggable resource kind, by its ARN type word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    ConfigurationSet,
    Identity,
    ContactList,
    Template,
    DedicatedIpPool,
    /// `tenant/<name>/<id>`: the name is what identifies it here.
    Tenant,
}

impl ResourceKind {
    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "configuration-set" => Self::ConfigurationSet,
            "identity" => Self::Identity,
            "contact-list" => Self::ContactList,
            "template" => Self::Template,
            "dedicated-ip-pool" => Self::DedicatedIpPool,
            "tenant" => Self::Tenant,
            _ => return None,
        })
    }
}

/// A parsed resource ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceArn {
    pub account: String,
    pub kind: ResourceKind,
    pub name: String,
}

/// Parses `arn`, or says why it is not an SES resource ARN. The region is
/// not checked: mailsight answers every region.
pub fn parse(arn: &str) -> Result<ResourceArn, String> {
    let bad = || format!("Invalid resource ARN: {arn}");
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("ses"), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if !partition.starts_with("aws") || region.is_empty() || !account_ok {
        return Err(bad());
    }
    let (word, name) = resource.split_once('/').ok_or_else(bad)?;
    let kind = ResourceKind::parse(word).ok_or_else(bad)?;
    let name = match kind {
        ResourceKind::Tenant => name.split('/').next().unwrap_or(name),
        _ => name,
    };
    if name.is_empty() {
        return Err(bad());
    }
    Ok(ResourceArn {
        account: account.to_owned(),
        kind,
        name: name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind() {
        let a = parse("arn:aws:ses:us-east-1:111122223333:configuration-set/my-set").unwrap();
        assert_eq!(a.account, "111122223333");
        assert_eq!(a.kind, ResourceKind::ConfigurationSet);
        assert_eq!(a.name, "my-set");
        let i = parse("arn:aws:ses:eu-west-1:111122223333:identity/user@example.com").unwrap();
        assert_eq!(
            (i.kind, i.name.as_str()),
            (ResourceKind::Identity, "user@example.com")
        );
        let l = parse("arn:aws:ses:us-east-1:111122223333:contact-list/news").unwrap();
        assert_eq!(l.kind, ResourceKind::ContactList);
        let t = parse("arn:aws:ses:us-east-1:111122223333:template/welcome").unwrap();
        assert_eq!(t.kind, ResourceKind::Template);
        let t = parse("arn:aws:ses:us-east-1:111122223333:tenant/acme/tn-1").unwrap();
        assert_eq!((t.kind, t.name.as_str()), (ResourceKind::Tenant, "acme"));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "not-an-arn",
            "arn:aws:sns:us-east-1:111122223333:configuration-set/x",
            "arn:aws:ses:us-east-1:1111:configuration-set/x",
            "arn:aws:ses:us-east-1:111122223333:receipt-rule-set/x",
            "arn:aws:ses:us-east-1:111122223333:template/",
            "arn:aws:ses:us-east-1:111122223333:template",
            "arn:aws:ses::111122223333:template/x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
