//! What `mailsight serve` writes when its output is a pipe (a file, a
//! journal, a log shipper): no colour codes, a config typo reported once,
//! and every refused request logged once at `info` with what was refused
//! and why. The real binary, with the default log level.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::common::{Signing, query_as, signed, signed_as};

/// `mailsight serve` with stdout and stderr piped, and every line it writes.
struct Served {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn spawn(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailsight"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("MAILSIGHT_LOG")
        .env_remove("MAILSIGHT_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    let streams: [Box<dyn std::io::Read + Send>; 2] = [
        Box::new(child.stdout.take().unwrap()),
        Box::new(child.stderr.take().unwrap()),
    ];
    for stream in streams {
        let lines = lines.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                lines.lock().unwrap().push(line.unwrap());
            }
        }));
    }
    Served {
        child,
        lines,
        readers,
    }
}

impl Served {
    /// Waits until `pred` holds for the lines so far.
    fn wait_for(&self, what: &str, pred: impl Fn(&[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !pred(&self.lines.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "never logged {what}:\n{}",
                self.lines.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server and returns everything it wrote.
    fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for r in self.readers {
            r.join().unwrap();
        }
        self.lines.lock().unwrap().clone()
    }
}

fn refusals(lines: &[String]) -> Vec<&String> {
    lines
        .iter()
        .filter(|l| l.contains("request refused"))
        .collect()
}

#[tokio::test]
async fn piped_logs_have_no_colour_and_each_refusal_once_at_info() {
    let dir = tempfile::tempdir().unwrap();
    let served = spawn(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--access-key-id",
        "AKIDEXAMPLE",
        "--secret-access-key",
        "secret",
    ]);
    served.wait_for("where it listens", |l| {
        l.iter().any(|l| l.contains("listening on: http://"))
    });
    let url = {
        let lines = served.lines.lock().unwrap();
        let line = lines
            .iter()
            .find(|l| l.contains("listening on: http://"))
            .unwrap();
        let at = line.find("http://").unwrap();
        line[at..].split_whitespace().next().unwrap().to_owned()
    };

    // An operation mailsight does not have (signed: with keys, an unsigned
    // request is refused before it is routed).
    let resp = signed(
        &url,
        "GET",
        "/v2/email/no-such-operation",
        b"",
        "secret",
        SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 404);
    // A request signed for another service.
    let scope = Signing {
        service: "sns",
        content_type: "application/json",
        secret: "secret",
        time: SystemTime::now(),
    };
    let resp = signed_as(&url, "GET", "/v2/email/account", b"", scope).await;
    assert_eq!(resp.status(), 403);
    // A wrong secret.
    let resp = signed(
        &url,
        "GET",
        "/v2/email/account",
        b"",
        "wrong",
        SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 403);
    // An SNS action mailsight does not implement.
    let (status, _) = query_as(&url, "sns", "2010-03-31", &[("Action", "NoSuchAction")]).await;
    assert_eq!(status, 400);
    // And one that works, which is not logged at info.
    let (status, _) = query_as(&url, "sns", "2010-03-31", &[("Action", "ListTopics")]).await;
    assert_eq!(status, 200);

    served.wait_for("four refusals", |l| refusals(l).len() >= 4);
    let lines = served.stop();
    let all = lines.join("\n");
    assert!(
        !all.contains('\x1b'),
        "colour codes in piped output:\n{all}"
    );
    let refused = refusals(&lines);
    assert_eq!(refused.len(), 4, "each refusal once:\n{all}");
    assert!(
        refused.iter().all(|l| l.contains(" INFO ")),
        "refusals are logged at info:\n{all}"
    );
    let unknown: Vec<_> = refused
        .iter()
        .filter(|l| l.contains("No SES v2 operation matches GET /v2/email/no-such-operation"))
        .collect();
    assert_eq!(unknown.len(), 1, "{all}");
    assert!(unknown[0].contains("UnknownOperationException"), "{all}");
    let signatures: Vec<_> = refused
        .iter()
        .filter(|l| l.contains("GetAccount") && l.contains("InvalidSignatureException"))
        .collect();
    assert_eq!(signatures.len(), 2, "the scope and the secret:\n{all}");
    let sns: Vec<_> = refused
        .iter()
        .filter(|l| l.contains("The action NoSuchAction is not valid"))
        .collect();
    assert_eq!(sns.len(), 1, "{all}");
    assert!(!all.contains("ListTopics"), "{all}");
}

#[test]
fn a_config_typo_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("mailsight.toml");
    std::fs::write(&config, "lisen = \"127.0.0.1:1\"\n").unwrap();
    let served = spawn(&["serve", "--config", config.to_str().unwrap()]);
    let Served {
        mut child,
        readers,
        lines,
    } = served;
    let status = child.wait().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    let all = lines.lock().unwrap().join("\n");
    assert!(!status.success(), "{all}");
    assert_eq!(all.matches("unknown field `lisen`").count(), 1, "{all}");
    assert_eq!(all.matches("invalid config file").count(), 1, "{all}");
    assert!(all.contains("mailsight.toml"), "names the file: {all}");
    assert!(!all.contains('\x1b'), "{all}");
}
