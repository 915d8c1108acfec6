//! Dedicated IP pools and the configured dedicated IPs through the SDK.

use aws_sdk_sesv2::types::{ScalingMode, Tag, WarmupStatus};

use crate::common::*;

fn code<E: aws_sdk_sesv2::error::ProvideErrorMetadata>(e: E) -> String {
    e.code().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn pools_ips_warmup_and_tags() {
    let t = start_with(|c| {
        c.sending.dedicated_ips = vec!["198.51.100.2".into(), "198.51.100.1".into()];
    })
    .await;
    let c = t.client();
    c.create_dedicated_ip_pool()
        .pool_name("transactional")
        .tags(Tag::builder().key("team").value("mail").build().unwrap())
        .send()
        .await
        .unwrap();
    c.create_dedicated_ip_pool()
        .pool_name("auto")
        .scaling_mode(ScalingMode::Managed)
        .send()
        .await
        .unwrap();
    let again = c.create_dedicated_ip_pool().pool_name("auto").send().await;
    assert_eq!(
        code(again.unwrap_err().into_service_error()),
        "AlreadyExistsException"
    );
    let pools = c.list_dedicated_ip_pools().send().await.unwrap();
    assert_eq!(pools.dedicated_ip_pools(), ["auto", "transactional"]);
    let got = c
        .get_dedicated_ip_pool()
        .pool_name("auto")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.dedicated_ip_pool().unwrap().scaling_mode(),
        &ScalingMode::Managed
    );
    let arn = "arn:aws:ses:us-east-1:000000000000:dedicated-ip-pool/transactional";
    let tags = c
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);

    // The configured IPs, in address order, warmed up and in no pool.
    let ips = c.get_dedicated_ips().send().await.unwrap();
    let listed: Vec<_> = ips.dedicated_ips().iter().map(|i| i.ip()).collect();
    assert_eq!(listed, ["198.51.100.1", "198.51.100.2"]);
    assert!(
        ips.dedicated_ips()
            .iter()
            .all(|i| i.pool_name().is_none() && i.warmup_status() == &WarmupStatus::Done)
    );
    c.put_dedicated_ip_in_pool()
        .ip("198.51.100.2")
        .destination_pool_name("transactional")
        .send()
        .await
        .unwrap();
    let managed = c
        .put_dedicated_ip_in_pool()
        .ip("198.51.100.1")
        .destination_pool_name("auto")
        .send()
        .await;
    assert_eq!(
        code(managed.unwrap_err().into_service_error()),
        "BadRequestException"
    );
    c.put_dedicated_ip_warmup_attributes()
        .ip("198.51.100.2")
        .warmup_percentage(40)
        .send()
        .await
        .unwrap();
    let in_pool = c
        .get_dedicated_ips()
        .pool_name("transactional")
        .send()
        .await
        .unwrap();
    let ip = &in_pool.dedicated_ips()[0];
    assert_eq!(
        (
            in_pool.dedicated_ips().len(),
            ip.ip(),
            ip.warmup_percentage(),
            ip.warmup_status()
        ),
        (1, "198.51.100.2", 40, &WarmupStatus::InProgress)
    );
    let unknown = c.get_dedicated_ip().ip("203.0.113.9").send().await;
    assert_eq!(
        code(unknown.unwrap_err().into_service_error()),
        "NotFoundException"
    );
    let back = c
        .put_dedicated_ip_pool_scaling_attributes()
        .pool_name("auto")
        .scaling_mode(ScalingMode::Standard)
        .send()
        .await;
    assert_eq!(
        code(back.unwrap_err().into_service_error()),
        "BadRequestException"
    );

    // Deleting the pool leaves its IP in none.
    c.delete_dedicated_ip_pool()
        .pool_name("transactional")
        .send()
        .await
        .unwrap();
    let ip = c
        .get_dedicated_ip()
        .ip("198.51.100.2")
        .send()
        .await
        .unwrap();
    assert_eq!(ip.dedicated_ip().unwrap().pool_name(), None);
    let gone = c
        .get_dedicated_ip_pool()
        .pool_name("transactional")
        .send()
        .await;
    assert_eq!(
        code(gone.unwrap_err().into_service_error()),
        "NotFoundException"
    );

    assert!(
        !c.get_account()
            .send()
            .await
            .unwrap()
            .dedicated_ip_auto_warmup_enabled()
    );
    c.put_account_dedicated_ip_warmup_attributes()
        .auto_warmup_enabled(true)
        .send()
        .await
        .unwrap();
    assert!(
        c.get_account()
            .send()
            .await
            .unwrap()
            .dedicated_ip_auto_warmup_enabled()
    );
}
