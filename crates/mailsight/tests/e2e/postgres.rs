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
