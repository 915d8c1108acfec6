//! Import jobs through the SDK: a file in the directory a bucket is bound
//! to, read into the suppression list or a contact list.

use aws_sdk_sesv2::types::{
    ContactListDestination, ContactListImportAction, DataFormat, ImportDataSource,
    ImportDestination, ImportDestinationType, JobStatus, SubscriptionStatus,
    SuppressionListDestination, SuppressionListImportAction, SuppressionListReason, Topic,
};

use crate::common::*;

fn source(url: &str, format: DataFormat) -> ImportDataSource {
    ImportDataSource::builder()
        .s3_url(url)
        .data_format(format)
        .build()
        .unwrap()
}

fn to_suppression(action: SuppressionListImportAction) -> ImportDestination {
    ImportDestination::builder()
        .suppression_list_destination(
            SuppressionListDestination::builder()
                .suppression_list_import_action(action)
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn a_csv_file_fills_the_suppression_list_and_another_empties_it() {
    let bucket = tempfile::tempdir().unwrap();
    let dir = bucket.path().to_owned();
    let t = start_with(|c| {
        c.exports.buckets.insert("imports".into(), dir.clone());
    })
    .await;
    let c = t.client();
    std::fs::create_dir_all(dir.join("lists")).unwrap();
    std::fs::write(
        dir.join("lists/bounced.csv"),
        "emailAddress,reason\na@example.com,BOUNCE\nb@example.com,complaint\nnot-an-address,BOUNCE\n",
    )
    .unwrap();
    let job = c
        .create_import_job()
        .import_destination(to_suppression(SuppressionListImportAction::Put))
        .import_data_source(source("s3://imports/lists/bounced.csv", DataFormat::Csv))
        .send()
        .await
        .unwrap();
    let id = job.job_id().unwrap();
    let got = c.get_import_job().job_id(id).send().await.unwrap();
    assert_eq!(got.job_status(), Some(&JobStatus::Completed));
    assert_eq!(got.processed_records_count(), Some(3));
    assert_eq!(got.failed_records_count(), Some(1));
    let b = c
        .get_suppressed_destination()
        .email_address("b@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        b.suppressed_destination().unwrap().reason(),
        &SuppressionListReason::Complaint
    );

    // JSON lines, deleting.
    std::fs::write(
        dir.join("lists/gone.json"),
        "{\"emailAddress\":\"a@example.com\"}\n",
    )
    .unwrap();
    c.create_import_job()
        .import_destination(to_suppression(SuppressionListImportAction::Delete))
        .import_data_source(source("s3://imports/lists/gone.json", DataFormat::Json))
        .send()
        .await
        .unwrap();
    let a = c
        .get_suppressed_destination()
        .email_address("a@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        a.into_service_error().meta().code(),
        Some("NotFoundException")
    );

    // A missing file is a failed job; an unbound bucket a refused request.
    let missing = c
        .create_import_job()
        .import_destination(to_suppression(SuppressionListImportAction::Put))
        .import_data_source(source("s3://imports/nothing.csv", DataFormat::Csv))
        .send()
        .await
        .unwrap();
    let failed = c
        .get_import_job()
        .job_id(missing.job_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(failed.job_status(), Some(&JobStatus::Failed));
    assert!(failed.failure_info().unwrap().error_message().is_some());
    let unbound = c
        .create_import_job()
        .import_destination(to_suppression(SuppressionListImportAction::Put))
        .import_data_source(source("s3://elsewhere/x.csv", DataFormat::Csv))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        unbound.into_service_error().meta().code(),
        Some("BadRequestException")
    );

    let listed = c
        .list_import_jobs()
        .import_destination_type(ImportDestinationType::SuppressionList)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.import_jobs().len(), 3);
    let none = c
        .list_import_jobs()
        .import_destination_type(ImportDestinationType::ContactList)
        .send()
        .await
        .unwrap();
    assert!(none.import_jobs().is_empty());
}

#[tokio::test]
async fn a_json_file_fills_a_contact_list_with_preferences() {
    let bucket = tempfile::tempdir().unwrap();
    let dir = bucket.path().to_owned();
    let t = start_with(|c| {
        c.exports.buckets.insert("imports".into(), dir.clone());
    })
    .await;
    let c = t.client();
    c.create_contact_list()
        .contact_list_name("news")
        .topics(
            Topic::builder()
                .topic_name("weekly")
                .display_name("Weekly")
                .default_subscription_status(SubscriptionStatus::OptIn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    std::fs::write(
        dir.join("contacts.json"),
        concat!(
            "{\"emailAddress\":\"x@example.com\",\"topicPreferences\":[{\"topicName\":\"weekly\",\"subscriptionStatus\":\"OPT_OUT\"}]}\n",
            "{\"emailAddress\":\"y@example.com\",\"unsubscribeAll\":true,\"attributesData\":\"{\\\"n\\\":1}\"}\n",
            "{\"emailAddress\":\"z@example.com\",\"topicPreferences\":[{\"topicName\":\"no-such-topic\",\"subscriptionStatus\":\"OPT_IN\"}]}\n",
        ),
    )
    .unwrap();
    let destination = ImportDestination::builder()
        .contact_list_destination(
            ContactListDestination::builder()
                .contact_list_name("news")
                .contact_list_import_action(ContactListImportAction::Put)
                .build()
                .unwrap(),
        )
        .build();
    let job = c
        .create_import_job()
        .import_destination(destination)
        .import_data_source(source("s3://imports/contacts.json", DataFormat::Json))
        .send()
        .await
        .unwrap();
    let got = c
        .get_import_job()
        .job_id(job.job_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.processed_records_count(), Some(3));
    assert_eq!(got.failed_records_count(), Some(1));
    let x = c
        .get_contact()
        .contact_list_name("news")
        .email_address("x@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        x.topic_preferences()[0].subscription_status(),
        &SubscriptionStatus::OptOut
    );
    let y = c
        .get_contact()
        .contact_list_name("news")
        .email_address("y@example.com")
        .send()
        .await
        .unwrap();
    assert!(y.unsubscribe_all());
    assert_eq!(y.attributes_data(), Some("{\"n\":1}"));
    let missing_list = c
        .create_import_job()
        .import_destination(
            ImportDestination::builder()
                .contact_list_destination(
                    ContactListDestination::builder()
                        .contact_list_name("nope")
                        .contact_list_import_action(ContactListImportAction::Put)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .import_data_source(source("s3://imports/contacts.json", DataFormat::Json))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing_list.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}
