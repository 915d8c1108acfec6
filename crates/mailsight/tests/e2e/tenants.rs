//! Tenants through the SDK: created, tagged, associated with resources,
//! listed both ways, seen as reputation entities, and what a send on a
//! tenant's behalf is checked against and records.

use aws_sdk_sesv2::types::{
    ListTenantsFilterKey, ReputationEntityType, SendingStatus, SuppressionListReason,
    SuppressionListScope, Tag,
};

use aws_sdk_sesv2::error::ProvideErrorMetadata;

use crate::common::*;

const ACCOUNT: &str = "000000000000";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:ses:us-east-1:{ACCOUNT}:{kind}/{name}")
}

fn code(e: impl ProvideErrorMetadata) -> String {
    e.code().unwrap_or("").to_owned()
}

#[tokio::test]
async fn tenants_hold_resources_listed_both_ways() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("shared")
        .send()
        .await
        .unwrap();
    let made = c
        .create_tenant()
        .tenant_name("acme")
        .tags(Tag::builder().key("team").value("a").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(made.tenant_name(), Some("acme"));
    assert_eq!(made.sending_status(), Some(&SendingStatus::Enabled));
    let tenant_arn = made.tenant_arn().unwrap().to_owned();
    assert!(
        tenant_arn.starts_with(&format!("{}/", arn("tenant", "acme"))),
        "{tenant_arn}"
    );
    assert!(made.tenant_id().unwrap().starts_with("tn-"));
    let again = c
        .create_tenant()
        .tenant_name("acme")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(again), "AlreadyExistsException");
    let bad = c
        .create_tenant()
        .tenant_name("no spaces")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(bad), "BadRequestException");
    c.create_tenant()
        .tenant_name("globex")
        .send()
        .await
        .unwrap();

    // Tags given at create are the tagging API's, by the tenant's ARN.
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&tenant_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    c.tag_resource()
        .resource_arn(&tenant_arn)
        .tags(Tag::builder().key("tier").value("gold").build().unwrap())
        .send()
        .await
        .unwrap();
    let got = c.get_tenant().tenant_name("acme").send().await.unwrap();
    let tenant = got.tenant().unwrap();
    assert_eq!(tenant.tags().len(), 2);
    assert_eq!(tenant.tenant_arn(), Some(tenant_arn.as_str()));

    // Associations, each kind, both directions.
    for (tenant, resource) in [
        ("acme", arn("identity", "example.com")),
        ("acme", arn("configuration-set", "shared")),
        ("globex", arn("configuration-set", "shared")),
    ] {
        c.create_tenant_resource_association()
            .tenant_name(tenant)
            .resource_arn(resource)
            .send()
            .await
            .unwrap();
    }
    let twice = c
        .create_tenant_resource_association()
        .tenant_name("acme")
        .resource_arn(arn("identity", "example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(twice), "AlreadyExistsException");
    let absent = c
        .create_tenant_resource_association()
        .tenant_name("acme")
        .resource_arn(arn("template", "nope"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(absent), "NotFoundException");
    let resources = c
        .list_tenant_resources()
        .tenant_name("acme")
        .send()
        .await
        .unwrap();
    let mut kinds: Vec<_> = resources
        .tenant_resources()
        .iter()
        .map(|r| r.resource_type().unwrap().as_str().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["CONFIGURATION_SET", "EMAIL_IDENTITY"]);
    let of_set = c
        .list_resource_tenants()
        .resource_arn(arn("configuration-set", "shared"))
        .send()
        .await
        .unwrap();
    let names: Vec<_> = of_set
        .resource_tenants()
        .iter()
        .map(|r| r.tenant_name().unwrap())
        .collect();
    assert_eq!(names, ["acme", "globex"]);

    let listed = c
        .list_tenants()
        .filter(ListTenantsFilterKey::TenantNameContains, "glob")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.tenants().len(), 1);
    assert_eq!(listed.tenants()[0].tenant_name(), Some("globex"));

    c.put_tenant_suppression_attributes()
        .tenant_name("acme")
        .suppressed_reasons(SuppressionListReason::Bounce)
        .suppression_scope(SuppressionListScope::Tenant)
        .send()
        .await
        .unwrap();
    let got = c.get_tenant().tenant_name("acme").send().await.unwrap();
    let s = got.tenant().unwrap().suppression_attributes().unwrap();
    assert_eq!(s.suppression_scope(), Some(&SuppressionListScope::Tenant));

    // Deleting a tenant deletes its associations: the set is globex's only.
    c.delete_tenant_resource_association()
        .tenant_name("acme")
        .resource_arn(arn("identity", "example.com"))
        .send()
        .await
        .unwrap();
    c.delete_tenant().tenant_name("acme").send().await.unwrap();
    let gone = c.get_tenant().tenant_name("acme").send().await.unwrap_err();
    assert_eq!(code(gone), "NotFoundException");
    let of_set = c
        .list_resource_tenants()
        .resource_arn(arn("configuration-set", "shared"))
        .send()
        .await
        .unwrap();
    assert_eq!(of_set.resource_tenants().len(), 1);

    // Deleting a resource takes its associations with it.
    c.delete_configuration_set()
        .configuration_set_name("shared")
        .send()
        .await
        .unwrap();
    let left = c
        .list_tenant_resources()
        .tenant_name("globex")
        .send()
        .await
        .unwrap();
    assert!(left.tenant_resources().is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_send_for_a_tenant_uses_its_resources_and_its_status() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let made = c.create_tenant().tenant_name("acme").send().await.unwrap();
    let tenant_arn = made.tenant_arn().unwrap().to_owned();
    let send = || {
        c.send_email()
            .from_email_address("sender@example.com")
            .destination(to(&["success@simulator.amazonses.com"]))
            .content(simple("For acme"))
            .tenant_name("acme")
    };
    // The identity is not yet the tenant's.
    let refused = send().send().await.unwrap_err();
    assert_eq!(code(refused), "BadRequestException");
    let unknown = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["success@simulator.amazonses.com"]))
        .content(simple("x"))
        .tenant_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(unknown), "NotFoundException");
    c.create_tenant_resource_association()
        .tenant_name("acme")
        .resource_arn(arn("identity", "example.com"))
        .send()
        .await
        .unwrap();
    let id = send().send().await.unwrap().message_id.unwrap();
    let insights = insights_with_events(&c, &id, 1).await;
    let tags = insights.email_tags();
    assert!(
        tags.iter()
            .any(|t| t.name() == "ses:tenant-name" && t.value() == "acme"),
        "{tags:?}"
    );

    // As a reputation entity: disabling it stops its sends.
    let entity = c
        .get_reputation_entity()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&tenant_arn)
        .send()
        .await
        .unwrap();
    let e = entity.reputation_entity().unwrap();
    assert_eq!(e.sending_status_aggregate(), Some(&SendingStatus::Enabled));
    c.update_reputation_entity_customer_managed_status()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&tenant_arn)
        .sending_status(SendingStatus::Disabled)
        .send()
        .await
        .unwrap();
    let paused = send().send().await.unwrap_err();
    assert_eq!(code(paused), "SendingPausedException");
    c.update_reputation_entity_policy()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&tenant_arn)
        .reputation_entity_policy("arn:aws:ses:us-east-1:aws:reputation-policy/strict")
        .send()
        .await
        .unwrap();
    let listed = c.list_reputation_entities().send().await.unwrap();
    let e = &listed.reputation_entities()[0];
    assert_eq!(e.reputation_entity_reference(), Some(tenant_arn.as_str()));
    assert_eq!(
        e.reputation_management_policy(),
        Some("arn:aws:ses:us-east-1:aws:reputation-policy/strict")
    );
    assert_eq!(
        e.customer_managed_status().unwrap().status(),
        Some(&SendingStatus::Disabled)
    );
    assert_eq!(e.sending_status_aggregate(), Some(&SendingStatus::Disabled));
    let got = c.get_tenant().tenant_name("acme").send().await.unwrap();
    assert_eq!(
        got.tenant().unwrap().sending_status(),
        Some(&SendingStatus::Disabled)
    );
    let missing = c
        .get_reputation_entity()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(arn("tenant", "nobody/tn-0"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(missing), "NotFoundException");
}

#[tokio::test]
async fn a_tenant_with_its_own_suppression_scope_keeps_its_own_list() {
    let t = start_with(|c| {
        c.simulator.rules = vec![hard_bounce("gone@*")];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_tenant()
        .tenant_name("acme")
        .suppression_attributes(
            aws_sdk_sesv2::types::TenantSuppressionAttributes::builder()
                .suppressed_reasons(SuppressionListReason::Bounce)
                .suppression_scope(SuppressionListScope::Tenant)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_tenant_resource_association()
        .tenant_name("acme")
        .resource_arn(arn("identity", "example.com"))
        .send()
        .await
        .unwrap();
    // On the tenant's list only.
    c.put_suppressed_destination()
        .email_address("blocked@example.com")
        .reason(SuppressionListReason::Bounce)
        .tenant_name("acme")
        .send()
        .await
        .unwrap();
    let on_tenant = c
        .get_suppressed_destination()
        .email_address("blocked@example.com")
        .tenant_name("acme")
        .send()
        .await
        .unwrap();
    assert_eq!(
        on_tenant.suppressed_destination().unwrap().tenant_name(),
        Some("acme")
    );
    let on_account = c
        .get_suppressed_destination()
        .email_address("blocked@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(on_account), "NotFoundException");
    let no_tenant = c
        .list_suppressed_destinations()
        .tenant_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(no_tenant), "NotFoundException");

    let send = |to: &'static str, tenant: Option<&'static str>| {
        c.send_email()
            .from_email_address("sender@example.com")
            .destination(crate::common::to(&[to]))
            .content(simple("x"))
            .set_tenant_name(tenant.map(str::to_owned))
            .send()
    };
    let id = send("blocked@example.com", Some("acme"))
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    let bounce = out.insights()[0].events()[1]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(bounce.bounce_sub_type(), Some("ON_TENANT_SUPPRESSION_LIST"));
    // The account's sends do not consult the tenant's list.
    let id = send("blocked@example.com", None)
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    let types: Vec<_> = out.insights()[0]
        .events()
        .iter()
        .map(|e| e.r#type().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(types, ["SEND", "DELIVERY"]);

    // A hard bounce of the tenant's mail goes on the tenant's list.
    let id = send("gone@example.com", Some("acme"))
        .await
        .unwrap()
        .message_id
        .unwrap();
    insights_with_events(&c, &id, 2).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let listed = c
            .list_suppressed_destinations()
            .tenant_name("acme")
            .send()
            .await
            .unwrap();
        let addresses: Vec<_> = listed
            .suppressed_destination_summaries()
            .iter()
            .map(|s| s.email_address())
            .collect();
        if addresses.contains(&"gone@example.com") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{addresses:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let on_account = c
        .get_suppressed_destination()
        .email_address("gone@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(on_account), "NotFoundException");

    c.delete_suppressed_destination()
        .email_address("blocked@example.com")
        .tenant_name("acme")
        .send()
        .await
        .unwrap();
    c.delete_tenant().tenant_name("acme").send().await.unwrap();
    c.create_tenant().tenant_name("acme").send().await.unwrap();
    let listed = c
        .list_suppressed_destinations()
        .tenant_name("acme")
        .send()
        .await
        .unwrap();
    assert!(listed.suppressed_destination_summaries().is_empty());
}
