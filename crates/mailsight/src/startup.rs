//! What `mailsight serve` says when it starts, so an operator sees at a
//! glance what this instance does: where it listens, who may call it,
//! which config and data it uses, which ingest endpoints take events, and
//! what it delivers to. Never a secret: keys are counted and named by
//! their account only.

use std::net::SocketAddr;

use mailsight_store::Store;

use crate::config::Config;

/// At most this many configuration sets are read per account to count
/// event destinations (the summary then says "at least").
const MAX_SETS: usize = 1_000;
/// At most this many hosted topics are named.
const MAX_TOPICS: usize = 20;

/// What the store holds that the summary names.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stored {
    /// ARNs of the SNS topics mailsight hosts (at most [`MAX_TOPICS`]).
    pub topics: Vec<String>,
    pub topics_truncated: bool,
    pub event_destinations: usize,
    pub destinations_truncated: bool,
}

/// The accounts whose resources are counted: the configured keys', or the
/// default account when there are none.
fn accounts(config: &Config) -> Vec<String> {
    let mut out: Vec<String> = config
        .auth
        .keys
        .iter()
        .map(|k| k.account_id.clone())
        .collect();
    if out.is_empty() {
        out.push(mailsight_api::DEFAULT_ACCOUNT.to_owned());
    }
    out.sort();
    out.dedup();
    out
}

/// Reads what [`Stored`] names, bounded; a failed read counts as nothing.
pub async fn stored(config: &Config, store: &dyn Store) -> Stored {
    let mut s = Stored::default();
    for account in accounts(config) {
        if let Ok(page) = store.list_sns_topics(&account, None, MAX_TOPICS).await {
            s.topics_truncated |= page.next_after.is_some();
            s.topics.extend(page.items.into_iter().map(|t| t.arn));
        }
        let Ok(sets) = store
            .list_configuration_sets(&account, None, None, MAX_SETS)
            .await
        else {
            continue;
        };
        s.destinations_truncated |= sets.next_after.is_some();
        for set in sets.items {
            if let Ok(d) = store.list_event_destinations(&account, &set).await {
                s.event_destinations += d.len();
            }
        }
    }
    s.topics_truncated |= s.topics.len() > MAX_TOPICS;
    s.topics.truncate(MAX_TOPICS);
    s
}

/// The summary as `(what, value)` lines.
pub fn lines(config: &Config, addr: SocketAddr, stored: &Stored) -> Vec<(&'static str, String)> {
    let keys = &config.auth.keys;
    let auth = if keys.is_empty() {
        "open: no access keys, any well-formed signature is accepted".to_owned()
    } else {
        format!(
            "{} access key{} (accounts {})",
            keys.len(),
            if keys.len() == 1 { "" } else { "s" },
            accounts(config).join(", ")
        )
    };
    let scrape = match (keys.is_empty(), config.metrics.token().is_some()) {
        (true, _) => "open",
        (false, true) => "SigV4 or the scrape token",
        (false, false) => "SigV4 only (no metrics.scrape_token)",
    };
    let file = config
        .file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none (defaults and flags)".to_owned());
    let ingest = &config.ingest;
    let mut endpoints = Vec::new();
    if !ingest.firehose.access_keys.is_empty() {
        endpoints.push("/ingest/firehose");
    }
    if !ingest.eventbridge.values.is_empty() {
        endpoints.push("/ingest/eventbridge");
    }
    if !ingest.sns.topics.is_empty() || !ingest.sns.raw_topics.is_empty() {
        endpoints.push("/ingest/sns");
    }
    let endpoints = if endpoints.is_empty() {
        "none".to_owned()
    } else {
        endpoints.join(", ")
    };
    let more = |truncated: bool| if truncated { " (at least)" } else { "" };
    let topics = if stored.topics.is_empty() {
        "none".to_owned()
    } else {
        format!(
            "{}{}: {}",
            stored.topics.len(),
            more(stored.topics_truncated),
            stored.topics.join(", ")
        )
    };
    let forwarders = if config.forwarders.is_empty() {
        "none".to_owned()
    } else {
        let names: Vec<&str> = config.forwarders.iter().map(|f| f.name.as_str()).collect();
        format!("{}: {}", names.len(), names.join(", "))
    };
    vec![
        ("listening on", format!("http://{addr}")),
        ("auth", auth),
        ("metrics and ingest stats", scrape.to_owned()),
        ("config file", file),
        ("data directory", data_directory(config)),
        ("store", crate::store::describe(config)),
        ("ingest endpoints", endpoints),
        ("hosted SNS topics", topics),
        ("forwarders", forwarders),
        (
            "event destinations",
            format!(
                "{}{}",
                stored.event_destinations,
                more(stored.destinations_truncated)
            ),
        ),
    ]
}

/// Logs the summary, one `info` line each.
pub fn log(lines: &[(&'static str, String)]) {
    for (what, value) in lines {
        tracing::info!("{what}: {value}");
    }
}

/// The data directory, and whether it is kept.
fn data_directory(config: &Config) -> String {
    let dir = config.data_dir.display();
    if config.ephemeral {
        format!("{dir} (ephemeral: never synced, removed at exit)")
    } else {
        dir.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_api::AccessKey;

    #[test]
    fn an_open_local_server_says_so() {
        let config = Config::default();
        let lines = lines(
            &config,
            "127.0.0.1:4566".parse().unwrap(),
            &Stored::default(),
        );
        let get = |what: &str| lines.iter().find(|(w, _)| *w == what).unwrap().1.clone();
        assert_eq!(get("listening on"), "http://127.0.0.1:4566");
        assert!(get("auth").starts_with("open"));
        assert_eq!(get("config file"), "none (defaults and flags)");
        assert_eq!(get("ingest endpoints"), "none");
        assert_eq!(get("forwarders"), "none");
        assert_eq!(get("event destinations"), "0");
    }

    #[test]
    fn keys_are_counted_by_account_and_no_secret_is_shown() {
        let mut config = Config::from_toml(
            r#"
            [ingest.firehose]
            access_keys = ["firehose-secret"]
            [metrics]
            scrape_token = "scrape-secret"
            [[forwarders]]
            name = "hook"
            url = "http://127.0.0.1:9/x"
            "#,
        )
        .unwrap();
        for (id, account) in [("AKID1", "111122223333"), ("AKID2", "111122223333")] {
            config.auth.keys.push(AccessKey {
                access_key_id: id.into(),
                secret_access_key: "key-secret".into(),
                account_id: account.into(),
            });
        }
        config.file = Some("/etc/mailsight.toml".into());
        let stored = Stored {
            topics: vec!["arn:aws:sns:us-east-1:111122223333:t".into()],
            topics_truncated: false,
            event_destinations: 3,
            destinations_truncated: true,
        };
        let lines = lines(&config, "0.0.0.0:4566".parse().unwrap(), &stored);
        let text = format!("{lines:?}");
        for secret in ["firehose-secret", "scrape-secret", "key-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
        let get = |what: &str| lines.iter().find(|(w, _)| *w == what).unwrap().1.clone();
        assert_eq!(get("auth"), "2 access keys (accounts 111122223333)");
        assert_eq!(get("metrics and ingest stats"), "SigV4 or the scrape token");
        assert_eq!(get("config file"), "/etc/mailsight.toml");
        assert_eq!(get("ingest endpoints"), "/ingest/firehose");
        assert_eq!(
            get("hosted SNS topics"),
            "1: arn:aws:sns:us-east-1:111122223333:t"
        );
        assert_eq!(get("forwarders"), "1: hook");
        assert_eq!(get("event destinations"), "3 (at least)");
    }
}
