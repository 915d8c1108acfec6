//! Items (templates, contact lists, contacts, suppressed addresses,
//! settings): put modes, key spaces per kind and account, prefixes, pages,
//! and batches that are stored all or nothing.

use serde_json::json;

use crate::StoreError;
use crate::traits::Store;

pub(super) async fn put_items_is_all_or_nothing(s: &impl Store) {
    use crate::items::{ItemKind as K, ItemPut, PutMode as P};
    let a = "acct-put-items";
    let put = |key: &str, mode| ItemPut {
        account_id: a.into(),
        kind: K::Suppressed,
        key: key.into(),
        body: json!({"k": key}),
        mode,
        now: 5,
    };
    s.put_items(vec![put("x@a", P::Upsert), put("y@a", P::Create)])
        .await
        .unwrap();
    let listed = s.list_items(a, K::Suppressed, "", None, 10).await.unwrap();
    assert_eq!(listed.items.len(), 2);
    // y@a exists, so its Create fails and z@a must not be stored either.
    let err = s
        .put_items(vec![put("z@a", P::Upsert), put("y@a", P::Create)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(s.get_item(a, K::Suppressed, "z@a").await.unwrap(), None);
    s.put_items(Vec::new()).await.unwrap();
}

pub(super) async fn items_by_kind_and_key(s: &impl Store) {
    use crate::items::{ItemKind as K, PutMode as P, contact_key, contact_prefix};
    let a = "acct-items";
    s.put_item(a, K::Template, "t1", json!({"v": 1}), P::Create, 10)
        .await
        .unwrap();
    assert!(matches!(
        s.put_item(a, K::Template, "t1", json!({"v": 2}), P::Create, 11)
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(matches!(
        s.put_item(a, K::Template, "nope", json!({}), P::Replace, 11)
            .await,
        Err(StoreError::NotFound(_))
    ));
    s.put_item(a, K::Template, "t1", json!({"v": 3}), P::Replace, 12)
        .await
        .unwrap();
    let t = s.get_item(a, K::Template, "t1").await.unwrap().unwrap();
    assert_eq!(
        (t.body, t.created_at, t.updated_at),
        (json!({"v": 3}), 10, 12)
    );
    // Kinds and accounts have their own key spaces.
    assert!(s.get_item(a, K::ContactList, "t1").await.unwrap().is_none());
    assert!(
        s.get_item("other", K::Template, "t1")
            .await
            .unwrap()
            .is_none()
    );

    for list in ["l1", "l10", "l2"] {
        for who in ["b@x.test", "A@x.test", "c@x.test"] {
            s.put_item(
                a,
                K::Contact,
                &contact_key(list, who),
                json!({"who": who}),
                P::Upsert,
                1,
            )
            .await
            .unwrap();
        }
    }
    // A prefix lists one list's contacts only, in key order, in pages.
    let first = s
        .list_items(a, K::Contact, &contact_prefix("l1"), None, 2)
        .await
        .unwrap();
    let keys: Vec<_> = first.items.iter().map(|i| i.key.clone()).collect();
    assert_eq!(
        keys,
        [contact_key("l1", "a@x.test"), contact_key("l1", "b@x.test")]
    );
    let next = s
        .list_items(
            a,
            K::Contact,
            &contact_prefix("l1"),
            first.next_after.as_deref(),
            2,
        )
        .await
        .unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].key, contact_key("l1", "c@x.test"));
    assert!(next.next_after.is_none());
    assert_eq!(
        s.delete_items_with_prefix(a, K::Contact, &contact_prefix("l1"))
            .await
            .unwrap(),
        3
    );
    let rest = s.list_items(a, K::Contact, "", None, 100).await.unwrap();
    assert_eq!(rest.items.len(), 6, "l10 and l2 keep their contacts");
    assert!(s.delete_item(a, K::Template, "t1").await.unwrap());
    assert!(!s.delete_item(a, K::Template, "t1").await.unwrap());
}
