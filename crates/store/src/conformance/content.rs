//! What was sent: the stored MIME of a message (a recipient's own copy
//! before the shared one) and the machine-activity marks of its opens and
//! clicks.

use mailsight_model::EventType;

use super::messages::{message, record};
use crate::traits::Store;

pub(super) async fn content_and_machine_marks(s: &impl Store) {
    let a = "acct-items";
    // Stored MIME: a recipient's own copy wins over the shared one.
    s.put_message_content(
        a,
        "mime-1",
        vec![
            ("".into(), b"shared".to_vec()),
            ("Own@x.test".into(), b"own".to_vec()),
        ],
    )
    .await
    .unwrap();
    let get = |r: Option<&'static str>| s.message_content(a, "mime-1", r);
    assert_eq!(get(None).await.unwrap().unwrap(), b"shared");
    assert_eq!(get(Some("own@x.test")).await.unwrap().unwrap(), b"own");
    assert_eq!(get(Some("else@x.test")).await.unwrap().unwrap(), b"shared");
    assert!(
        s.message_content("other", "mime-1", None)
            .await
            .unwrap()
            .is_none()
    );

    // A send stores its MIME and its records together, or neither.
    let send = record(a, "sent-1", EventType::Send, 7, &["to@x.test"]);
    s.insert_sent_message(
        message(a, "sent-1", &["to@x.test"]),
        vec![("".into(), b"first".to_vec())],
        vec![send.clone()],
        vec![],
    )
    .await
    .unwrap();
    let records = s.message_records(a, "sent-1").await.unwrap();
    assert_eq!(records.len(), 1);
    let again = s
        .insert_sent_message(
            message(a, "sent-1", &["to@x.test"]),
            vec![("".into(), b"second".to_vec())],
            vec![record(a, "sent-1", EventType::Send, 8, &["to@x.test"])],
            vec![],
        )
        .await;
    assert!(again.is_err(), "a taken message id is refused");
    assert_eq!(
        s.message_content(a, "sent-1", None).await.unwrap().unwrap(),
        b"first",
        "the refused send stored none of its MIME"
    );
    assert_eq!(s.message_records(a, "sent-1").await.unwrap().len(), 1);

    // Machine marks ride on appended records and are kept once.
    let mut open = record(a, "mime-1", EventType::Open, 5, &["own@x.test"]);
    open.machine = Some("apple-mail-privacy-protection".into());
    let human = record(a, "mime-1", EventType::Open, 6, &["own@x.test"]);
    s.append_records(vec![open.clone(), human]).await.unwrap();
    s.append_records(vec![open.clone()]).await.unwrap();
    let marks = s.machine_activity(a, "mime-1").await.unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].dedupe_key, open.dedupe_key);
    assert_eq!(marks[0].reason, "apple-mail-privacy-protection");
    assert!(
        s.machine_activity("other", "mime-1")
            .await
            .unwrap()
            .is_empty()
    );
}
