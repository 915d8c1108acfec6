//! `mailsight bench …`: the load tools `scripts/bench` drives (see
//! BENCHMARKS.md). None of them is needed to run mailsight.
//!
//! - `corpus`: writes a realistic NDJSON corpus of SES records.
//! - `fill`: generates the same records in memory and stores them through
//!   the ingestor, exactly as `mailsight import` does, minus the file.
//! - `wrk-script`: a `wrk` Lua script of signed `GetMessageInsights` calls.
//! - `send`: signed `SendEmail` calls at a concurrency, against mailsight
//!   or any SES v2 endpoint (moto).
//! - `sns`: signed SNS notifications of SES records, posted to `/ingest/sns`.
//! - `receiver`: a webhook receiver that counts what it gets.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use hmac::{Hmac, Mac};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------- corpus

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "example.com",
    "web.de",
    "mail.ru",
    "qq.com",
];

/// A piece of a record template: literal JSON, or a value to fill in.
#[derive(Debug, Clone)]
enum Seg {
    Lit(String),
    MessageId,
    Recipient,
    SentAt,
    EventAt,
    Mail,
}

/// A placeholder of the record template and the segment it stands for.
type Marker = (&'static str, fn() -> Seg);

const MARKERS: &[Marker] = &[
    ("@@MID@@", || Seg::MessageId),
    ("@@RCPT@@", || Seg::Recipient),
    ("@@SENT@@", || Seg::SentAt),
    ("@@EVT@@", || Seg::EventAt),
    ("\"@@MAIL@@\"", || Seg::Mail),
];

fn segments(text: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let next = MARKERS
            .iter()
            .filter_map(|(m, f)| rest.find(m).map(|at| (at, *m, *f)))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, m, f)) => {
                out.push(Seg::Lit(rest[..at].to_owned()));
                out.push(f());
                rest = &rest[at + m.len()..];
            }
            None => {
                out.push(Seg::Lit(rest.to_owned()));
                return out;
            }
        }
    }
}

fn retarget(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|v| retarget(v, old, new)),
        Value::Array(a) => a.iter_mut().for_each(|v| retarget(v, old, new)),
        Value::String(s) if s.contains(old) => *s = s.replace(old, new),
        _ => {}
    }
}

/// One fixture, cut into segments: its `mail` object, and the record
/// around it (the event part).
struct Template {
    mail: Vec<Seg>,
    record: Vec<Seg>,
}

/// Generates records shaped like the AWS example records: each message
/// gets 2 to 5 events of distinct types of one family (event publishing or
/// feedback notifications) sharing one `mail` object, as SES sends them,
/// with its own message id, recipient and timestamps.
pub struct Generator {
    families: Vec<Vec<Template>>,
    rng: SmallRng,
    /// The send time of the last message generated.
    clock: i64,
    /// Message ids seen, a reservoir sample for load generators.
    pub sample: Vec<String>,
    sample_cap: usize,
    messages: u64,
}

fn load_templates(fixtures: &Path) -> anyhow::Result<Vec<Vec<Template>>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .with_context(|| format!("cannot read fixtures in {}", fixtures.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let (mut events, mut feedback) = (Vec::new(), Vec::new());
    for name in names {
        let mut v: Value = serde_json::from_slice(&std::fs::read(&name)?)?;
        let old = v["mail"]["destination"][0]
            .as_str()
            .context("fixture without mail.destination")?
            .to_owned();
        retarget(&mut v, &old, "@@RCPT@@");
        let mut mail = v["mail"].take();
        mail["messageId"] = json!("@@MID@@");
        mail["timestamp"] = json!("@@SENT@@");
        v["mail"] = json!("@@MAIL@@");
        let obj = v.as_object_mut().context("fixture is not an object")?;
        let key = obj
            .keys()
            .find(|k| !["eventType", "notificationType", "mail"].contains(&k.as_str()))
            .cloned();
        if let Some(k) = key
            && let Some(o) = obj.get_mut(&k).and_then(Value::as_object_mut)
            && o.contains_key("timestamp")
        {
            o.insert("timestamp".into(), json!("@@EVT@@"));
        }
        let t = Template {
            mail: segments(&serde_json::to_string(&mail)?),
            record: segments(&serde_json::to_string(&v)?),
        };
        if v.get("notificationType").is_some() {
            feedback.push(t);
        } else {
            events.push(t);
        }
    }
    anyhow::ensure!(!events.is_empty(), "no fixtures in {}", fixtures.display());
    Ok([events, feedback]
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect())
}

fn iso(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

impl Generator {
    pub fn new(fixtures: &Path, seed: u64, sample_cap: usize) -> anyhow::Result<Self> {
        Ok(Generator {
            families: load_templates(fixtures)?,
            rng: SmallRng::seed_from_u64(seed),
            clock: 1_767_225_600_000, // 2026-01-01
            sample: Vec::new(),
            sample_cap,
            messages: 0,
        })
    }

    /// Moves the send clock `days` forward.
    pub fn starting_after_days(mut self, days: i64) -> Self {
        self.clock += days * 86_400_000;
        self
    }

    /// The records of one more message, each as one line (no newline).
    pub fn message(&mut self, out: &mut Vec<Vec<u8>>) {
        let rng = &mut self.rng;
        let total: usize = self.families.iter().map(Vec::len).sum();
        let mut pick = rng.random_range(0..total);
        let family = self
            .families
            .iter()
            .find(|f| {
                if pick < f.len() {
                    true
                } else {
                    pick -= f.len();
                    false
                }
            })
            .expect("pick is below the total");
        let k = rng.random_range(2..=5usize).min(family.len());
        let chosen: Vec<&Template> = family.choose_multiple(rng, k).collect();
        // Messages go out in time order, about 9 s apart, and their ids
        // start with the send time in hex, as SES's do: a real event stream
        // (or a month of Firehose files) is close to id order, not random.
        self.clock += rng.random_range(0..18_000i64);
        let sent = self.clock;
        let id = format!(
            "0100{:012x}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}-000000",
            sent,
            rng.random::<u32>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random::<u64>() & 0xffff_ffff_ffff
        );
        let recipient = format!(
            "user{}@{}",
            rng.random_range(0..10_000_000u32),
            DOMAINS.choose(rng).expect("not empty")
        );
        let sent_text = iso(sent);
        let fill = |segs: &[Seg], line: &mut Vec<u8>, mail: &[u8], event: &str| {
            for s in segs {
                match s {
                    Seg::Lit(l) => line.extend_from_slice(l.as_bytes()),
                    Seg::MessageId => line.extend_from_slice(id.as_bytes()),
                    Seg::Recipient => line.extend_from_slice(recipient.as_bytes()),
                    Seg::SentAt => line.extend_from_slice(sent_text.as_bytes()),
                    Seg::EventAt => line.extend_from_slice(event.as_bytes()),
                    Seg::Mail => line.extend_from_slice(mail),
                }
            }
        };
        let mut mail = Vec::with_capacity(1024);
        fill(&chosen[0].mail, &mut mail, b"", "");
        for t in &chosen {
            let event = iso(sent + rng.random_range(100..600_000i64));
            let mut line = Vec::with_capacity(mail.len() + 512);
            fill(&t.record, &mut line, &mail, &event);
            out.push(line);
        }
        self.messages += 1;
        if self.sample.len() < self.sample_cap {
            self.sample.push(id);
        } else {
            let j = rng.random_range(0..self.messages) as usize;
            if j < self.sample_cap {
                self.sample[j] = id;
            }
        }
    }
}

fn write_sample(path: Option<&Path>, sample: &[String]) -> anyhow::Result<()> {
    if let Some(p) = path {
        std::fs::write(p, sample.join("\n") + "\n")
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct CorpusArgs {
    /// How many records.
    #[arg(long, default_value_t = 1_000_000)]
    records: usize,
    /// The NDJSON file to write.
    #[arg(long)]
    out: PathBuf,
    /// The AWS example records to draw shapes from.
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Write a sample of the message ids here (one per line).
    #[arg(long)]
    ids: Option<PathBuf>,
}

pub fn corpus(args: CorpusArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let mut g = Generator::new(&args.fixtures, args.seed, 20_000)?;
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let (mut written, mut bytes, mut lines) = (0usize, 0usize, Vec::new());
    while written < args.records {
        lines.clear();
        g.message(&mut lines);
        for l in lines.iter().take(args.records - written) {
            w.write_all(l)?;
            w.write_all(b"\n")?;
            bytes += l.len() + 1;
            written += 1;
        }
    }
    w.flush()?;
    write_sample(args.ids.as_deref(), &g.sample)?;
    eprintln!(
        "wrote {written} records ({} messages, {:.0} bytes per record) to {}",
        g.messages,
        bytes as f64 / written as f64,
        args.out.display()
    );
    Ok(())
}

#[derive(clap::Args)]
pub struct FillArgs {
    /// The data directory to fill.
    #[arg(long)]
    data_dir: PathBuf,
    /// How many records to store.
    #[arg(long)]
    records: usize,
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
    /// Use another seed than the corpus's, or the records are duplicates.
    #[arg(long, default_value_t = 1007)]
    seed: u64,
    #[arg(long)]
    ids: Option<PathBuf>,
    #[arg(long, default_value = "000000000000")]
    account: String,
}

/// Stores generated records through the ingestor, as `mailsight import`
/// does (same batch size, same number of batches in flight).
pub async fn fill(args: FillArgs) -> anyhow::Result<()> {
    let store = Arc::new(mailsight_store::SqliteStore::open(&args.data_dir)?);
    let ingestor = mailsight_engine::Ingestor::new(store);
    // Later than any corpus (a month from 2026-01-01): the store grows
    // forward in time, as a production store does.
    let mut g = Generator::new(&args.fixtures, args.seed, 20_000)?.starting_after_days(60);
    let started = Instant::now();
    let (mut made, mut stored) = (0usize, 0usize);
    let mut pending = std::collections::VecDeque::new();
    let mut batch = Vec::with_capacity(crate::import::BATCH);
    while made < args.records {
        let before = batch.len();
        g.message(&mut batch);
        made += batch.len() - before;
        if batch.len() >= crate::import::BATCH || made >= args.records {
            let bodies = std::mem::take(&mut batch);
            let (i, a) = (ingestor.clone(), args.account.clone());
            pending.push_back(tokio::spawn(async move { i.ingest(&a, &bodies).await }));
            if pending.len() >= crate::import::IN_FLIGHT
                && let Some(h) = pending.pop_front()
            {
                stored += h.await??.stored;
            }
        }
    }
    while let Some(h) = pending.pop_front() {
        stored += h.await??.stored;
    }
    write_sample(args.ids.as_deref(), &g.sample)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"records": made, "stored": stored, "seconds": secs, "rate": made as f64 / secs})
    );
    Ok(())
}

// ---------------------------------------------------------------- SigV4

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Signs a request with SigV4 (no query string; path already encoded).
/// Returns the `Authorization` and `X-Amz-Date` header values.
fn sign(
    key: &Key,
    service: &str,
    method: &str,
    host: &str,
    path: &str,
    body: &[u8],
    now: time::OffsetDateTime,
) -> (String, String) {
    let date = format!("{:04}{:02}{:02}", now.year(), now.month() as u8, now.day());
    let amz_date = format!(
        "{date}T{:02}{:02}{:02}Z",
        now.hour(),
        now.minute(),
        now.second()
    );
    let payload = hex::encode(Sha256::digest(body));
    let canonical = format!(
        "{method}\n{path}\n\nhost:{host}\nx-amz-date:{amz_date}\n\nhost;x-amz-date\n{payload}"
    );
    let scope = format!("{date}/{}/{service}/aws4_request", key.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k = hmac(format!("AWS4{}", key.secret).as_bytes(), date.as_bytes());
    let k = hmac(&k, key.region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    let k = hmac(&k, b"aws4_request");
    let signature = hex::encode(hmac(&k, to_sign.as_bytes()));
    (
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}",
            key.id
        ),
        amz_date,
    )
}

#[derive(clap::Args, Clone)]
pub struct Key {
    #[arg(long, default_value = "AKIABENCHMARK")]
    id: String,
    #[arg(long, default_value = "bench-secret")]
    secret: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

#[derive(clap::Args)]
pub struct WrkArgs {
    /// Message ids, one per line (from `corpus --ids` / `fill --ids`).
    #[arg(long, required = true)]
    ids: Vec<PathBuf>,
    /// host:port the requests are signed for.
    #[arg(long)]
    host: String,
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    key: Key,
}

/// A wrk script cycling through signed GetMessageInsights requests (each
/// signature valid for the 15 minutes SigV4 allows).
pub fn wrk_script(args: WrkArgs) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    for f in &args.ids {
        ids.extend(
            std::fs::read_to_string(f)?
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    anyhow::ensure!(!ids.is_empty(), "no message ids");
    // Lua allows 65,536 constants per function: one function per 5,000 requests.
    let mut lua = String::from(
        "local reqs = {}\nlocal function add(t) for _, r in ipairs(t) do reqs[#reqs + 1] = r end end\n",
    );
    for (n, id) in ids.iter().enumerate() {
        if n % 5_000 == 0 {
            if n > 0 {
                lua.push_str("}) end)()\n");
            }
            lua.push_str(";(function() add({\n");
        }
        let path = format!("/v2/email/insights/{id}/");
        let (auth, date) = sign(&args.key, "ses", "GET", &args.host, &path, b"", now);
        lua.push_str(&format!(
            "wrk.format(\"GET\", \"{path}\", {{[\"Host\"]=\"{}\", [\"Authorization\"]=\"{auth}\", [\"X-Amz-Date\"]=\"{date}\"}}),\n",
            args.host
        ));
    }
    lua.push_str(
        "}) end)()\nlocal i = 0\n\
         function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#reqs) end\n\
         function request() i = i % #reqs + 1; return reqs[i] end\n\
         local bad = 0\n\
         function response(status, headers, body) if status ~= 200 then bad = bad + 1; if bad < 3 then print(status, body) end end end\n",
    );
    std::fs::write(&args.out, lua)?;
    Ok(())
}

// ---------------------------------------------------------------- HTTP load

/// Latencies and counts of a load run, printed as JSON.
struct Tally {
    ok: u64,
    errors: u64,
    latencies_us: Vec<u64>,
    first_error: Option<String>,
}

fn report(t: &mut Tally, secs: f64) -> Value {
    t.latencies_us.sort_unstable();
    let pct = |p: f64| {
        t.latencies_us
            .get(((t.latencies_us.len() as f64 - 1.0) * p) as usize)
            .map(|us| *us as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    json!({
        "ok": t.ok, "errors": t.errors, "seconds": secs,
        "rate": t.ok as f64 / secs, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
        "first_error": t.first_error,
    })
}

/// Runs `make(i)` requests from `concurrency` tasks until `deadline`
/// (or until `limit` requests have been made).
async fn drive<F>(
    concurrency: usize,
    duration: Option<Duration>,
    limit: Option<u64>,
    make: F,
) -> Value
where
    F: Fn(u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = duration.map(|d| started + d);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (make, next) = (make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = Tally {
                ok: 0,
                errors: 0,
                latencies_us: Vec::new(),
                first_error: None,
            };
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if limit.is_some_and(|l| i >= l) {
                    break;
                }
                let sent = Instant::now();
                let result = make(i).send().await;
                let ok = match result {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        true
                    }
                    Ok(r) => {
                        let status = r.status();
                        let body = r.text().await.unwrap_or_default();
                        t.first_error.get_or_insert(format!("{status}: {body}"));
                        false
                    }
                    Err(e) => {
                        t.first_error.get_or_insert(e.to_string());
                        false
                    }
                };
                if ok {
                    t.ok += 1;
                    t.latencies_us.push(sent.elapsed().as_micros() as u64);
                } else {
                    t.errors += 1;
                }
            }
            t
        }));
    }
    let mut all = Tally {
        ok: 0,
        errors: 0,
        latencies_us: Vec::new(),
        first_error: None,
    };
    for task in tasks {
        if let Ok(t) = task.await {
            all.ok += t.ok;
            all.errors += t.errors;
            all.latencies_us.extend(t.latencies_us);
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
        }
    }
    report(&mut all, started.elapsed().as_secs_f64())
}

fn client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()?)
}

#[derive(clap::Args)]
pub struct SendArgs {
    /// Base URL of the SES v2 endpoint.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Recipient of every message (a simulator address: SEND + DELIVERY).
    #[arg(long, default_value = "success@simulator.amazonses.com")]
    to: String,
    #[command(flatten)]
    key: Key,
}

/// Creates the sender's identity, then sends for `seconds`.
pub async fn send(args: SendArgs) -> anyhow::Result<()> {
    let client = client(args.concurrency)?;
    let url = reqwest::Url::parse(&args.url)?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let base = args.url.trim_end_matches('/').to_owned();
    let signed = move |key: &Key, path: &str, body: Vec<u8>| {
        let (auth, date) = sign(
            key,
            "ses",
            "POST",
            &host,
            path,
            &body,
            time::OffsetDateTime::now_utc(),
        );
        (auth, date, body)
    };
    let identity = serde_json::to_vec(&json!({"EmailIdentity": "bench.example"}))?;
    let (auth, date, body) = signed(&args.key, "/v2/email/identities", identity);
    let r = client
        .post(format!("{base}/v2/email/identities"))
        .header("authorization", auth)
        .header("x-amz-date", date)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success() || text.contains("AlreadyExists"),
        "CreateEmailIdentity failed: {status} {text}"
    );
    let key = args.key.clone();
    let to = args.to.clone();
    let make = move |i: u64| {
        let msg = json!({
            "FromEmailAddress": "sender@bench.example",
            "Destination": {"ToAddresses": [to]},
            "Content": {"Simple": {
                "Subject": {"Data": format!("Benchmark {i}")},
                "Body": {"Text": {"Data": "Hello from the benchmark."}}
            }}
        });
        let (auth, date, body) = signed(
            &key,
            "/v2/email/outbound-emails",
            serde_json::to_vec(&msg).expect("serialisable"),
        );
        client
            .post(format!("{base}/v2/email/outbound-emails"))
            .header("authorization", auth)
            .header("x-amz-date", date)
            .header("content-type", "application/json")
            .body(body)
    };
    let out = drive(
        args.concurrency,
        Some(Duration::from_secs(args.seconds)),
        None,
        make,
    )
    .await;
    println!("{out}");
    Ok(())
}

#[derive(clap::Args)]
pub struct SnsArgs {
    /// Base URL of mailsight.
    #[arg(long)]
    url: String,
    /// Where mailsight's `ingest.sns.trusted_certs_dir` points.
    #[arg(long)]
    certs_dir: PathBuf,
    #[arg(long, default_value = "arn:aws:sns:us-east-1:123456789012:ses-bench")]
    topic: String,
    /// How many distinct notifications (each signed before the clock starts).
    #[arg(long, default_value_t = 20_000)]
    count: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
}

pub async fn sns(args: SnsArgs) -> anyhow::Result<()> {
    use mailsight_sns::{SignatureVersion, Signer, notification};
    const CERT: &str = "SimpleNotificationService-bench.pem";
    let signer = Signer::generate(
        &format!("https://sns.us-east-1.amazonaws.com/{CERT}"),
        "sns.amazonaws.com",
    )?;
    std::fs::create_dir_all(&args.certs_dir)?;
    std::fs::write(args.certs_dir.join(CERT), signer.cert_pem())?;
    let mut g = Generator::new(&args.fixtures, 4242, 0)?;
    let mut records = Vec::with_capacity(args.count + 5);
    while records.len() < args.count {
        g.message(&mut records);
    }
    records.truncate(args.count);
    // Signing (RSA) is the slow part: both cores, before the clock starts.
    let signer = Arc::new(signer);
    let now = time::OffsetDateTime::now_utc();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = records.len().div_ceil(threads);
    let bodies: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                let (signer, topic) = (signer.clone(), args.topic.clone());
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let text = std::str::from_utf8(r).expect("generated UTF-8");
                            let mut e = notification(
                                &topic,
                                text,
                                Some("Amazon SES Email Event Notification"),
                                now,
                            );
                            let v = if i % 2 == 0 {
                                SignatureVersion::V1
                            } else {
                                SignatureVersion::V2
                            };
                            signer.sign(&mut e, v).expect("signing");
                            e.to_json()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("signing thread"))
            .collect()
    });
    let bodies = Arc::new(bodies);
    let client = client(args.concurrency)?;
    let url = format!("{}/ingest/sns", args.url.trim_end_matches('/'));
    let topic = args.topic.clone();
    let n = bodies.len() as u64;
    let out = drive(args.concurrency, None, Some(n), move |i| {
        client
            .post(&url)
            .header("x-amz-sns-message-type", "Notification")
            .header("x-amz-sns-topic-arn", &topic)
            .header("content-type", "text/plain; charset=UTF-8")
            .body(bodies[i as usize].clone())
    })
    .await;
    println!("{out}");
    Ok(())
}

#[derive(clap::Args)]
pub struct ReceiverArgs {
    #[arg(long)]
    listen: std::net::SocketAddr,
}

/// Answers 200 to every POST and counts them; `GET /count` tells how many.
pub async fn receiver(args: ReceiverArgs) -> anyhow::Result<()> {
    use axum::routing::{get, post};
    let count = Arc::new(AtomicU64::new(0));
    let (c1, c2) = (count.clone(), count);
    let app = axum::Router::new()
        .route(
            "/count",
            get(move || {
                let c = c1.clone();
                async move { c.load(Ordering::Relaxed).to_string() }
            }),
        )
        .fallback(post(move || {
            let c = c2.clone();
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Writes an NDJSON corpus of realistic SES records.
    Corpus(CorpusArgs),
    /// Stores generated records through the ingestor.
    Fill(FillArgs),
    /// Writes a wrk script of signed GetMessageInsights requests.
    WrkScript(WrkArgs),
    /// Signed SendEmail calls at a concurrency.
    Send(SendArgs),
    /// Signed SNS notifications posted to /ingest/sns.
    Sns(SnsArgs),
    /// A webhook receiver that counts posts.
    Receiver(ReceiverArgs),
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Corpus(a) => corpus(a),
        BenchCommand::Fill(a) => fill(a).await,
        BenchCommand::WrkScript(a) => wrk_script(a),
        BenchCommand::Send(a) => send(a).await,
        BenchCommand::Sns(a) => sns(a).await,
        BenchCommand::Receiver(a) => receiver(a).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_reference_vector() {
        // AWS's get-vanilla test: GET / on example.amazonaws.com.
        let key = Key {
            id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        };
        let now = time::macros::datetime!(2015-08-30 12:36:00 UTC);
        let (auth, date) = sign(
            &key,
            "service",
            "GET",
            "example.amazonaws.com",
            "/",
            b"",
            now,
        );
        assert_eq!(date, "20150830T123600Z");
        assert!(auth.ends_with(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ));
    }

    #[test]
    fn generated_records_parse_and_share_their_mail() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/ses-docs-examples");
        if !dir.exists() {
            return;
        }
        let mut g = Generator::new(&dir, 1, 10).unwrap();
        let mut out = Vec::new();
        for _ in 0..50 {
            out.clear();
            g.message(&mut out);
            let mails: Vec<Value> = out
                .iter()
                .map(|l| {
                    mailsight_model::EventRecord::parse(l).unwrap();
                    serde_json::from_slice::<Value>(l).unwrap()["mail"].clone()
                })
                .collect();
            assert!(mails.windows(2).all(|w| w[0] == w[1]));
        }
    }
}
