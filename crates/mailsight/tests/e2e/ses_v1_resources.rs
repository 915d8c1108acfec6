//! SES v1's templates, identities and configuration sets are SES v2's:
//! each made through one API is read, changed and deleted through the
//! other (`aws-sdk-sesv2` on one side, signed v1 query calls on the
//! other).

use aws_sdk_sesv2::types::{
    EmailTemplateContent, EventDestinationDefinition, EventType, SnsDestination,
};

use crate::common::*;
use crate::ses_v1::{ok, refused};

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:ses-events";

#[tokio::test]
async fn ses_v1_templates_share_the_ses_v2_store() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    let body = ok(
        &url,
        "CreateTemplate",
        &[
            ("Template.TemplateName", "from-v1"),
            ("Template.SubjectPart", "Hi {{name}}"),
            ("Template.HtmlPart", "<b>{{name}}</b>"),
        ],
    )
    .await;
    assert!(
        body.contains("<CreateTemplateResult></CreateTemplateResult>"),
        "{body}"
    );
    let v2 = c
        .get_email_template()
        .template_name("from-v1")
        .send()
        .await
        .unwrap();
    let content = v2.template_content().unwrap();
    assert_eq!(content.subject(), Some("Hi {{name}}"));
    assert_eq!(content.html(), Some("<b>{{name}}</b>"));
    assert_eq!(content.text(), None);

    c.create_email_template()
        .template_name("from-v2")
        .template_content(
            EmailTemplateContent::builder()
                .subject("V2 {{x}}")
                .text("text {{x}}")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let body = ok(&url, "GetTemplate", &[("TemplateName", "from-v2")]).await;
    assert_eq!(xml_text(&body, "TemplateName").as_deref(), Some("from-v2"));
    assert_eq!(xml_text(&body, "SubjectPart").as_deref(), Some("V2 {{x}}"));
    assert_eq!(xml_text(&body, "TextPart").as_deref(), Some("text {{x}}"));
    assert!(xml_text(&body, "HtmlPart").is_none());

    // Paged by MaxItems, continued with NextToken.
    let body = ok(&url, "ListTemplates", &[("MaxItems", "1")]).await;
    assert_eq!(xml_texts(&body, "Name"), ["from-v1"]);
    let token = xml_text(&body, "NextToken").unwrap();
    let body = ok(
        &url,
        "ListTemplates",
        &[("MaxItems", "1"), ("NextToken", &token)],
    )
    .await;
    assert_eq!(xml_texts(&body, "Name"), ["from-v2"]);
    assert!(xml_text(&body, "CreatedTimestamp").unwrap().ends_with('Z'));

    let body = ok(
        &url,
        "TestRenderTemplate",
        &[
            ("TemplateName", "from-v1"),
            ("TemplateData", r#"{"name":"Ada"}"#),
        ],
    )
    .await;
    let rendered = xml_text(&body, "RenderedTemplate").unwrap();
    assert!(rendered.contains("Subject: Hi Ada"), "{rendered}");
    assert!(rendered.contains("<b>Ada</b>"), "{rendered}");
    let code = refused(
        &url,
        "TestRenderTemplate",
        &[("TemplateName", "from-v1"), ("TemplateData", "{}")],
        400,
    )
    .await;
    assert_eq!(code, "MissingRenderingAttribute");
    let code = refused(
        &url,
        "TestRenderTemplate",
        &[("TemplateName", "from-v1"), ("TemplateData", "[1]")],
        400,
    )
    .await;
    assert_eq!(code, "InvalidRenderingParameter");

    ok(
        &url,
        "UpdateTemplate",
        &[
            ("Template.TemplateName", "from-v2"),
            ("Template.SubjectPart", "Changed"),
        ],
    )
    .await;
    let v2 = c
        .get_email_template()
        .template_name("from-v2")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.template_content().unwrap().subject(), Some("Changed"));

    let code = refused(
        &url,
        "CreateTemplate",
        &[
            ("Template.TemplateName", "from-v2"),
            ("Template.SubjectPart", "x"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "AlreadyExists");
    let code = refused(
        &url,
        "CreateTemplate",
        &[
            ("Template.TemplateName", "bad name"),
            ("Template.SubjectPart", "x"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "InvalidTemplate");

    // Deleted through the other API.
    c.delete_email_template()
        .template_name("from-v1")
        .send()
        .await
        .unwrap();
    let code = refused(&url, "GetTemplate", &[("TemplateName", "from-v1")], 400).await;
    assert_eq!(code, "TemplateDoesNotExist");
    ok(&url, "DeleteTemplate", &[("TemplateName", "from-v2")]).await;
    let err = c
        .get_email_template()
        .template_name("from-v2")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let code = refused(
        &url,
        "UpdateTemplate",
        &[
            ("Template.TemplateName", "from-v2"),
            ("Template.SubjectPart", "x"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "TemplateDoesNotExist");
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn ses_v1_identities_are_the_ses_v2_identities() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    ok(
        &url,
        "VerifyEmailIdentity",
        &[("EmailAddress", "one@example.net")],
    )
    .await;
    // Verifying again is fine, as in SES.
    ok(
        &url,
        "VerifyEmailAddress",
        &[("EmailAddress", "one@example.net")],
    )
    .await;
    let body = ok(&url, "VerifyDomainDkim", &[("Domain", "example.org")]).await;
    let tokens = xml_texts(&body, "member");
    assert_eq!(tokens.len(), 3, "{body}");
    c.create_email_identity()
        .email_identity("two@example.net")
        .send()
        .await
        .unwrap();

    // v2 sees v1's, with the same DKIM tokens.
    let v2 = c
        .get_email_identity()
        .email_identity("example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.dkim_attributes().unwrap().tokens(), tokens.as_slice());
    let listed = c.list_email_identities().send().await.unwrap();
    let names: Vec<_> = listed
        .email_identities()
        .iter()
        .filter_map(|i| i.identity_name())
        .collect();
    assert_eq!(names, ["example.org", "one@example.net", "two@example.net"]);

    // v1 lists v2's, by type and by page.
    let body = ok(
        &url,
        "ListIdentities",
        &[("IdentityType", "EmailAddress"), ("MaxItems", "1")],
    )
    .await;
    assert_eq!(xml_texts(&body, "member"), ["one@example.net"]);
    let token = xml_text(&body, "NextToken").unwrap();
    let body = ok(
        &url,
        "ListIdentities",
        &[
            ("IdentityType", "EmailAddress"),
            ("MaxItems", "1"),
            ("NextToken", &token),
        ],
    )
    .await;
    assert_eq!(xml_texts(&body, "member"), ["two@example.net"]);
    let body = ok(&url, "ListIdentities", &[("IdentityType", "Domain")]).await;
    assert_eq!(xml_texts(&body, "member"), ["example.org"]);
    let body = ok(&url, "ListVerifiedEmailAddresses", &[]).await;
    assert_eq!(
        xml_texts(&body, "member"),
        ["one@example.net", "two@example.net"]
    );
    let code = refused(&url, "ListIdentities", &[("IdentityType", "Other")], 400).await;
    assert_eq!(code, "ValidationError");

    let body = ok(
        &url,
        "GetIdentityVerificationAttributes",
        &[
            ("Identities.member.1", "example.org"),
            ("Identities.member.2", "two@example.net"),
            ("Identities.member.3", "unknown@example.net"),
        ],
    )
    .await;
    assert_eq!(xml_texts(&body, "key"), ["example.org", "two@example.net"]);
    assert_eq!(
        xml_texts(&body, "VerificationStatus"),
        ["Success", "Success"]
    );
    let token = ok(&url, "VerifyDomainIdentity", &[("Domain", "example.org")]).await;
    assert_eq!(
        xml_text(&body, "VerificationToken"),
        xml_text(&token, "VerificationToken")
    );
    let body = ok(
        &url,
        "GetIdentityDkimAttributes",
        &[
            ("Identities.member.1", "example.org"),
            ("Identities.member.2", "one@example.net"),
        ],
    )
    .await;
    assert_eq!(xml_texts(&body, "DkimEnabled"), ["true", "false"]);
    assert_eq!(
        xml_texts(&body, "DkimVerificationStatus"),
        ["Success", "NotStarted"]
    );

    // A MAIL FROM domain set through v1 shows in v2.
    ok(
        &url,
        "SetIdentityMailFromDomain",
        &[
            ("Identity", "example.org"),
            ("MailFromDomain", "bounce.example.org"),
            ("BehaviorOnMXFailure", "RejectMessage"),
        ],
    )
    .await;
    let body = ok(
        &url,
        "GetIdentityMailFromDomainAttributes",
        &[("Identities.member.1", "example.org")],
    )
    .await;
    assert_eq!(
        xml_text(&body, "MailFromDomain").as_deref(),
        Some("bounce.example.org")
    );
    assert_eq!(
        xml_text(&body, "BehaviorOnMXFailure").as_deref(),
        Some("RejectMessage")
    );
    let v2 = c
        .get_email_identity()
        .email_identity("example.org")
        .send()
        .await
        .unwrap();
    let mail_from = v2.mail_from_attributes().unwrap();
    assert_eq!(mail_from.mail_from_domain(), "bounce.example.org");
    assert_eq!(
        mail_from.behavior_on_mx_failure().as_str(),
        "REJECT_MESSAGE"
    );
    let code = refused(
        &url,
        "SetIdentityMailFromDomain",
        &[
            ("Identity", "example.org"),
            ("MailFromDomain", "elsewhere.test"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "InvalidParameterValue");

    // Deleted through the other API; deleting again is fine in v1.
    ok(&url, "DeleteIdentity", &[("Identity", "two@example.net")]).await;
    let err = c
        .get_email_identity()
        .email_identity("two@example.net")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    ok(&url, "DeleteIdentity", &[("Identity", "two@example.net")]).await;
    c.delete_email_identity()
        .email_identity("one@example.net")
        .send()
        .await
        .unwrap();
    ok(
        &url,
        "DeleteVerifiedEmailAddress",
        &[("EmailAddress", "one@example.net")],
    )
    .await;
    let body = ok(&url, "ListIdentities", &[]).await;
    assert_eq!(xml_texts(&body, "member"), ["example.org"]);
    let code = refused(
        &url,
        "VerifyDomainIdentity",
        &[("Domain", "a@example.org")],
        400,
    )
    .await;
    assert_eq!(code, "InvalidParameterValue");
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn ses_v1_configuration_sets_are_the_ses_v2_sets() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    ok(
        &url,
        "CreateConfigurationSet",
        &[("ConfigurationSet.Name", "v1-set")],
    )
    .await;
    let code = refused(
        &url,
        "CreateConfigurationSet",
        &[("ConfigurationSet.Name", "v1-set")],
        400,
    )
    .await;
    assert_eq!(code, "ConfigurationSetAlreadyExists");
    c.get_configuration_set()
        .configuration_set_name("v1-set")
        .send()
        .await
        .unwrap();

    let dest = |action: &'static str, name: &'static str| {
        let url = url.clone();
        async move {
            ok(
                &url,
                action,
                &[
                    ("ConfigurationSetName", "v1-set"),
                    ("EventDestination.Name", name),
                    ("EventDestination.Enabled", "true"),
                    ("EventDestination.MatchingEventTypes.member.1", "send"),
                    (
                        "EventDestination.MatchingEventTypes.member.2",
                        "renderingFailure",
                    ),
                    ("EventDestination.SNSDestination.TopicARN", TOPIC),
                ],
            )
            .await
        }
    };
    dest("CreateConfigurationSetEventDestination", "to-sns").await;
    ok(
        &url,
        "CreateConfigurationSetEventDestination",
        &[
            ("ConfigurationSetName", "v1-set"),
            ("EventDestination.Name", "to-cw"),
            ("EventDestination.MatchingEventTypes.member.1", "bounce"),
            (
                "EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DimensionName",
                "campaign",
            ),
            (
                "EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DimensionValueSource",
                "messageTag",
            ),
            (
                "EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DefaultDimensionValue",
                "none",
            ),
        ],
    )
    .await;
    let got = c
        .get_configuration_set_event_destinations()
        .configuration_set_name("v1-set")
        .send()
        .await
        .unwrap();
    let by_name = |n: &str| {
        got.event_destinations()
            .iter()
            .find(|d| d.name() == n)
            .unwrap()
            .clone()
    };
    let sns = by_name("to-sns");
    assert!(sns.enabled());
    assert_eq!(
        sns.matching_event_types(),
        [EventType::Send, EventType::RenderingFailure]
    );
    assert_eq!(sns.sns_destination().unwrap().topic_arn(), TOPIC);
    let cw = by_name("to-cw");
    assert!(!cw.enabled());
    let dim = &cw
        .cloud_watch_destination()
        .unwrap()
        .dimension_configurations()[0];
    assert_eq!(dim.dimension_value_source().as_str(), "MESSAGE_TAG");
    let code = refused(
        &url,
        "CreateConfigurationSetEventDestination",
        &[
            ("ConfigurationSetName", "v1-set"),
            ("EventDestination.Name", "to-sns"),
            ("EventDestination.MatchingEventTypes.member.1", "send"),
            ("EventDestination.SNSDestination.TopicARN", TOPIC),
        ],
        400,
    )
    .await;
    assert_eq!(code, "EventDestinationAlreadyExists");
    let code = refused(
        &url,
        "CreateConfigurationSetEventDestination",
        &[
            ("ConfigurationSetName", "v1-set"),
            ("EventDestination.Name", "bad-sns"),
            ("EventDestination.MatchingEventTypes.member.1", "send"),
            ("EventDestination.SNSDestination.TopicARN", "not-an-arn"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "InvalidSNSDestination");
    dest("UpdateConfigurationSetEventDestination", "to-sns").await;
    ok(
        &url,
        "DeleteConfigurationSetEventDestination",
        &[
            ("ConfigurationSetName", "v1-set"),
            ("EventDestinationName", "to-cw"),
        ],
    )
    .await;
    let code = refused(
        &url,
        "DeleteConfigurationSetEventDestination",
        &[
            ("ConfigurationSetName", "v1-set"),
            ("EventDestinationName", "to-cw"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "EventDestinationDoesNotExist");

    // Options set through v1 are v2's members.
    let set = [("ConfigurationSetName", "v1-set")];
    ok(
        &url,
        "CreateConfigurationSetTrackingOptions",
        &[
            set[0],
            ("TrackingOptions.CustomRedirectDomain", "track.example.com"),
        ],
    )
    .await;
    let code = refused(&url, "CreateConfigurationSetTrackingOptions", &set, 400).await;
    assert_eq!(code, "TrackingOptionsAlreadyExistsException");
    ok(
        &url,
        "UpdateConfigurationSetReputationMetricsEnabled",
        &[set[0], ("Enabled", "true")],
    )
    .await;
    ok(
        &url,
        "UpdateConfigurationSetSendingEnabled",
        &[set[0], ("Enabled", "false")],
    )
    .await;
    ok(
        &url,
        "PutConfigurationSetDeliveryOptions",
        &[set[0], ("DeliveryOptions.TlsPolicy", "Require")],
    )
    .await;
    let v2 = c
        .get_configuration_set()
        .configuration_set_name("v1-set")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v2.tracking_options().unwrap().custom_redirect_domain(),
        "track.example.com"
    );
    assert!(
        v2.reputation_options()
            .unwrap()
            .reputation_metrics_enabled()
    );
    assert!(!v2.sending_options().unwrap().sending_enabled());
    assert_eq!(
        v2.delivery_options()
            .unwrap()
            .tls_policy()
            .unwrap()
            .as_str(),
        "REQUIRE"
    );
    let body = ok(
        &url,
        "DescribeConfigurationSet",
        &[
            set[0],
            (
                "ConfigurationSetAttributeNames.member.1",
                "eventDestinations",
            ),
            ("ConfigurationSetAttributeNames.member.2", "trackingOptions"),
            ("ConfigurationSetAttributeNames.member.3", "deliveryOptions"),
            (
                "ConfigurationSetAttributeNames.member.4",
                "reputationOptions",
            ),
        ],
    )
    .await;
    assert!(
        body.contains("<ConfigurationSet><Name>v1-set</Name></ConfigurationSet>"),
        "{body}"
    );
    assert!(
        body.contains("<MatchingEventTypes><member>send</member><member>renderingFailure</member></MatchingEventTypes>"),
        "{body}"
    );
    assert_eq!(xml_text(&body, "TopicARN").as_deref(), Some(TOPIC));
    assert_eq!(
        xml_text(&body, "CustomRedirectDomain").as_deref(),
        Some("track.example.com")
    );
    assert_eq!(xml_text(&body, "TlsPolicy").as_deref(), Some("Require"));
    assert_eq!(xml_text(&body, "SendingEnabled").as_deref(), Some("false"));
    assert_eq!(
        xml_text(&body, "ReputationMetricsEnabled").as_deref(),
        Some("true")
    );
    ok(&url, "DeleteConfigurationSetTrackingOptions", &set).await;
    let code = refused(&url, "UpdateConfigurationSetTrackingOptions", &set, 400).await;
    assert_eq!(code, "TrackingOptionsDoesNotExistException");

    // A v2 set with a v2 destination, described and deleted through v1.
    c.create_configuration_set()
        .configuration_set_name("v2-set")
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name("v2-set")
        .event_destination_name("v2-sns")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::DeliveryDelay)
                .matching_event_types(EventType::Bounce)
                .sns_destination(SnsDestination::builder().topic_arn(TOPIC).build().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let body = ok(
        &url,
        "DescribeConfigurationSet",
        &[
            ("ConfigurationSetName", "v2-set"),
            (
                "ConfigurationSetAttributeNames.member.1",
                "eventDestinations",
            ),
        ],
    )
    .await;
    assert_eq!(xml_text(&body, "Name").as_deref(), Some("v2-set"));
    assert!(
        body.contains("<member>deliveryDelay</member><member>bounce</member>"),
        "{body}"
    );
    assert!(!body.contains("<TrackingOptions>"), "{body}");
    let body = ok(&url, "ListConfigurationSets", &[("MaxItems", "1")]).await;
    assert_eq!(xml_texts(&body, "Name"), ["v1-set"]);
    let token = xml_text(&body, "NextToken").unwrap();
    let body = ok(&url, "ListConfigurationSets", &[("NextToken", &token)]).await;
    assert_eq!(xml_texts(&body, "Name"), ["v2-set"]);
    ok(
        &url,
        "DeleteConfigurationSet",
        &[("ConfigurationSetName", "v2-set")],
    )
    .await;
    let err = c
        .get_configuration_set()
        .configuration_set_name("v2-set")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    c.delete_configuration_set()
        .configuration_set_name("v1-set")
        .send()
        .await
        .unwrap();
    for action in ["DescribeConfigurationSet", "DeleteConfigurationSet"] {
        let code = refused(&url, action, &[("ConfigurationSetName", "v1-set")], 400).await;
        assert_eq!(code, "ConfigurationSetDoesNotExist", "{action}");
    }
    t.server.stop().await.unwrap();
}
