//! Per-install secrets: the first candidate is kept, whatever comes later,
//! and survives a reopen (checked in `check_durability`).

use crate::traits::Store;

pub(super) async fn secrets_are_adopted_once(s: &impl Store) {
    let first = s
        .adopt_secret("conformance-secret", b"first candidate".to_vec(), 1)
        .await
        .unwrap();
    assert_eq!(first, b"first candidate");
    let again = s
        .adopt_secret("conformance-secret", b"a later candidate".to_vec(), 2)
        .await
        .unwrap();
    assert_eq!(again, b"first candidate", "the stored secret wins");
    let other = s
        .adopt_secret("another-secret", vec![0, 255, 1], 3)
        .await
        .unwrap();
    assert_eq!(
        other,
        [0, 255, 1],
        "names are separate, bytes kept as they are"
    );
}

pub(super) async fn secrets_survive(s: &impl Store) {
    let kept = s
        .adopt_secret("conformance-secret", b"after reopening".to_vec(), 4)
        .await
        .unwrap();
    assert_eq!(kept, b"first candidate");
}
