//! Multi-region endpoints through the SDK: stored, ready at once, routed
//! between mailsight's region and the one named.

use aws_sdk_sesv2::types::{Details, RouteDetails, Status};

use crate::common::*;

#[tokio::test]
async fn endpoints_are_created_listed_and_deleted() {
    let t = start().await;
    let c = t.client();
    let details = |region: &str| {
        Details::builder()
            .routes_details(RouteDetails::builder().region(region).build().unwrap())
            .build()
            .unwrap()
    };
    let made = c
        .create_multi_region_endpoint()
        .endpoint_name("global")
        .details(details("eu-west-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), Some(&Status::Ready));
    let again = c
        .create_multi_region_endpoint()
        .endpoint_name("global")
        .details(details("eu-west-1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        again.into_service_error().meta().code(),
        Some("AlreadyExistsException")
    );
    let same = c
        .create_multi_region_endpoint()
        .endpoint_name("loop")
        .details(details("us-east-1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        same.into_service_error().meta().code(),
        Some("BadRequestException")
    );
    let got = c
        .get_multi_region_endpoint()
        .endpoint_name("global")
        .send()
        .await
        .unwrap();
    let regions: Vec<_> = got.routes().iter().map(|r| r.region()).collect();
    assert_eq!(regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(got.endpoint_id(), made.endpoint_id());
    let listed = c.list_multi_region_endpoints().send().await.unwrap();
    assert_eq!(listed.multi_region_endpoints().len(), 1);
    assert_eq!(
        listed.multi_region_endpoints()[0].regions(),
        ["us-east-1", "eu-west-1"]
    );
    let deleted = c
        .delete_multi_region_endpoint()
        .endpoint_name("global")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), Some(&Status::Deleting));
    let gone = c
        .get_multi_region_endpoint()
        .endpoint_name("global")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        gone.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}
