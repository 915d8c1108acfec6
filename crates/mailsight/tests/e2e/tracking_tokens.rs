//! Hostile use of tracking links: a token is good only at the endpoint of
//! its own kind, and links are followed as a browser reads them (HTML
//! character references decoded).

use serde_json::Value;

use crate::common::*;
use crate::lifecycle::{html_of, mime, records, tracked_set, urls};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

#[tokio::test]
async fn tokens_only_work_at_their_own_endpoint_and_links_are_decoded() {
    let t = start_with(|c| c.tracking.min_human_click_seconds = 0.0).await;
    let c = t.client();
    verify_domain(&c).await;
    tracked_set(&c, "tracked").await;
    let html = r#"<html><body><a href="https://shop.example.com/p?a=1&amp;b=2&#38;c=3">Buy</a></body></html>"#;
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(simple_html("Tracked", html))
        .configuration_set_name("tracked")
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    insights_with_events(&c, &id, 2).await;
    let sent = html_of(&mime(&t, &id, None).await);
    let base = t.server.url();
    let open_path = format!("{base}/_mailsight/t/o/");
    let click_path = format!("{base}/_mailsight/t/c/");
    let clicks = urls(&sent, &click_path);
    let pixels = urls(&sent, &open_path);
    assert_eq!((clicks.len(), pixels.len()), (1, 1), "{sent}");
    let click_token = clicks[0].strip_prefix(&click_path).unwrap();
    let open_token = pixels[0].strip_prefix(&open_path).unwrap();
    let before = records(&t, &id).await.len();

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |url: String| {
        let http = http.clone();
        async move {
            http.get(url)
                .header("user-agent", CHROME)
                .send()
                .await
                .unwrap()
        }
    };
    // Each token at the other endpoint: 404, no redirect, nothing recorded.
    let r = get(format!("{click_path}{open_token}")).await;
    assert_eq!(r.status(), 404);
    assert!(r.headers().get("location").is_none());
    let r = get(format!("{open_path}{click_token}")).await;
    assert_eq!(r.status(), 404);
    assert_ne!(
        r.headers().get("content-type").map(|v| v.as_bytes()),
        Some(b"image/gif".as_slice())
    );
    let r = get(format!("{base}/_mailsight/unsubscribe/{click_token}")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        records(&t, &id).await.len(),
        before,
        "a token at the wrong endpoint records nothing"
    );

    // At its own endpoint, the click redirects to the decoded link.
    let r = get(clicks[0].clone()).await;
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()["location"],
        "https://shop.example.com/p?a=1&b=2&c=3"
    );
    assert_eq!(get(pixels[0].clone()).await.status(), 200);
    insights_with_events(&c, &id, 4).await;
    let all = records(&t, &id).await;
    let of =
        |kind: &str| -> Vec<&Value> { all.iter().filter(|x| x["eventType"] == kind).collect() };
    assert_eq!((of("OPEN").len(), of("CLICK").len()), (1, 1));
    assert_eq!(
        of("CLICK")[0]["record"]["click"]["link"],
        "https://shop.example.com/p?a=1&b=2&c=3"
    );
}
