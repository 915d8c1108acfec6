//! The last lines of an import's summary: which accounts the records were
//! filed under and which credentials see them. Records carrying their own
//! `sendingAccountId` land in that account, which a caller of the default
//! account would not see, so the summary says so instead of leaving the
//! records seemingly lost.

use std::collections::BTreeSet;

/// One line per account, in account order.
pub fn where_filed(accounts: &BTreeSet<String>) -> Vec<String> {
    accounts
        .iter()
        .map(|a| {
            format!(
                "filed under account {a}: query with AWS_ACCESS_KEY_ID={a} \
                 (open mode, no keys configured) or with a key configured for account {a}"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_account_naming_the_key() {
        let accounts: BTreeSet<String> = ["444455556666".into(), "111122223333".into()].into();
        let lines = where_filed(&accounts);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(
            "filed under account 111122223333: query with AWS_ACCESS_KEY_ID=111122223333"
        ));
        assert!(lines[1].contains("AWS_ACCESS_KEY_ID=444455556666"));
        assert!(where_filed(&BTreeSet::new()).is_empty());
    }
}
