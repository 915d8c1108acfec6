//! Every sending event from its real cause, through the SDK: a template
//! with missing data, an EICAR attachment, an opened pixel and a clicked
//! link fetched from the stored MIME, a one-click unsubscribe, a suppressed
//! recipient, and a bulk send with one bad entry.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{
    Attachment, BulkEmailContent, BulkEmailEntry, BulkEmailStatus, EmailContent,
    EmailTemplateContent, EventDestinationDefinition, EventType, ListManagementOptions,
    ReplacementEmailContent, ReplacementTemplate, SnsDestination, SubscriptionStatus,
    SuppressionListReason, Template, Topic, TopicPreference,
};
use serde_json::Value;

use crate::common::*;

const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const GMAIL_PROXY: &str =
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
const SAFELINKS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Microsoft Office/16.0 (SafeLinks)";

fn types(
    out: &aws_sdk_sesv2::operation::get_message_insights::GetMessageInsightsOutput,
) -> Vec<String> {
    types_by_recipient(out)
        .into_iter()
        .flat_map(|(_, t)| t)
        .collect()
}

async fn admin(t: &TestServer, path: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", t.server.url()))
        .send()
        .await
        .unwrap()
}

/// The stored records of a message (via the admin endpoint).
pub(crate) async fn records(t: &TestServer, id: &str) -> Vec<Value> {
    let v: Value = admin(t, &format!("/_mailsight/messages/{id}"))
        .await
        .json()
        .await
        .unwrap();
    v["records"].as_array().cloned().unwrap_or_default()
}

pub(crate) async fn mime(t: &TestServer, id: &str, recipient: Option<&str>) -> Vec<u8> {
    let q = recipient
        .map(|r| format!("?recipient={r}"))
        .unwrap_or_default();
    let resp = admin(t, &format!("/_mailsight/messages/{id}/mime{q}")).await;
    assert_eq!(resp.status(), 200);
    resp.bytes().await.unwrap().to_vec()
}

pub(crate) fn html_of(mime: &[u8]) -> String {
    let msg = mail_parser::MessageParser::default().parse(mime).unwrap();
    msg.body_html(0).unwrap().into_owned()
}

/// Every `href`/`src` value of `html` starting with `base`.
pub(crate) fn urls(html: &str, base: &str) -> Vec<String> {
    html.match_indices(base)
        .map(|(i, _)| {
            let rest = &html[i..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

pub(crate) async fn tracked_set(c: &Client, name: &str) {
    c.create_configuration_set()
        .configuration_set_name(name)
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name(name)
        .event_destination_name("engagement")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Open)
                .matching_event_types(EventType::Click)
                .sns_destination(
                    SnsDestination::builder()
                        .topic_arn("arn:aws:sns:us-east-1:000000000000:engagement")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

fn inline(subject: &str, html: &str, data: &str) -> EmailContent {
    EmailContent::builder()
        .template(
            Template::builder()
                .template_content(
                    EmailTemplateContent::builder()
                        .subject(subject)
                        .html(html)
                        .text("text")
                        .build(),
                )
                .template_data(data)
                .build(),
        )
        .build()
}

#[tokio::test]
async fn missing_template_data_is_a_rendering_failure_and_nothing_else() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(inline(
            "Hi {{name}}",
            "<p>{{greeting}}</p>",
            r#"{"name": "Ana"}"#,
        ))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let out2 = insights_with_events(&c, &id, 1).await;
    assert_eq!(types(&out), ["RENDERING_FAILURE"]);
    assert_eq!(
        types(&out2),
        ["RENDERING_FAILURE"],
        "nothing follows a failure"
    );
    let r = records(&t, &id).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["record"]["eventType"], "Rendering Failure");
    assert_eq!(
        r[0]["record"]["failure"]["errorMessage"],
        "Attribute 'greeting' is not present in the rendering data."
    );
    assert_eq!(r[0]["record"]["failure"]["templateName"], "InlineTemplate");
    // Rendered fine: the subject comes from the data, HTML is not escaped.
    let ok = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(inline(
            "Hi {{name}}",
            "<p>{{greeting}}</p>",
            r#"{"name": "Ana", "greeting": "<b>hey</b>"}"#,
        ))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &ok, 2).await;
    assert_eq!(out.subject(), Some("Hi Ana"));
    assert_eq!(types(&out), ["SEND", "DELIVERY"]);
    assert_eq!(html_of(&mime(&t, &ok, None).await), "<p><b>hey</b></p>");
}

#[tokio::test]
async fn an_eicar_attachment_is_rejected_after_the_send() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let mut content = simple("With a virus");
    if let Some(m) = content.simple.as_mut() {
        m.attachments = Some(vec![
            Attachment::builder()
                .file_name("eicar.com")
                .raw_content(Blob::new(EICAR.as_bytes()))
                .build()
                .unwrap(),
        ]);
    }
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(content)
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let out2 = insights_with_events(&c, &id, 2).await;
    assert_eq!(types(&out), ["SEND", "REJECT"]);
    assert_eq!(
        types(&out2),
        ["SEND", "REJECT"],
        "no delivery after a reject"
    );
    let r = records(&t, &id).await;
    assert_eq!(r[1]["record"]["reject"]["reason"], "Bad content");
}

#[tokio::test]
async fn opens_and_clicks_from_the_stored_message() {
    let t = start_with(|c| c.tracking.min_human_click_seconds = 0.0).await;
    let c = t.client();
    verify_domain(&c).await;
    tracked_set(&c, "tracked").await;
    let html = r#"<html><body><p>Hello</p>
<a href="https://shop.example.com/book?id=7" ses:tags="product:book;genre:fiction;">Buy</a>
<a ses:no-track href="https://example.com/private">Private</a>
<a href="mailto:help@example.com">Mail us</a></body></html>"#;
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
    let clicks = urls(&sent, &format!("{base}/_mailsight/t/c/"));
    let pixels = urls(&sent, &format!("{base}/_mailsight/t/o/"));
    assert_eq!((clicks.len(), pixels.len()), (1, 1), "{sent}");
    assert!(
        sent.contains(r#"<a href="https://example.com/private">Private</a>"#),
        "{sent}"
    );
    assert!(
        sent.contains("mailto:help@example.com") && !sent.contains("ses:"),
        "{sent}"
    );

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let open = http
        .get(&pixels[0])
        .header("user-agent", CHROME)
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), 200);
    assert_eq!(open.headers()["content-type"], "image/gif");
    let proxied = http
        .get(&pixels[0])
        .header("user-agent", GMAIL_PROXY)
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 200);
    let click = http
        .get(&clicks[0])
        .header("user-agent", CHROME)
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 302);
    assert_eq!(
        click.headers()["location"],
        "https://shop.example.com/book?id=7"
    );
    let scanned = http
        .get(&clicks[0])
        .header("user-agent", SAFELINKS)
        .send()
        .await
        .unwrap();
    assert_eq!(scanned.status(), 302);

    let out = insights_with_events(&c, &id, 6).await;
    assert_eq!(
        types(&out),
        ["SEND", "DELIVERY", "OPEN", "OPEN", "CLICK", "CLICK"]
    );
    let r = records(&t, &id).await;
    let of = |kind: &str| -> Vec<&Value> { r.iter().filter(|x| x["eventType"] == kind).collect() };
    let opens = of("OPEN");
    assert_eq!(opens[0]["record"]["open"]["userAgent"], CHROME);
    assert_eq!(opens[0]["record"]["open"]["ipAddress"], "127.0.0.1");
    assert_eq!(opens[0]["machineActivity"], Value::Null);
    assert_eq!(opens[1]["machineActivity"], "gmail-image-proxy");
    let clicks_stored = of("CLICK");
    let click = &clicks_stored[0]["record"]["click"];
    assert_eq!(click["link"], "https://shop.example.com/book?id=7");
    assert_eq!(
        click["linkTags"],
        serde_json::json!({"product": ["book"], "genre": ["fiction"]})
    );
    assert_eq!(clicks_stored[0]["machineActivity"], Value::Null);
    assert_eq!(clicks_stored[1]["machineActivity"], "link-scanner");

    // Forged and altered tokens record nothing and never redirect.
    let token = clicks[0].rsplit('/').next().unwrap();
    let (payload, tag) = token.split_once('.').unwrap();
    let mut altered = payload.to_owned().into_bytes();
    altered[10] = if altered[10] == b'A' { b'B' } else { b'A' };
    for bad in [
        format!("{}.{tag}", String::from_utf8(altered).unwrap()),
        format!("{payload}.AAAAAAAAAAAAAAAAAAAAAA"),
        "garbage".to_owned(),
    ] {
        let r = http
            .get(format!("{base}/_mailsight/t/c/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
        assert!(r.headers().get("location").is_none());
        let r = http
            .get(format!("{base}/_mailsight/t/o/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
    assert_eq!(
        records(&t, &id).await.len(),
        r.len(),
        "forgeries recorded nothing"
    );
}

#[tokio::test]
async fn a_one_click_unsubscribe_is_a_subscription_event() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
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
    c.create_contact()
        .contact_list_name("news")
        .email_address("reader@example.com")
        .topic_preferences(
            TopicPreference::builder()
                .topic_name("weekly")
                .subscription_status(SubscriptionStatus::OptIn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let send = || {
        c.send_email()
            .from_email_address("sender@example.com")
            .destination(to(&["reader@example.com"]))
            .content(simple_html(
                "Weekly",
                "<p>News. <a href=\"{{amazonSESUnsubscribeUrl}}\">Unsubscribe</a></p>",
            ))
            .list_management_options(
                ListManagementOptions::builder()
                    .contact_list_name("news")
                    .topic_name("weekly")
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let id = send().await.unwrap().message_id.unwrap();
    insights_with_events(&c, &id, 2).await;
    let raw = mime(&t, &id, Some("reader@example.com")).await;
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let header = msg
        .header_raw("List-Unsubscribe")
        .unwrap()
        .trim()
        .to_owned();
    let url = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert_eq!(
        msg.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        html_of(&raw).contains(&format!("href=\"{url}\"")),
        "the placeholder is filled"
    );

    let http = reqwest::Client::new();
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("reader@example.com"));
    let done = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let out = insights_with_events(&c, &id, 3).await;
    assert_eq!(types(&out), ["SEND", "DELIVERY", "SUBSCRIPTION"]);
    let r = records(&t, &id).await;
    let sub =
        &r.iter().find(|x| x["eventType"] == "SUBSCRIPTION").unwrap()["record"]["subscription"];
    assert_eq!(sub["contactList"], "news");
    assert_eq!(sub["source"], "UnsubscribeHeader");
    assert_eq!(
        sub["oldTopicPreferences"]["topicSubscriptionStatus"][0]["subscriptionStatus"],
        "OptIn"
    );
    assert_eq!(
        sub["newTopicPreferences"]["topicSubscriptionStatus"][0]["subscriptionStatus"],
        "OptOut"
    );
    let contact = c
        .get_contact()
        .contact_list_name("news")
        .email_address("reader@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        contact.topic_preferences()[0].subscription_status(),
        &SubscriptionStatus::OptOut
    );
    // The next message to the topic is not delivered.
    let again = send().await.unwrap().message_id.unwrap();
    let out = insights_with_events(&c, &again, 2).await;
    assert_eq!(types(&out), ["SEND", "BOUNCE"]);
}

#[tokio::test]
async fn suppressed_recipients_bounce_and_hard_bounces_are_suppressed() {
    let t = start_with(|c| {
        c.simulator.rules = vec![hard_bounce("gone@*")];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    c.put_suppressed_destination()
        .email_address("blocked@example.com")
        .reason(SuppressionListReason::Complaint)
        .send()
        .await
        .unwrap();
    let id = send_to(&c, &["blocked@example.com"]).await;
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(types(&out), ["SEND", "BOUNCE"]);
    let bounce = out.insights()[0].events()[1]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(
        bounce.bounce_sub_type(),
        Some("ON_ACCOUNT_SUPPRESSION_LIST")
    );
    let r = records(&t, &id).await;
    assert_eq!(
        r[1]["record"]["bounce"]["bounceSubType"],
        "OnAccountSuppressionList"
    );

    // A hard bounce puts the address on the list (the account default
    // suppresses bounces and complaints).
    let hard = send_to(&c, &["gone@example.com"]).await;
    insights_with_events(&c, &hard, 2).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let entry = loop {
        match c
            .get_suppressed_destination()
            .email_address("gone@example.com")
            .send()
            .await
        {
            Ok(e) => break e,
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Err(e) => panic!("never suppressed: {e:?}"),
        }
    };
    let d = entry.suppressed_destination().unwrap();
    assert_eq!(d.reason(), &SuppressionListReason::Bounce);
    assert_eq!(d.attributes().unwrap().message_id(), Some(hard.as_str()));
    // The simulator's bounce address is never suppressed, as in SES.
    let sim = send_to(&c, &["bounce@simulator.amazonses.com"]).await;
    insights_with_events(&c, &sim, 2).await;
    assert!(
        c.get_suppressed_destination()
            .email_address("bounce@simulator.amazonses.com")
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_bulk_send_with_one_bad_entry() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_email_template()
        .template_name("welcome")
        .template_content(
            EmailTemplateContent::builder()
                .subject("Welcome {{name}}")
                .html("<p>Hi {{name}}</p>")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let entry = |who: &str, data: &str| {
        BulkEmailEntry::builder()
            .destination(to(&[who]))
            .replacement_email_content(
                ReplacementEmailContent::builder()
                    .replacement_template(
                        ReplacementTemplate::builder()
                            .replacement_template_data(data)
                            .build(),
                    )
                    .build(),
            )
            .build()
    };
    let out = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(
            BulkEmailContent::builder()
                .template(
                    Template::builder()
                        .template_name("welcome")
                        .template_data("{}")
                        .build(),
                )
                .build(),
        )
        .bulk_email_entries(entry("good@example.com", r#"{"name":"Ana"}"#))
        .bulk_email_entries(entry("bad@example.com", r#"{"other":"x"}"#))
        .send()
        .await
        .unwrap();
    let results = out.bulk_email_entry_results();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r.status() == Some(&BulkEmailStatus::Success))
    );
    let good = results[0].message_id().unwrap();
    let bad = results[1].message_id().unwrap();
    let g = insights_with_events(&c, good, 2).await;
    assert_eq!(types(&g), ["SEND", "DELIVERY"]);
    assert_eq!(g.subject(), Some("Welcome Ana"));
    let b = insights_with_events(&c, bad, 1).await;
    assert_eq!(types(&b), ["RENDERING_FAILURE"]);
    let r = records(&t, bad).await;
    assert_eq!(r[0]["record"]["failure"]["templateName"], "welcome");
    assert_eq!(
        r[0]["record"]["mail"]["tags"]["ses:operation"][0],
        "SendBulkEmail"
    );
}
