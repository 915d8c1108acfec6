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
