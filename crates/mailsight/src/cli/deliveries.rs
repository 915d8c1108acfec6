//! `mailsight deliveries`: what the outbox sent where, as an aligned table
//! (or replaying dead deliveries).

use anyhow::Context;
use mailsight_store::{Delivery, DeliveryFilter, DeliveryStatus, Target};

use super::{iso, table, truncate};

/// The widest the last error is shown, so a row fits a terminal.
pub const ERROR_WIDTH: usize = 60;

#[derive(clap::Args)]
pub struct DeliveriesArgs {
    #[command(flatten)]
    store: mailsight::store::StoreArgs,
    /// Only deliveries in this state: pending, delivered or dead.
    #[arg(long)]
    status: Option<String>,
    /// Only this target (`destination:<set>/<name>`,
    /// `identity:<identity>/<type>` or `forwarder:<name>`).
    #[arg(long)]
    target: Option<String>,
    /// Only this message's deliveries.
    #[arg(long)]
    message_id: Option<String>,
    /// How many to list, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Make the dead deliveries (of --target, or all) pending again.
    #[arg(long)]
    replay: bool,
}

pub async fn run(args: DeliveriesArgs) -> anyhow::Result<std::process::ExitCode> {
    let store = args.store.open().await?;
    // Text that names no target matches no delivery (as when targets were
    // compared as plain text).
    let target = match args.target.as_deref().map(str::parse::<Target>) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("{e}");
            None
        }
    };
    let unknown = args.target.is_some() && target.is_none();
    if args.replay {
        let n = if unknown {
            0
        } else {
            store
                .replay_dead(target.as_ref(), mailsight_model::now_ms())
                .await?
        };
        println!("replayed {n} dead deliveries; a running server delivers them now");
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let status = match args.status.as_deref() {
        Some(s) => Some(
            DeliveryStatus::parse(s)
                .with_context(|| format!("unknown status {s}: use pending, delivered or dead"))?,
        ),
        None => None,
    };
    let filter = DeliveryFilter {
        account_id: None,
        target,
        status,
        message_id: args.message_id,
    };
    let deliveries = if unknown {
        Vec::new()
    } else {
        store.list_deliveries(filter, None, args.limit).await?
    };
    print!("{}", render(&deliveries));
    Ok(std::process::ExitCode::SUCCESS)
}

/// The table `mailsight deliveries` prints.
pub fn render(deliveries: &[Delivery]) -> String {
    let rows: Vec<Vec<String>> = deliveries
        .iter()
        .map(|d| {
            // Only a pending delivery has a next attempt.
            let next = if d.status == DeliveryStatus::Pending {
                iso(d.next_attempt)
            } else {
                "-".to_owned()
            };
            vec![
                d.id.to_string(),
                d.status.as_str().to_owned(),
                d.attempts.to_string(),
                d.event_type.api_name().to_owned(),
                d.target.to_string(),
                d.message_id.clone(),
                iso(d.created_at),
                next,
                truncate(d.last_error.as_deref().unwrap_or_default(), ERROR_WIDTH),
            ]
        })
        .collect();
    table(
        &[
            "id",
            "status",
            "attempts",
            "type",
            "target",
            "message",
            "created",
            "next attempt",
            "last error",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_model::EventType;

    fn delivery(id: i64, status: DeliveryStatus, error: Option<&str>) -> Delivery {
        Delivery {
            id,
            target: Target::destination("cs", "hook"),
            account_id: "a".into(),
            message_id: "m-1".into(),
            event_type: EventType::Bounce,
            body: String::new(),
            status,
            attempts: 3,
            next_attempt: 1_714_557_660_000,
            created_at: 1_714_557_600_000,
            last_error: error.map(str::to_owned),
        }
    }

    #[test]
    fn rows_line_up_with_iso_times_and_short_errors() {
        let long = format!("connection refused {}", "x".repeat(200));
        let text = render(&[
            delivery(7, DeliveryStatus::Pending, Some(&long)),
            delivery(12345, DeliveryStatus::Dead, Some("410 Gone")),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        // Every column starts where its header does.
        let header = lines[0];
        for name in ["status", "target", "created", "next attempt", "last error"] {
            let at = header.find(name).unwrap();
            for row in &lines[1..] {
                let before = &row[..at];
                assert!(
                    before.ends_with("  "),
                    "{name} column misaligned in {row:?}"
                );
                assert_ne!(&row[at..at + 1], " ", "{name} column empty in {row:?}");
            }
        }
        assert!(lines[1].contains("2024-05-01T10:00:00.000Z  2024-05-01T10:01:00.000Z"));
        assert!(lines[2].contains("2024-05-01T10:00:00.000Z  -"));
        let error_at = header.find("last error").unwrap();
        assert_eq!(lines[1][error_at..].chars().count(), ERROR_WIDTH);
        assert!(lines[1].ends_with('…'));
        assert!(lines[2].ends_with("410 Gone"));
    }
}
