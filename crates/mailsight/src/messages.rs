//! `mailsight messages`: message search from the data directory, whether
//! or not the server is running: the same filters and index as
//! `GET /_mailsight/messages`, printed as a table a person reads at a
//! glance (time, message id, from, subject, and each recipient with its
//! newest event), newest first.

use std::process::ExitCode;

use anyhow::Context;
use clap::builder::TypedValueParser as _;
use mailsight_api::search::{iso, parse_event, parse_tag, parse_time};
use mailsight_store::search::MAX_PAGE;
use mailsight_store::{MessageQuery, MessageSummary, SearchCursor};

/// The most messages one run lists.
const MAX_LIMIT: usize = 10_000;
/// Recipients shown per message before "+N more".
const SHOWN_RECIPIENTS: usize = 3;
/// Widest `from` and `subject` columns, in characters.
const FROM_WIDTH: usize = 32;
const SUBJECT_WIDTH: usize = 40;

#[derive(clap::Args)]
pub struct MessagesArgs {
    /// Sent to this address (To, Cc or Bcc), any case.
    #[arg(long)]
    recipient: Option<String>,
    /// Sent from this address, any case.
    #[arg(long)]
    sender: Option<String>,
    /// Every word of this text is in the subject, any case.
    #[arg(long)]
    subject: Option<String>,
    /// Has an event of this type (BOUNCE, COMPLAINT, DELIVERY, OPEN, ...).
    #[arg(long)]
    event: Option<String>,
    /// Carries this message tag (repeatable; all must match).
    #[arg(long = "tag", value_name = "NAME=VALUE")]
    tags: Vec<String>,
    /// Sent with this configuration set.
    #[arg(long)]
    configuration_set: Option<String>,
    /// Has a recipient at this ISP (Gmail, Yahoo, Outlook, ...).
    #[arg(long)]
    isp: Option<String>,
    /// Sent at or after: RFC 3339, a date (2024-05-01), epoch seconds, or a
    /// span ago (30m, 2h, 7d).
    #[arg(long)]
    since: Option<String>,
    /// Sent before (same forms as --since).
    #[arg(long)]
    until: Option<String>,
    /// How many to list, newest first.
    #[arg(long, default_value_t = 50,
          value_parser = clap::value_parser!(u16).range(1..=MAX_LIMIT as i64).map(usize::from))]
    limit: usize,
    #[command(flatten)]
    store: crate::store::StoreArgs,
    /// The account that sent them.
    #[arg(long, default_value = mailsight_api::DEFAULT_ACCOUNT)]
    account: String,
}

impl MessagesArgs {
    fn query(&self, now: i64) -> anyhow::Result<MessageQuery> {
        let time = |v: &Option<String>, name: &str| {
            v.as_deref()
                .map(|t| parse_time(t, now).map_err(|e| anyhow::anyhow!("--{name}: {e}")))
                .transpose()
        };
        Ok(MessageQuery {
            recipient: self.recipient.clone(),
            sender: self.sender.clone(),
            subject: self.subject.clone(),
            event: self
                .event
                .as_deref()
                .map(parse_event)
                .transpose()
                .map_err(anyhow::Error::msg)?,
            tags: self
                .tags
                .iter()
                .map(|t| parse_tag(t))
                .collect::<Result<_, _>>()
                .map_err(anyhow::Error::msg)?,
            configuration_set: self.configuration_set.clone(),
            isp: self.isp.clone(),
            start: time(&self.since, "since")?,
            end: time(&self.until, "until")?,
        })
    }
}

/// Runs the search and prints the table.
pub async fn run(args: MessagesArgs) -> anyhow::Result<ExitCode> {
    let query = args
        .query(mailsight_model::now_ms())?
        .compile()
        .context("cannot search for that")?;
    let store = args.store.open().await?;
    let mut found: Vec<MessageSummary> = Vec::new();
    let mut cursor: Option<SearchCursor> = None;
    let more = loop {
        let want = (args.limit - found.len()).min(MAX_PAGE);
        let page = store
            .search_messages(&args.account, &query, cursor, want)
            .await?;
        found.extend(page.messages);
        match page.next {
            Some(next) if found.len() < args.limit => cursor = Some(next),
            next => break next.is_some(),
        }
    };
    if found.is_empty() {
        eprintln!("no messages of account {} match", args.account);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", table(&found));
    if more {
        eprintln!(
            "showing the newest {}; more match (raise --limit or narrow the search)",
            found.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The messages as an aligned table with a header line.
pub fn table(messages: &[MessageSummary]) -> String {
    let header = ["TIME (UTC)", "MESSAGE ID", "FROM", "SUBJECT", "RECIPIENTS"].map(String::from);
    let rows: Vec<[String; 5]> = messages
        .iter()
        .map(|m| {
            [
                iso(m.sent_at).replace('T', " ").chars().take(19).collect(),
                m.message_id.clone(),
                clip(&m.from_address, FROM_WIDTH),
                clip(m.subject.as_deref().unwrap_or("-"), SUBJECT_WIDTH),
                recipients(m),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `jane@x.test DELIVERY, joe@y.test BOUNCE, +2 more`.
fn recipients(m: &MessageSummary) -> String {
    let mut parts: Vec<String> = m
        .recipients
        .iter()
        .take(SHOWN_RECIPIENTS)
        .map(|r| match r.latest_event {
            Some(e) => format!("{} {}", r.address, e.api_name()),
            None => r.address.clone(),
        })
        .collect();
    if m.recipients.len() > SHOWN_RECIPIENTS {
        parts.push(format!("+{} more", m.recipients.len() - SHOWN_RECIPIENTS));
    }
    parts.join(", ")
}

/// At most `width` characters, the last one `…` when cut.
fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_model::EventType;
    use mailsight_store::RecipientSummary;

    fn summary(
        id: &str,
        subject: Option<&str>,
        to: &[(&str, Option<EventType>)],
    ) -> MessageSummary {
        MessageSummary {
            message_id: id.into(),
            from_address: "sender@example.com".into(),
            subject: subject.map(str::to_owned),
            sent_at: 1_714_557_600_000,
            configuration_set: None,
            tags: vec![],
            recipients: to
                .iter()
                .map(|(a, e)| RecipientSummary {
                    address: (*a).into(),
                    isp: String::new(),
                    latest_event: *e,
                    latest_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_table_is_aligned_and_clipped() {
        let long = "A subject far too long to fit in its column at all";
        let t = table(&[
            summary("m-1", Some("Hi"), &[("a@x.test", Some(EventType::Bounce))]),
            summary(
                "message-2",
                Some(long),
                &[
                    ("a@x.test", Some(EventType::Delivery)),
                    ("b@x.test", None),
                    ("c@x.test", None),
                    ("d@x.test", None),
                    ("e@x.test", None),
                ],
            ),
            summary("m-3", None, &[]),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with("TIME (UTC)           MESSAGE ID  FROM"),
            "{t}"
        );
        assert!(
            lines[1].starts_with("2024-05-01 10:00:00  m-1         sender@example.com"),
            "{t}"
        );
        assert!(lines[1].ends_with("a@x.test BOUNCE"), "{t}");
        assert!(
            lines[2].ends_with("a@x.test DELIVERY, b@x.test, c@x.test, +2 more"),
            "{t}"
        );
        let clipped = format!("{}…", &long[..SUBJECT_WIDTH - 1]);
        assert!(lines[2].contains(&clipped), "{t}");
        // Every row's columns start where the header's do.
        let col = lines[0].find("SUBJECT").unwrap();
        assert_eq!(lines[1].chars().nth(col - 1), Some(' '));
        assert_eq!(lines[1][col..].split("  ").next(), Some("Hi"));
        assert_eq!(lines[3][col..].split("  ").next(), Some("-"));
    }
}
