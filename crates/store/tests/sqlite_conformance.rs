//! Runs the backend conformance suite against the SQLite store.

use mailsight_store::{SqliteStore, conformance};

#[tokio::test]
async fn sqlite_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    conformance::run(|| SqliteStore::open(&path).unwrap()).await;
}

#[tokio::test]
async fn concurrent_writes_are_all_committed() {
    use mailsight_store::{ConfigurationSet, Store};
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path()).unwrap());
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                let set = ConfigurationSet {
                    name: format!("set-{i:03}"),
                    options: serde_json::json!({}),
                    created_at: 0,
                };
                s.create_configuration_set("a", set).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // One failing write in a batch does not take the others down with it.
    let dup = ConfigurationSet {
        name: "set-000".into(),
        options: serde_json::json!({}),
        created_at: 0,
    };
    assert!(store.create_configuration_set("a", dup).await.is_err());
    let page = store
        .list_configuration_sets("a", None, None, 1000)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 200);
}
