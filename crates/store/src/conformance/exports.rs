//! Export jobs: created once, listed newest first with filters and pages,
//! changed only from the state the caller expects, and queued for the
//! exporter across accounts.

use serde_json::json;

use crate::StoreError;
use crate::exports::{ExportCursor, ExportFilter, ExportJob, ExportStatus};
use crate::traits::Store;

fn job(account: &str, id: &str, source: &str, created_at: i64) -> ExportJob {
    ExportJob {
        account_id: account.into(),
        job_id: id.into(),
        source_type: source.into(),
        status: ExportStatus::Created,
        spec: json!({"format": "CSV", "id": id}),
        created_at,
        completed_at: None,
        processed: 0,
        exported: 0,
        error: None,
        file: None,
    }
}

fn ids(jobs: &[ExportJob]) -> Vec<&str> {
    jobs.iter().map(|j| j.job_id.as_str()).collect()
}

pub(super) async fn export_jobs_queue_and_state(s: &impl Store) {
    let (a, b) = ("acct-exports-a", "acct-exports-b");
    for (i, id) in ["x1", "x2", "x3", "x4"].iter().enumerate() {
        let source = if i % 2 == 0 {
            "METRICS_DATA"
        } else {
            "MESSAGE_INSIGHTS"
        };
        s.create_export_job(job(a, id, source, 1_000 + i as i64))
            .await
            .unwrap();
    }
    s.create_export_job(job(b, "x1", "METRICS_DATA", 500))
        .await
        .unwrap();
    assert!(matches!(
        s.create_export_job(job(a, "x1", "METRICS_DATA", 9)).await,
        Err(StoreError::AlreadyExists(_))
    ));

    let got = s.get_export_job(a, "x2").await.unwrap().unwrap();
    assert_eq!(got, job(a, "x2", "MESSAGE_INSIGHTS", 1_001));
    assert_eq!(s.get_export_job(a, "nope").await.unwrap(), None);
    assert_eq!(
        s.get_export_job(b, "x1").await.unwrap().unwrap().created_at,
        500,
        "each account has its own ids"
    );

    // Newest first, paged by the last job seen, filtered by source.
    let all = ExportFilter::default();
    let first = s.list_export_jobs(a, &all, None, 3).await.unwrap();
    assert_eq!(ids(&first), ["x4", "x3", "x2"]);
    let cursor = ExportCursor {
        created_at: first[2].created_at,
        job_id: first[2].job_id.clone(),
    };
    let rest = s.list_export_jobs(a, &all, Some(&cursor), 3).await.unwrap();
    assert_eq!(ids(&rest), ["x1"]);
    let metrics = ExportFilter {
        source_type: Some("METRICS_DATA".into()),
        status: None,
    };
    assert_eq!(
        ids(&s.list_export_jobs(a, &metrics, None, 10).await.unwrap()),
        ["x3", "x1"]
    );

    // State changes only from the expected state.
    let mut done = got.clone();
    done.status = ExportStatus::Completed;
    done.completed_at = Some(2_000);
    done.processed = 7;
    done.exported = 5;
    done.file = Some("exports/x2.csv".into());
    assert!(
        !s.update_export_job(&done, &[ExportStatus::Processing])
            .await
            .unwrap(),
        "x2 is CREATED, not PROCESSING"
    );
    let mut processing = got.clone();
    processing.status = ExportStatus::Processing;
    assert!(
        s.update_export_job(&processing, &[ExportStatus::Created])
            .await
            .unwrap()
    );
    assert!(
        s.update_export_job(&done, &[ExportStatus::Processing])
            .await
            .unwrap()
    );
    let stored = s.get_export_job(a, "x2").await.unwrap().unwrap();
    assert_eq!(stored, done);
    let mut cancel = stored.clone();
    cancel.status = ExportStatus::Cancelled;
    assert!(
        !s.update_export_job(&cancel, &[ExportStatus::Created, ExportStatus::Processing])
            .await
            .unwrap(),
        "a completed job cannot be cancelled"
    );
    let completed = ExportFilter {
        source_type: None,
        status: Some(ExportStatus::Completed),
    };
    assert_eq!(
        ids(&s.list_export_jobs(a, &completed, None, 10).await.unwrap()),
        ["x2"]
    );

    // The queue: every account's unfinished jobs, oldest first.
    let queue: Vec<(String, String)> = s
        .unfinished_export_jobs(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.account_id == a || j.account_id == b)
        .map(|j| (j.account_id, j.job_id))
        .collect();
    let pair = |acct: &str, id: &str| (acct.to_owned(), id.to_owned());
    assert_eq!(
        queue,
        [pair(b, "x1"), pair(a, "x1"), pair(a, "x3"), pair(a, "x4")]
    );
}

/// A job is run by one holder at a time: taken while `CREATED` or under a
/// lease that ran out, renewed only while `PROCESSING`, and given back by a
/// lease that ends now.
pub(super) async fn export_jobs_are_leased(s: &impl Store) {
    let a = "acct-export-leases";
    s.create_export_job(job(a, "l1", "METRICS_DATA", 1))
        .await
        .unwrap();
    assert!(!s.lease_export_job(a, "nope", 100, 200).await.unwrap());
    assert!(
        s.lease_export_job(a, "l1", 100, 200).await.unwrap(),
        "a new job is taken"
    );
    let got = s.get_export_job(a, "l1").await.unwrap().unwrap();
    assert_eq!(got.status, ExportStatus::Processing);
    assert!(
        !s.lease_export_job(a, "l1", 150, 250).await.unwrap(),
        "not while its lease runs"
    );
    assert!(s.renew_export_lease(a, "l1", 300).await.unwrap());
    assert!(
        !s.lease_export_job(a, "l1", 250, 350).await.unwrap(),
        "renewed"
    );
    assert!(
        s.lease_export_job(a, "l1", 300, 400).await.unwrap(),
        "taken again once the lease ran out (its runner died)"
    );
    assert!(s.renew_export_lease(a, "l1", 0).await.unwrap());
    assert!(
        s.lease_export_job(a, "l1", 301, 500).await.unwrap(),
        "a lease given back is taken at once"
    );
    let mut done = got.clone();
    done.status = ExportStatus::Completed;
    assert!(
        s.update_export_job(&done, &[ExportStatus::Processing])
            .await
            .unwrap()
    );
    assert!(
        !s.lease_export_job(a, "l1", i64::MAX, i64::MAX)
            .await
            .unwrap()
    );
    assert!(
        !s.renew_export_lease(a, "l1", 900).await.unwrap(),
        "a finished job has no lease"
    );
}
