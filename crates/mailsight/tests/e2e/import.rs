//! `mailsight import`, run as the real binary: the fixtures become the same
//! insights as through Firehose, archives in every shape import fully, bad
//! lines are reported by line, and a second run stores nothing new.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::common::TestServer;
use crate::ingest::{compact, firehose_snapshot, fixtures, snapshot, start_ingesting};

fn import(data_dir: &Path, paths: &[&Path]) -> (i32, String) {
    import_with(
        &["--data-dir".into(), data_dir.as_os_str().to_owned()],
        paths,
    )
}

/// Imports into the store of a running server.
fn import_into(t: &TestServer, paths: &[&Path]) -> (i32, String) {
    import_with(&t.store_args(), paths)
}

fn import_with(store: &[std::ffi::OsString], paths: &[&Path]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mailsight"))
        .arg("import")
        .args(store)
        .args(paths)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.code().is_some(),
        "import died: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), stdout)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[tokio::test]
async fn importing_the_fixtures_matches_firehose_and_is_idempotent() {
    let via_firehose = firehose_snapshot().await;

    let t = start_ingesting(|_| {}).await;
    // Pretty-printed files, one per record, imported while the server runs.
    let dir = tempfile::tempdir().unwrap();
    for (name, record) in fixtures() {
        std::fs::write(dir.path().join(name), record).unwrap();
    }
    let (code, out) = import_into(&t, &[dir.path()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("imported 15 records (0 duplicates, 0 rejected) from 15 files"),
        "{out}"
    );
    assert_eq!(snapshot(&t).await, via_firehose);

    let (code, out) = import_into(&t, &[dir.path()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("imported 0 records (15 duplicates, 0 rejected)"),
        "{out}"
    );
    assert_eq!(snapshot(&t).await, via_firehose);
}

#[tokio::test]
async fn archives_of_every_shape_import_fully() {
    let t = start_ingesting(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = fixtures().iter().map(|(_, r)| compact(r)).collect();
    // Firehose's S3 objects: records back to back, gzip-compressed, and a
    // name that does not say so.
    std::fs::write(
        dir.path().join("part-0000"),
        gzip(records[..8].concat().as_bytes()),
    )
    .unwrap();
    // NDJSON, plain.
    std::fs::write(dir.path().join("rest.ndjson"), records[8..].join("\n")).unwrap();
    let (code, out) = import_into(
        &t,
        &[
            &dir.path().join("part-0000"),
            &dir.path().join("rest.ndjson"),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("imported 15 records (0 duplicates, 0 rejected) from 2 files"),
        "{out}"
    );
    let snap = snapshot(&t).await;
    assert_eq!(snap.len(), 7, "every fixture message is there");
}

#[tokio::test]
async fn bad_lines_are_reported_and_the_rest_lands() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = fixtures().iter().map(|(_, r)| compact(r)).collect();
    let text = [
        records[0].as_str(),
        "{\"truncated\": ",
        records[1].as_str(),
        "{\"eventType\":\"Explosion\",\"mail\":{\"messageId\":\"x\"}}",
        records[2].as_str(),
    ]
    .join("\n");
    let file = dir.path().join("mixed.ndjson");
    std::fs::write(&file, text).unwrap();
    let (code, out) = import(data_dir.path(), &[&file]);
    assert_eq!(code, 2, "some records were rejected: {out}");
    assert!(
        out.starts_with("imported 3 records (0 duplicates, 2 rejected)"),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("rejected ")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("mixed.ndjson:2:"), "{out}");
    assert!(lines[1].contains("mixed.ndjson:4:"), "{out}");
    // A file that claims to be gzip but is not: reported, and nothing else lost.
    let broken = dir.path().join("broken.gz");
    std::fs::write(&broken, [0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]).unwrap();
    let (code, out) = import(data_dir.path(), &[&broken, &file]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("broken.gz:1: unreadable"), "{out}");
    assert!(
        out.starts_with("imported 0 records (3 duplicates, 3 rejected)"),
        "{out}"
    );
    let missing = import(data_dir.path(), &[&dir.path().join("nope")]);
    assert_eq!(missing.0, 1, "a missing path is an error");
}

/// `n` Send records, one per line, each its own message (so none is a
/// duplicate of another).
fn numbered_sends(prefix: &str, n: usize) -> String {
    let (_, send) = fixtures()
        .into_iter()
        .find(|(_, r)| compact(r).contains("\"eventType\":\"Send\""))
        .expect("a Send fixture");
    let template: serde_json::Value = serde_json::from_slice(&send).unwrap();
    (0..n)
        .map(|i| {
            let mut r = template.clone();
            r["mail"]["messageId"] = format!("{prefix}-{i:05}").into();
            r.to_string() + "\n"
        })
        .collect()
}

/// A gzip object cut at `at` bytes, and how many whole records (lines) its
/// readable part holds. The cut is moved off a record's end so the count
/// is exact.
fn truncated(text: &str, mut at: usize) -> (Vec<u8>, usize) {
    use std::io::Read;
    let whole = gzip(text.as_bytes());
    loop {
        let mut decoded = Vec::new();
        let mut reader = flate2::read::MultiGzDecoder::new(&whole[..at]);
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => panic!("a cut object must not read to its end"),
                Ok(n) => decoded.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
        }
        if !matches!(decoded.last(), Some(b'}' | b'\n')) {
            let lines = decoded.iter().filter(|&&b| b == b'\n').count();
            return (whole[..at].to_vec(), lines);
        }
        at -= 1;
    }
}

#[tokio::test]
async fn an_archive_directory_skips_what_is_not_records_and_keeps_a_truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // What sits beside Firehose's objects in a real archive.
    std::fs::write(
        p.join("README.md"),
        "# SES events\n\nFirehose objects, by hour.\n",
    )
    .unwrap();
    std::fs::write(p.join("index.csv"), "object,records\npart-1,2\n").unwrap();
    std::fs::write(
        p.join("chart.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02",
    )
    .unwrap();
    std::fs::write(p.join("notes.csv.gz"), gzip(b"id,type\n1,Send\n")).unwrap();
    // The records: a plain file, a whole gzip object and a cut one.
    std::fs::write(p.join("good.json"), numbered_sends("plain", 3)).unwrap();
    std::fs::write(
        p.join("good.gz"),
        gzip(numbered_sends("whole", 5).as_bytes()),
    )
    .unwrap();
    let text = numbered_sends("cut", 600);
    let whole_len = gzip(text.as_bytes()).len();
    let (cut, readable) = truncated(&text, whole_len / 2);
    assert!(
        readable > 100 && readable < 600,
        "the cut leaves part: {readable}"
    );
    std::fs::write(p.join("part-cut.gz"), cut).unwrap();

    let (code, out) = import(data_dir.path(), &[p]);
    assert_eq!(code, 2, "the damaged object is reported: {out}");
    let expected = 3 + 5 + readable;
    assert!(
        out.starts_with(&format!(
            "imported {expected} records (0 duplicates, 1 rejected) from 3 files (4 skipped)"
        )),
        "{out}"
    );
    // Each skipped file once, on one line, with why.
    for (name, how) in [
        (
            "README.md",
            "the file is neither JSON nor gzip (it starts with \"# SES",
        ),
        (
            "index.csv",
            "the file is neither JSON nor gzip (it starts with \"object,",
        ),
        (
            "chart.png",
            "the file is neither JSON nor gzip (it starts with \"\\x89PNG",
        ),
        (
            "notes.csv.gz",
            "decompressed, it is neither JSON nor gzip (it starts with \"id,type",
        ),
    ] {
        let lines: Vec<&str> = out.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(lines.len(), 1, "{name} once: {out}");
        assert!(lines[0].starts_with("skipped "), "{out}");
        assert!(lines[0].contains(how), "{name}: {out}");
    }
    // The cut object: one line, saying where it broke.
    let broken: Vec<&str> = out.lines().filter(|l| l.contains("part-cut.gz")).collect();
    assert_eq!(broken.len(), 1, "{out}");
    assert!(
        broken[0].contains(&format!(
            "part-cut.gz:{}: unreadable from here on",
            readable + 1
        )),
        "{out}"
    );
    assert!(
        broken[0].contains(&format!(
            "of the decompressed data, after {readable} records, which are kept"
        )),
        "{out}"
    );
    assert!(
        !out.contains("expected ident") && !out.contains("expected value"),
        "no parser messages for files that are not JSON: {out}"
    );
}

/// Records carrying their own `sendingAccountId` are filed there; the
/// summary names that account and the open-mode key that reads it, and
/// that key sees them while another account's does not.
#[tokio::test]
async fn import_names_the_account_and_its_open_mode_key_sees_the_records() {
    let t = crate::common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let records: String = numbered_sends("acct", 3)
        .lines()
        .map(|l| {
            let mut r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["mail"]["sendingAccountId"] = "111122223333".into();
            r.to_string() + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("records.jsonl"), records).unwrap();
    let (code, out) = import_into(&t, &[dir.path()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("filed under account 111122223333: query with AWS_ACCESS_KEY_ID=111122223333"),
        "{out}"
    );
    assert!(!out.contains("filed under account 000000000000"), "{out}");

    let url = t.server.url();
    let own = crate::common::client_for(&url, "111122223333", "any-secret");
    let found = own
        .get_message_insights()
        .message_id("acct-00000")
        .send()
        .await
        .unwrap();
    assert_eq!(found.message_id(), Some("acct-00000"));
    for other in ["444455556666", "AKIDEXAMPLE"] {
        let err = crate::common::client_for(&url, other, "any-secret")
            .get_message_insights()
            .message_id("acct-00000")
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_not_found_exception(), "{other}");
    }
}
