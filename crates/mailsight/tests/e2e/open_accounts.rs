//! Open mode (no keys configured): a twelve-digit access key id is its own
//! account, so two test suites sharing one server keep their resources
//! apart; any other key id is the default account.

use crate::common::*;

#[tokio::test]
async fn a_twelve_digit_key_sees_its_own_account_only() {
    let t = start().await;
    let url = t.server.url();
    let mine = client_for(&url, "111122223333", "s");
    let theirs = client_for(&url, "444455556666", "s");
    let default = t.client();
    mine.create_configuration_set()
        .configuration_set_name("mine")
        .send()
        .await
        .unwrap();
    default
        .create_configuration_set()
        .configuration_set_name("default-only")
        .send()
        .await
        .unwrap();

    let names =
        |out: aws_sdk_sesv2::operation::list_configuration_sets::ListConfigurationSetsOutput| {
            out.configuration_sets().to_vec()
        };
    assert_eq!(
        names(mine.list_configuration_sets().send().await.unwrap()),
        vec!["mine".to_owned()]
    );
    assert!(names(theirs.list_configuration_sets().send().await.unwrap()).is_empty());
    assert_eq!(
        names(default.list_configuration_sets().send().await.unwrap()),
        vec!["default-only".to_owned()]
    );
    let err = theirs
        .get_configuration_set()
        .configuration_set_name("mine")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // ARNs name the key's account.
    let arn = "arn:aws:ses:us-east-1:111122223333:configuration-set/mine";
    let tags = mine.list_tags_for_resource().resource_arn(arn).send().await;
    assert!(tags.unwrap().tags().is_empty());
    let err = theirs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_not_found_exception()
    );
}
