//! MOCO taggings (moco-api/sections/tags/taggings.md): the tag names of one record, added,
//! replaced and removed by name; the record must exist, of the hand-written tier (a project)
//! or of the generic one (an invoice).

mod common;

use common::moco_call as call;
use connector_sandbox::{MocoSandbox, SandboxConfig, seed};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn tags_are_added_replaced_and_removed_by_name() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let project = format!("/taggings/Project/{}", seed::MOCO_PROJECT_ID);

    assert_eq!(
        call(&moco, Method::GET, &project, None).await,
        (200, json!([]))
    );
    let tags = |names: &[&str]| Some(json!({ "tags": names }));
    let added = call(&moco, Method::PATCH, &project, tags(&["climate", "cool"])).await;
    assert_eq!(added, (200, json!(["climate", "cool"])));
    // An existing name is ignored; the others keep their place.
    let added = call(&moco, Method::PATCH, &project, tags(&["cool", "on hold"])).await;
    assert_eq!(added, (200, json!(["climate", "cool", "on hold"])));
    let removed = call(&moco, Method::DELETE, &project, tags(&["cool", "unknown"])).await;
    assert_eq!(removed, (200, json!(["climate", "on hold"])));
    let replaced = call(&moco, Method::PUT, &project, tags(&["urgent"])).await;
    assert_eq!(replaced, (200, json!(["urgent"])));
    assert_eq!(
        call(&moco, Method::GET, &project, None).await,
        (200, json!(["urgent"]))
    );
    assert_eq!(
        call(&moco, Method::PUT, &project, tags(&[])).await,
        (200, json!([]))
    );

    // Tags of one record are not another's.
    let company = format!("/taggings/Company/{}", seed::MOCO_COMPANY_ID);
    call(&moco, Method::PATCH, &company, tags(&["vip"])).await;
    assert_eq!(
        call(&moco, Method::GET, &project, None).await,
        (200, json!([]))
    );

    // A record of the generic tier.
    let (_, invoice) = call(
        &moco,
        Method::POST,
        "/invoices",
        Some(json!({"title": "I"})),
    )
    .await;
    let invoice = format!("/taggings/Invoice/{}", invoice["id"]);
    let added = call(&moco, Method::PATCH, &invoice, tags(&["sent"])).await;
    assert_eq!(added, (200, json!(["sent"])));
}

#[tokio::test]
async fn taggings_need_a_record_and_a_list_of_names() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    for path in [
        "/taggings/Project/999",
        "/taggings/Invoice/1",
        "/taggings/Planet/1",
    ] {
        let (status, body) = call(&moco, Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["message"].is_string(), "{body}");
    }
    let project = format!("/taggings/Project/{}", seed::MOCO_PROJECT_ID);
    for bad in [json!({"tags": "cool"}), json!({"tags": [1, 2]})] {
        let (status, body) = call(&moco, Method::PATCH, &project, Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    assert_eq!(
        call(&moco, Method::GET, &project, None).await,
        (200, json!([]))
    );
}
