//! The server on a PostgreSQL database (`[store] url`): a message sent
//! through the SDK gets its insights from PostgreSQL, the data directory
//! holds no SQLite file, and an event still scheduled when the server
//! stops is released after a restart. The database is made for the test
//! on the server `MAILSIGHT_TEST_POSTGRES` names (an unreachable server
//! fails the test) and dropped at its end.

use mailsight_store::conformance::postgres_db::TestDatabase;

use crate::common::*;

#[tokio::test]
async fn sends_and_insights_are_kept_in_postgres() {
    let db = TestDatabase::create().await;
    let url = db.url.clone();
    // Slow enough that the Delivery is still scheduled at the restart.
    let t = start_with(move |c| {
        c.store.url = Some(url);
        c.simulator.timing.delivery_ms = 1_500;
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_to(&c, &["success@simulator.amazonses.com"]).await;
    let sent = insights_with_events(&c, &id, 1).await;
    assert_eq!(
        types_by_recipient(&sent),
        [(
            "success@simulator.amazonses.com".to_owned(),
            vec!["SEND".to_owned()]
        )]
    );
    assert!(
        !t.dir
            .path()
            .join(mailsight_store::sqlite::DATABASE_FILE)
            .exists(),
        "with a database URL nothing is stored in SQLite"
    );

    let t = t.restart().await;
    let c = t.client();
    let delivered = insights_with_events(&c, &id, 2).await;
    assert_eq!(
        types_by_recipient(&delivered),
        [(
            "success@simulator.amazonses.com".to_owned(),
            vec!["SEND".to_owned(), "DELIVERY".to_owned()]
        )]
    );
    t.server.stop().await.unwrap();
}

/// Two servers with data directories of their own on one database sign
/// alike: the SNS certificate each serves is the same, and a tracking link
/// one of them put in a message is followed by the other.
#[tokio::test]
async fn two_instances_on_one_database_share_their_secrets() {
    let db = TestDatabase::create().await;
    let (u1, u2) = (db.url.clone(), db.url.clone());
    let a = start_with(move |c| c.store.url = Some(u1)).await;
    let b = start_with(move |c| c.store.url = Some(u2)).await;
    let cert = |t: &TestServer| {
        let url = format!(
            "{}{}",
            t.server.url(),
            mailsight_engine::outbox::sns::CERT_PATH
        );
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let (ca, cb) = (cert(&a).await, cert(&b).await);
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    assert_eq!(ca, cb, "both instances serve the one signing certificate");

    // A message sent through A with open tracking: its pixel, fetched from
    // B, records the OPEN (B verifies A's token).
    let c = a.client();
    verify_domain(&c).await;
    crate::lifecycle::tracked_set(&c, "tracked").await;
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(simple_html(
            "Tracked",
            "<html><body><p>hello</p></body></html>",
        ))
        .configuration_set_name("tracked")
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    insights_with_events(&c, &id, 2).await;
    let sent = crate::lifecycle::html_of(&crate::lifecycle::mime(&a, &id, None).await);
    let open_path = format!("{}/_mailsight/t/o/", a.server.url());
    let pixels = crate::lifecycle::urls(&sent, &open_path);
    assert_eq!(pixels.len(), 1, "{sent}");
    let token = pixels[0].strip_prefix(&open_path).unwrap();
    let at_b = format!("{}/_mailsight/t/o/{token}", b.server.url());
    let resp = reqwest::Client::new()
        .get(at_b)
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "B takes A's token");
    insights_until(&b.client(), &id, |o| {
        types_by_recipient(o)
            .iter()
            .any(|(_, types)| types.iter().any(|t| t == "OPEN"))
    })
    .await;
}

/// `mailsight copy --to postgres://…` moves an SQLite installation into a
/// database: a server started on it has the messages with their events,
/// the configuration sets, templates and suppression list, signs SNS
/// messages with the same key, and stores new mail after the copied mail.
/// A second run finds every table done and copies nothing twice.
#[tokio::test]
async fn copy_moves_an_sqlite_installation_into_postgres() {
    let t = start_with(|c| c.store.url = None).await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("moved")
        .send()
        .await
        .unwrap();
    c.create_email_template()
        .template_name("moved")
        .template_content(
            aws_sdk_sesv2::types::EmailTemplateContent::builder()
                .subject("Hi")
                .text("Hello")
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.put_suppressed_destination()
        .email_address("gone@example.com")
        .reason(aws_sdk_sesv2::types::SuppressionListReason::Bounce)
        .send()
        .await
        .unwrap();
    let ids = [
        send_to(&c, &["success@simulator.amazonses.com"]).await,
        send_to(&c, &["bounce@simulator.amazonses.com"]).await,
    ];
    for id in &ids {
        insights_with_events(&c, id, 2).await;
    }
    let cert_url = |t: &TestServer| {
        format!(
            "{}{}",
            t.server.url(),
            mailsight_engine::outbox::sns::CERT_PATH
        )
    };
    let cert = reqwest::get(cert_url(&t))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let data_dir = t.dir.path().to_owned();
    let TestServer { server, dir, .. } = t;
    server.stop().await.unwrap();

    let db = TestDatabase::create().await;
    let copy = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mailsight"))
            .arg("copy")
            .arg("--data-dir")
            .arg(&data_dir)
            .args(args)
            .env_remove("MAILSIGHT_DATA_DIR")
            .output()
            .unwrap()
    };
    let out = copy(&["--to", &db.url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("messages"), "{stdout}");
    let again = copy(&["--to", &db.url]);
    let again_out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{again_out}");
    assert!(again_out.contains("copied 0 rows"), "{again_out}");

    // Interrupted after `messages` (as if killed): the tables after it are
    // emptied and copied again, none twice.
    let psql = |sql: &str| {
        let out = std::process::Command::new("psql")
            .args([db.url.as_str(), "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let counts = "SELECT (SELECT count(*) FROM records) || ' ' || (SELECT count(*) FROM deliveries)                   || ' ' || (SELECT count(*) FROM rollups)";
    let before = psql(counts);
    let after_messages = mailsight_store::copy::TABLES
        .iter()
        .skip_while(|t| **t != "records")
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    psql(&format!(
        "DELETE FROM mailsight_copy WHERE name IN ({after_messages})"
    ));
    let resumed = copy(&["--to", &db.url]);
    let resumed_out = String::from_utf8_lossy(&resumed.stdout);
    assert!(resumed.status.success(), "{resumed_out}");
    assert!(
        resumed_out.contains("messages             copied by an earlier run"),
        "{resumed_out}"
    );
    assert_eq!(psql(counts), before, "{resumed_out}");

    let url = db.url.clone();
    let p = start_with(move |c| c.store.url = Some(url)).await;
    let c = p.client();
    for id in &ids {
        let got = insights_with_events(&c, id, 2).await;
        assert_eq!(got.insights()[0].events().len(), 2, "{got:?}");
    }
    c.get_configuration_set()
        .configuration_set_name("moved")
        .send()
        .await
        .unwrap();
    c.get_email_template()
        .template_name("moved")
        .send()
        .await
        .unwrap();
    c.get_suppressed_destination()
        .email_address("gone@example.com")
        .send()
        .await
        .unwrap();
    let moved = reqwest::get(cert_url(&p))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(moved, cert, "the copied signing key signs on PostgreSQL");
    // New mail is stored beside the copied mail.
    let new = send_to(&c, &["success@simulator.amazonses.com"]).await;
    insights_with_events(&c, &new, 2).await;
    drop(dir);
}
