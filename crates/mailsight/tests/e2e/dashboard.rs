//! The web dashboard: plain HTTP for access, cross-origin refusal and
//! escaping; and a real, headless Chromium (driven through chromedriver)
//! reading every page after real sends, removing a suppressed address and
//! replaying a dead letter. Each page's screenshot is written to
//! `target/dashboard-screenshots/<page>.png`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_sesv2::types::{
    EventBridgeDestination, EventDestinationDefinition, EventType, SuppressionListReason,
};
use fantoccini::{Client as Browser, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use mailsight_engine::outbox::config::BusBinding;
use serde_json::{Value, json};

use crate::common::*;
use crate::receiver::Receiver;

const BUS: &str = "arn:aws:events:us-east-1:000000000000:event-bus/default";
const FIREHOSE_KEY: &str = "dashboard-firehose-key";
const HOSTILE: &str = "<script>alert(1)</script> & \"quotes\"";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(url: &str) -> (u16, String) {
    let resp = http().get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Sends `subject` (with an HTML part holding a script) to a delivered
/// and a bounced simulator address, and waits for both outcomes.
async fn send_two(c: &aws_sdk_sesv2::Client, subject: &str, set: Option<&str>) -> String {
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[
            "success@simulator.amazonses.com",
            "bounce@simulator.amazonses.com",
        ]))
        .content(simple_html(
            subject,
            "<p>Hello <b>there</b></p><script>document.title='pwned'</script>",
        ))
        .set_configuration_set_name(set.map(str::to_owned))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    insights_until(c, &id, |o| {
        o.insights().len() == 2 && o.insights().iter().all(|i| i.events().len() >= 2)
    })
    .await;
    id
}

async fn suppress(c: &aws_sdk_sesv2::Client, address: &str) {
    c.put_suppressed_destination()
        .email_address(address)
        .reason(SuppressionListReason::Bounce)
        .send()
        .await
        .unwrap();
}

async fn is_suppressed(c: &aws_sdk_sesv2::Client, address: &str) -> bool {
    c.get_suppressed_destination()
        .email_address(address)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn pages_escape_what_they_show() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_two(&c, HOSTILE, None).await;
    let url = t.server.url();

    let (status, page) = get(&format!("{url}/dashboard/messages/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\""),
        "the subject is escaped: {page}"
    );
    assert!(
        !page.contains("<script>alert(1)"),
        "no script from the subject"
    );
    assert!(
        !page.contains("<script>document.title"),
        "the HTML part is not inlined as markup"
    );
    assert!(
        page.contains("sandbox=\"\"") && page.contains("srcdoc=\""),
        "the HTML part is in a sandboxed frame"
    );
    // The only script tag is the dashboard's own.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    for (name, want) in [
        ("bounce@simulator.amazonses.com", ["SEND", "BOUNCE"]),
        ("success@simulator.amazonses.com", ["SEND", "DELIVERY"]),
    ] {
        let section = page
            .split("data-recipient=\"")
            .find(|s| s.starts_with(name))
            .unwrap_or_else(|| panic!("a section for {name}: {page}"));
        let section = section.split("</section>").next().unwrap();
        let types: Vec<&str> = section
            .split("data-type=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        assert_eq!(types, want, "{name}'s events in time order");
    }
    assert!(
        page.contains("Permanent") && page.contains("General"),
        "bounce details"
    );

    // An unknown message, a bad account, an account without the message.
    let (status, _) = get(&format!("{url}/dashboard/messages/nope")).await;
    assert_eq!(status, 404);
    let (status, _) = get(&format!("{url}/dashboard/outbox?account=12")).await;
    assert_eq!(status, 400);
    let (status, _) = get(&format!(
        "{url}/dashboard/messages/{id}?account=111122223333"
    ))
    .await;
    assert_eq!(status, 404, "another account's message is not shown");

    // Every page answers HTML with a strict policy, and / is still SES's.
    for path in [
        "/dashboard",
        "/dashboard/outbox",
        "/dashboard/suppression",
        "/dashboard/ingest",
    ] {
        let resp = http().get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let css = http()
        .get(format!("{url}/dashboard/assets/dashboard.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let root = http().get(format!("{url}/")).send().await.unwrap();
    assert_ne!(root.status(), 303, "/ is not redirected to the dashboard");

    // The lookup form sends the browser to the message.
    let resp = http()
        .get(format!("{url}/dashboard/messages?id={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"],
        format!("/dashboard/messages/{id}")
    );
}

#[tokio::test]
async fn with_keys_the_dashboard_asks_for_basic_credentials_and_shows_one_account() {
    let t = start_with(with_two_accounts).await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_two(&c, "Keyed", None).await;
    let url = t.server.url();
    let page = format!("{url}/dashboard/messages/{id}");

    for request in [
        http().get(&page),
        http().get(&page).basic_auth("AKIDEXAMPLE", Some("wrong")),
        http().get(&page).basic_auth("AKIDNOBODY", Some("secret")),
        http().get(&page).header("authorization", "Bearer secret"),
        http().get(format!("{url}/dashboard?account=111122223333")),
    ] {
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status(), 401);
        assert_eq!(
            resp.headers()["www-authenticate"],
            "Basic realm=\"mailsight\", charset=\"UTF-8\""
        );
    }
    let mine = http()
        .get(&page)
        .basic_auth("AKIDEXAMPLE", Some("secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    let body = mine.text().await.unwrap();
    assert!(
        body.contains("Keyed") && body.contains("111122223333"),
        "{body}"
    );
    let theirs = http()
        .get(&page)
        .basic_auth("AKIDOTHER", Some("other-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        theirs.status(),
        404,
        "another account's key sees no such message"
    );
    let ignored = http()
        .get(format!("{page}?account=444455556666"))
        .basic_auth("AKIDEXAMPLE", Some("secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ignored.status(),
        200,
        "the key's account wins over the parameter"
    );

    // A form post needs credentials too.
    let resp = http()
        .post(format!("{url}/dashboard/suppression/remove"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("address=a%40example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn state_changing_posts_refuse_other_origins() {
    let hook = Receiver::start().await;
    hook.answer(400);
    let hook_url = hook.url.clone();
    let t = start_with(move |c| {
        fast_retries(c);
        c.eventbridge.buses = vec![BusBinding {
            arn: BUS.into(),
            targets: vec![hook_url],
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    bus_destination(&c).await;
    suppress(&c, "held@example.com").await;
    send_with_set(&c, "success@simulator.amazonses.com", Some("cs")).await;
    let url = t.server.url();
    let host = url.trim_start_matches("http://").to_owned();
    wait_dead(&url, 1).await;

    let post = |path: &str, body: &'static str| {
        http()
            .post(format!("{url}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let remove = "/dashboard/suppression/remove";
    let replay = "/dashboard/outbox/replay";
    let replay_body = "target=destination%3Acs%2Fbus";
    for (path, body) in [
        (remove, "address=held%40example.com"),
        (replay, replay_body),
    ] {
        for (header, value) in [
            ("origin", "http://evil.test".to_owned()),
            ("origin", "null".to_owned()),
            ("origin", format!("http://{host}.evil.test")),
            ("sec-fetch-site", "cross-site".to_owned()),
            ("sec-fetch-site", "same-site".to_owned()),
        ] {
            let resp = post(path, body)
                .header(header, &value)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "{path} with {header}: {value}");
        }
    }
    assert!(
        is_suppressed(&c, "held@example.com").await,
        "nothing was removed"
    );
    assert_eq!(
        counts(&url, "destination:cs/bus").await,
        (0, 0, 1),
        "nothing replayed"
    );

    let same = post(remove, "address=held%40example.com")
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
    assert_eq!(
        same.headers()["location"],
        "/dashboard/suppression?removed=held%40example.com"
    );
    assert!(!is_suppressed(&c, "held@example.com").await);
    hook.answer(200);
    let same = post(replay, replay_body)
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(10);
    while counts(&url, "destination:cs/bus").await != (0, 1, 0) {
        assert!(
            Instant::now() < deadline,
            "the replayed letter was never delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn bus_destination(c: &aws_sdk_sesv2::Client) {
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("bus")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Send)
                .event_bridge_destination(
                    EventBridgeDestination::builder()
                        .event_bus_arn(BUS)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// Waits until the admin API lists `n` dead deliveries.
async fn wait_dead(url: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed: Value = http()
            .get(format!("{url}/_mailsight/deliveries?status=dead"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if listed["deliveries"].as_array().map_or(0, Vec::len) >= n {
            return;
        }
        assert!(Instant::now() < deadline, "never dead: {listed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// (pending, delivered, dead) of a target, read from the outbox page.
async fn counts(url: &str, target: &str) -> (u64, u64, u64) {
    let (_, page) = get(&format!("{url}/dashboard/outbox")).await;
    let row = page
        .split(&format!("data-target=\"{target}\""))
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for {target}: {page}"));
    let cell = |class: &str| -> u64 {
        row.split(&format!("class=\"num {class}\">"))
            .nth(1)
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {class} in {row}"))
    };
    (cell("pending"), cell("delivered"), cell("dead"))
}

// --- the browser ---

/// chromedriver, started on a free port and killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const INSTALL: &str = "the dashboard's browser test needs Chromium and chromedriver: \
                       on Debian, `apt-get install -y chromium chromium-driver`";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    if Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("chromedriver is not installed: {INSTALL}");
    }
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver did not start ({e}): {INSTALL}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "chromedriver never listened on {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver
}

async fn browser(driver: &Driver) -> Browser {
    let mut caps = serde_json::Map::new();
    let mut options = json!({
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,1400",
        ],
    });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        options["binary"] = json!("/usr/bin/chromium");
    }
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("no browser session ({e}): {INSTALL}"))
}

/// Where screenshots go: `<target>/dashboard-screenshots`.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(b: &Browser, page: &str) {
    let png = b.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(screenshot_dir().join(format!("{page}.png")), png).unwrap();
}

async fn texts(b: &Browser, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in b.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

async fn attrs(b: &Browser, css: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in b.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.attr(attr).await.unwrap().unwrap_or_default());
    }
    out
}

/// The notice of the page a form post redirected to (the click's post and
/// redirect may still be under way when this is called).
async fn notice_after_post(b: &Browser) -> String {
    b.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the browser's address contains `part` (a form's submit
/// returns before the navigation it starts) and returns that address.
async fn until_url(b: &Browser, part: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = b.current_url().await.unwrap().to_string();
        if url.contains(part) {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "never navigated to {part}: {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reloads `url` until `done` holds for the text of `css`.
async fn until_text(b: &Browser, url: &str, css: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        b.goto(url).await.unwrap();
        let text = texts(b, css).await.join("\n");
        if done(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{url}: {css} never matched: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn every_page_in_a_real_browser() {
    let driver = start_driver().await;
    let hook = Receiver::start().await;
    hook.answer(400);
    let hook_url = hook.url.clone();
    let t = start_with(move |c| {
        fast_retries(c);
        c.ingest.firehose.access_keys = vec![FIREHOSE_KEY.into()];
        c.eventbridge.buses = vec![BusBinding {
            arn: BUS.into(),
            targets: vec![hook_url],
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    bus_destination(&c).await;
    let id = send_two(&c, "Quarterly report", Some("cs")).await;
    for a in ["gone@example.com", "kept@example.com", "other@example.org"] {
        suppress(&c, a).await;
    }
    // Ingest: one new record (a copy of the Send under another id) and a
    // refused request.
    let url = t.server.url();
    let stored: Value = http()
        .get(format!("{url}/_mailsight/messages/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut record = stored["records"][0]["record"].clone();
    record["mail"]["messageId"] = json!("ingested-0001");
    // Without its set, so the copy is not routed to the failing destination
    // too: the outbox then holds exactly one dead letter.
    if let Some(tags) = record["mail"]["tags"].as_object_mut() {
        tags.remove("ses:configuration-set");
    }
    let resp = crate::ingest::post_firehose(&t, &[record.to_string()], FIREHOSE_KEY, false).await;
    assert_eq!(resp.status(), 200);
    let resp = crate::ingest::post_firehose(&t, &[record.to_string()], "wrong", false).await;
    assert_eq!(resp.status(), 401);
    wait_dead(&url, 1).await;

    let b = browser(&driver).await;
    let result = async {
        // The overview: the two simulated recipients' sends and the
        // ingested copy's two, one delivery, one hard bounce.
        b.goto(&format!("{url}/dashboard")).await.unwrap();
        let nav = texts(&b, "header nav a").await;
        assert_eq!(
            nav,
            [
                "Overview",
                "Reputation",
                "Search",
                "Outbox",
                "Suppression list",
                "Ingest"
            ]
        );
        let card = |m: &str| format!("div.card[data-metric={m}] p.big");
        for (metric, n) in [
            ("SEND", "4"),
            ("DELIVERY", "1"),
            ("PERMANENT_BOUNCE", "1"),
            ("COMPLAINT", "0"),
        ] {
            assert_eq!(texts(&b, &card(metric)).await, [n], "{metric}");
        }
        assert_eq!(texts(&b, &card("BOUNCE_RATE")).await, ["25.00%"]);
        assert_eq!(attrs(&b, "svg.chart", "role").await.len(), 2, "two charts");
        screenshot(&b, "overview").await;
        // Filtered to an ISP nobody was sent to: nothing.
        b.goto(&format!("{url}/dashboard?range=24h&isp=Gmail"))
            .await
            .unwrap();
        assert_eq!(texts(&b, &card("SEND")).await, ["0"]);

        // Reputation, judged from one send up: 1 hard bounce in 4 sends.
        b.goto(&format!("{url}/dashboard/reputation?min=1"))
            .await
            .unwrap();
        assert_eq!(
            texts(&b, "div.card[data-metric=STANDING] p.big").await,
            ["at risk of pause"]
        );
        let isps = attrs(
            &b,
            "table.reputation[data-dimension=ISPs] tr[data-value]",
            "data-value",
        )
        .await;
        assert_eq!(isps, ["Amazon SES Mailbox Simulator"]);
        screenshot(&b, "reputation").await;
        b.goto(&format!("{url}/dashboard/reputation"))
            .await
            .unwrap();
        assert_eq!(
            texts(&b, "div.card[data-metric=STANDING] p.big").await,
            ["too little volume"]
        );

        // Search by a recipient finds the message; another finds nothing.
        b.goto(&format!(
            "{url}/dashboard/search?recipient=bounce%40simulator.amazonses.com&subject="
        ))
        .await
        .unwrap();
        // The ingested copy (same send time, stored later) comes first.
        assert_eq!(
            attrs(&b, "table.results tr[data-message]", "data-message").await,
            ["ingested-0001".to_owned(), id.clone()]
        );
        screenshot(&b, "search").await;
        b.goto(&format!(
            "{url}/dashboard/search?recipient=nobody%40example.com"
        ))
        .await
        .unwrap();
        assert!(
            attrs(&b, "table.results tr[data-message]", "data-message")
                .await
                .is_empty()
        );

        // The message: each recipient's events in order, with details.
        b.goto(&format!("{url}/dashboard/messages/{id}"))
            .await
            .unwrap();
        assert_eq!(
            texts(&b, "dd.subject").await,
            ["Quarterly report"],
            "the header"
        );
        let bounce = "section[data-recipient='bounce@simulator.amazonses.com']";
        assert_eq!(
            attrs(&b, &format!("{bounce} tr.event"), "data-type").await,
            ["SEND", "BOUNCE"]
        );
        let details = texts(&b, &format!("{bounce} tr[data-type='BOUNCE']"))
            .await
            .join(" ");
        assert!(details.contains("Permanent"), "{details}");
        assert!(details.contains("Diagnostic code"), "{details}");
        let success = "section[data-recipient='success@simulator.amazonses.com']";
        assert_eq!(
            attrs(&b, &format!("{success} tr.event"), "data-type").await,
            ["SEND", "DELIVERY"]
        );
        let isp = texts(&b, &format!("{success} h3")).await.join(" ");
        assert!(isp.contains("ISP:"), "{isp}");
        assert_ne!(
            b.title().await.unwrap(),
            "pwned",
            "the message's script did not run"
        );
        // The HTML part renders in its frame, without running its script.
        let frame = b.find(Locator::Css("iframe.preview")).await.unwrap();
        frame.enter_frame().await.unwrap();
        let inside = b
            .find(Locator::Css("b"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(inside, "there");
        b.enter_parent_frame().await.unwrap();
        screenshot(&b, "message").await;

        // Suppression: find by prefix, remove.
        b.goto(&format!("{url}/dashboard/suppression"))
            .await
            .unwrap();
        assert_eq!(texts(&b, "td.address").await.len(), 3);
        let form = b.form(Locator::Css("form.search")).await.unwrap();
        form.set_by_name("prefix", "gone").await.unwrap();
        form.submit().await.unwrap();
        // The submit returns before the browser has navigated: wait for the
        // search's own address, then for its rows.
        let searched = until_url(&b, "prefix=gone").await;
        until_text(&b, &searched, "td.address", |t| t == "gone@example.com").await;
        b.find(Locator::Css("tr[data-address='gone@example.com'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let notice = notice_after_post(&b).await;
        assert_eq!(
            notice,
            "Removed gone@example.com from the suppression list."
        );
        assert!(!is_suppressed(&c, "gone@example.com").await);
        assert!(is_suppressed(&c, "kept@example.com").await);
        b.goto(&format!("{url}/dashboard/suppression"))
            .await
            .unwrap();
        assert_eq!(
            texts(&b, "td.address").await,
            ["kept@example.com", "other@example.org"]
        );
        screenshot(&b, "suppression").await;

        // The outbox: the dead letter, replayed, is delivered.
        b.goto(&format!("{url}/dashboard/outbox")).await.unwrap();
        let row = "tr[data-target='destination:cs/bus']";
        assert_eq!(texts(&b, &format!("{row} td.dead")).await, ["1"]);
        let errors = texts(&b, "table.dead td.error").await;
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("400"), "{errors:?}");
        assert!(
            b.find(Locator::Css("svg.chart")).await.is_ok(),
            "the dead letters' chart"
        );
        screenshot(&b, "outbox").await;
        hook.answer(200);
        b.find(Locator::Css(&format!("{row} button")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let notice = notice_after_post(&b).await;
        assert_eq!(notice, "Replayed 1 dead deliveries of destination:cs/bus.");
        until_text(
            &b,
            &format!("{url}/dashboard/outbox"),
            &format!("{row} td.num"),
            |t| t == "0\n1\n0",
        )
        .await;
        assert_eq!(
            texts(&b, "table.dead").await.len(),
            0,
            "no dead letters left"
        );
        screenshot(&b, "outbox-replayed").await;
        hook.until("the replayed Send", |g| !g.is_empty()).await;

        // Ingest: the counts.
        b.goto(&format!("{url}/dashboard/ingest")).await.unwrap();
        let firehose = "tr[data-source='Firehose']";
        assert_eq!(texts(&b, &format!("{firehose} td.stored")).await, ["1"]);
        assert_eq!(texts(&b, &format!("{firehose} td.refused")).await, ["1"]);
        let last = texts(&b, &format!("{firehose} td.last")).await.join("");
        assert_ne!(last, "never");
        assert_eq!(texts(&b, "tr[data-source='SNS'] td.last").await, ["never"]);
        screenshot(&b, "ingest").await;
    };
    // Close the session whatever happened, then report.
    let outcome = std::panic::AssertUnwindSafe(result).catch_unwind().await;
    let _ = b.close().await;
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
