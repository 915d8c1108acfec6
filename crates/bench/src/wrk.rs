//! `mailsight-bench wrk-script`: a `wrk` Lua script of signed requests:
//! `GetMessageInsights` over a list of ids (the insights phases),
//! `BatchGetMetricData` with ten 30-day queries, `GetAccount` (the metrics
//! phase), message search by recipient over a list of addresses, or the
//! dashboard's overview page for January 2026 (with Basic credentials), or
//! `SendEmail` from `sender@bench.example` to a simulator address (the
//! identity must exist: `mailsight-bench send` creates it).

use std::path::PathBuf;

use crate::sigv4::{Key, sign};

#[derive(clap::Args)]
pub struct WrkArgs {
    /// What to request.
    #[arg(long, value_enum, default_value = "insights")]
    request: Request,
    /// Message ids, one per line (from `corpus --ids` / `fill --ids`), for
    /// `insights`; recipient addresses, one per line, for `search`.
    #[arg(long)]
    ids: Vec<PathBuf>,
    /// host:port the requests are signed for.
    #[arg(long)]
    host: String,
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    key: Key,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Request {
    Insights,
    Metrics,
    Account,
    Search,
    Overview,
    Send,
}

/// How many distinct signed `SendEmail` requests a `send` script cycles
/// through (each with its own subject, as real traffic would have).
const SEND_REQUESTS: usize = 1_000;

/// The `SendEmail` body of the `n`th request of a `send` script: the same
/// message `mailsight-bench send` sends.
fn send_body(n: usize) -> String {
    serde_json::json!({
        "FromEmailAddress": "sender@bench.example",
        "Destination": {"ToAddresses": ["success@simulator.amazonses.com"]},
        "Content": {"Simple": {
            "Subject": {"Data": format!("Benchmark {n}")},
            "Body": {"Text": {"Data": "Hello from the benchmark."}}
        }}
    })
    .to_string()
}

/// The overview page the `overview` request loads: 30 days of charts,
/// ending where the generator's month ends.
const OVERVIEW_PATH: &str = "/dashboard?range=30d&until=2026-01-31";

/// `value` encoded for a canonical query string.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The lines of the given files.
fn lines(files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in files {
        out.extend(
            std::fs::read_to_string(f)?
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    Ok(out)
}

/// Ten `BatchGetMetricData` queries over January 2026 (30 days), where the
/// generator's records start: each VDM metric a dashboard shows, cut by the
/// dimensions the generated records carry.
fn metrics_body() -> String {
    let start = 1_767_225_600; // 2026-01-01
    let end = start + 30 * 86_400;
    let queries: Vec<serde_json::Value> = [
        ("SEND", "EMAIL_IDENTITY", "example.com"),
        ("DELIVERY", "EMAIL_IDENTITY", "example.com"),
        ("PERMANENT_BOUNCE", "ISP", "Gmail"),
        ("TRANSIENT_BOUNCE", "ISP", "Gmail"),
        ("COMPLAINT", "ISP", "Yahoo"),
        ("OPEN", "CONFIGURATION_SET", "ConfigSet"),
        ("CLICK", "CONFIGURATION_SET", "ConfigSet"),
        ("DELIVERY_OPEN", "CONFIGURATION_SET", "ConfigSet"),
        ("DELIVERY_CLICK", "ISP", "Outlook"),
        ("DELIVERY_COMPLAINT", "ISP", "Yahoo"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (metric, dimension, value))| {
        serde_json::json!({
            "Id": format!("q{i}"), "Namespace": "VDM", "Metric": metric,
            "Dimensions": {*dimension: value}, "StartDate": start, "EndDate": end,
        })
    })
    .collect();
    serde_json::json!({ "Queries": queries }).to_string()
}

/// Counts answers other than 200 and prints the first two.
const RESPONSE: &str = "local bad = 0\n\
     function response(status, headers, body) if status ~= 200 then bad = bad + 1; \
     if bad < 3 then print(status, body) end end end\n";

/// A wrk script cycling through signed requests (each signature valid for
/// the 15 minutes SigV4 allows).
pub fn wrk_script(args: WrkArgs) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    if matches!(args.request, Request::Overview) {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            args.key.id(),
            args.key.secret()
        ));
        let lua = format!(
            "wrk.method = \"GET\"\nwrk.path = \"{OVERVIEW_PATH}\"\n\
             wrk.headers[\"Authorization\"] = \"Basic {basic}\"\n{RESPONSE}"
        );
        std::fs::write(&args.out, lua)?;
        return Ok(());
    }
    if !matches!(
        args.request,
        Request::Insights | Request::Search | Request::Send
    ) {
        let (method, path, body) = match args.request {
            Request::Metrics => ("POST", "/v2/email/metrics/batch", metrics_body()),
            _ => ("GET", "/v2/email/account", String::new()),
        };
        let (auth, date) = sign(
            &args.key,
            "ses",
            method,
            &args.host,
            path,
            body.as_bytes(),
            now,
        );
        let lua = format!(
            "wrk.method = \"{method}\"\nwrk.path = \"{path}\"\nwrk.body = {body:?}\n\
             wrk.headers[\"Host\"] = \"{host}\"\nwrk.headers[\"Authorization\"] = \"{auth}\"\n\
             wrk.headers[\"X-Amz-Date\"] = \"{date}\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n{RESPONSE}",
            host = args.host
        );
        std::fs::write(&args.out, lua)?;
        return Ok(());
    }
    // One request per item: a message id, a recipient or a SendEmail body.
    let items = match args.request {
        Request::Send => (0..SEND_REQUESTS).map(send_body).collect(),
        _ => lines(&args.ids)?,
    };
    anyhow::ensure!(!items.is_empty(), "no message ids or recipients");
    // Lua allows 65,536 constants per function: one function per 5,000 requests.
    let mut lua = String::from(
        "local reqs = {}\nlocal function add(t) for _, r in ipairs(t) do reqs[#reqs + 1] = r end end\n",
    );
    for (n, id) in items.iter().enumerate() {
        if n % 5_000 == 0 {
            if n > 0 {
                lua.push_str("}) end)()\n");
            }
            lua.push_str(";(function() add({\n");
        }
        let (method, path, body) = match args.request {
            Request::Search => (
                "GET",
                format!("/_mailsight/messages?limit=20&recipient={}", encode(id)),
                "",
            ),
            Request::Send => ("POST", "/v2/email/outbound-emails".to_owned(), id.as_str()),
            _ => ("GET", format!("/v2/email/insights/{id}/"), ""),
        };
        let (auth, date) = sign(
            &args.key,
            "ses",
            method,
            &args.host,
            &path,
            body.as_bytes(),
            now,
        );
        let (content_type, body) = if body.is_empty() {
            ("", "nil".to_owned())
        } else {
            (
                ", [\"Content-Type\"]=\"application/json\"",
                format!("{body:?}"),
            )
        };
        lua.push_str(&format!(
            "wrk.format(\"{method}\", \"{path}\", {{[\"Host\"]=\"{}\", [\"Authorization\"]=\"{auth}\", [\"X-Amz-Date\"]=\"{date}\"{content_type}}}, {body}),\n",
            args.host
        ));
    }
    lua.push_str(
        "}) end)()\nlocal i = 0\n\
         function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#reqs) end\n\
         function request() i = i % #reqs + 1; return reqs[i] end\n",
    );
    lua.push_str(RESPONSE);
    std::fs::write(&args.out, lua)?;
    Ok(())
}
