//! SNS resource names: topic and subscription ARNs, topic names.

/// The parts of a topic ARN `arn:aws:sns:<region>:<account>:<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

/// Parses a topic ARN; `None` unless it has exactly that shape.
pub fn topic_arn(arn: &str) -> Option<TopicArn<'_>> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some("sns"), Some(region), Some(account), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if parts.next().is_some()
        || region.is_empty()
        || !valid_account(account)
        || !valid_topic_name(name)
    {
        return None;
    }
    Some(TopicArn {
        region,
        account,
        name,
    })
}

/// The topic ARN and account of a subscription ARN (`<topic arn>:<id>`).
pub fn subscription_arn(arn: &str) -> Option<(&str, &str)> {
    let (topic, id) = arn.rsplit_once(':')?;
    if id.is_empty() {
        return None;
    }
    let parsed = topic_arn(topic)?;
    Some((topic, parsed.account))
}

fn valid_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// SNS topic names: 1 to 256 ASCII letters, digits, `-` and `_`.
pub fn valid_topic_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_checked() {
        let t = topic_arn("arn:aws:sns:us-east-1:000000000000:ses-events").unwrap();
        assert_eq!(
            (t.region, t.account, t.name),
            ("us-east-1", "000000000000", "ses-events")
        );
        for bad in [
            "",
            "arn:aws:sns:us-east-1:000000000000",
            "arn:aws:sqs:us-east-1:000000000000:q",
            "arn:aws:sns:us-east-1:12:t",
            "arn:aws:sns::000000000000:t",
            "arn:aws:sns:us-east-1:000000000000:t:x",
            "arn:aws:sns:us-east-1:000000000000:a b",
        ] {
            assert!(topic_arn(bad).is_none(), "{bad}");
        }
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t:abc"),
            Some(("arn:aws:sns:us-east-1:000000000000:t", "000000000000"))
        );
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t:"),
            None
        );
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t"),
            None
        );
    }
}
