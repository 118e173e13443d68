//! Runs every program in `examples/` against the sandbox (or, for routes the sandbox does
//! not serve yet, a wiremock server), through the same `run` its `main` calls.

#![allow(dead_code)] // each example's `main` is for `cargo run --example`, not for this test

#[path = "../examples/call_by_name.rs"]
mod call_by_name;
#[path = "../examples/monthly_timesheet.rs"]
mod monthly_timesheet;
#[path = "../examples/pdf_and_attachment.rs"]
mod pdf_and_attachment;
#[path = "../examples/retry_and_rate_limit.rs"]
mod retry_and_rate_limit;
#[path = "../examples/webhook_receiver.rs"]
mod webhook_receiver;

use connector_moco::{Moco, SecretString};
use connector_sandbox::{Faults, MocoSandbox, SandboxConfig};
use std::time::Duration;

fn client(sandbox: &MocoSandbox) -> Moco {
    Moco::builder()
        .base_url(sandbox.base_url())
        .api_key(SecretString::from(sandbox.api_key().to_owned()))
        .rate_limit(None)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_timesheet_sums_the_impersonated_users_month() {
    let sandbox = MocoSandbox::start(SandboxConfig::default()).await.unwrap();
    let admin = client(&sandbox);
    let ada = admin
        .users()
        .create("Ada", "Lovelace", "ada@example.com")
        .unit_id(1)
        .send()
        .await
        .unwrap();
    let ada_id = ada.id.unwrap();
    let as_ada = admin.impersonating(ada_id);
    for (date, hours) in [
        ("2024-05-02", 1.5),
        ("2024-05-20", 2.0),
        ("2024-06-01", 4.0),
    ] {
        as_ada
            .activities()
            .create(date, 1, 1)
            .hours(hours)
            .send()
            .await
            .unwrap();
    }
    // The admin's own time in May is not the user's.
    admin
        .activities()
        .create("2024-05-03", 1, 1)
        .hours(8.0)
        .send()
        .await
        .unwrap();

    let sheet = monthly_timesheet::run(&admin, ada_id, "2024-05")
        .await
        .unwrap();
    assert_eq!(sheet.len(), 1, "{sheet:?}");
    assert_eq!(sheet.get("Sandbox Project"), Some(&3.5));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_call_by_name_looks_the_project_and_task_up() {
    let sandbox = MocoSandbox::start(SandboxConfig::default()).await.unwrap();
    let moco = client(&sandbox);
    let activity = call_by_name::run(&moco, "Sandbox Project", "Development")
        .await
        .unwrap();
    assert_eq!(activity["project"]["id"], 1);
    assert_eq!(activity["task"]["id"], 1);
    assert_eq!(activity["seconds"], 1800);
    let unknown = call_by_name::run(&moco, "No Such Project", "Development").await;
    assert!(unknown.is_err(), "{unknown:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn retries_ride_out_throttling_within_the_clients_own_limit() {
    let config = SandboxConfig {
        faults: Faults {
            throttle_rate: 0.3,
            retry_after_secs: 0,
            seed: 7,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    };
    let sandbox = MocoSandbox::start(config).await.unwrap();
    let moco = retry_and_rate_limit::client(&sandbox.base_url(), sandbox.api_key()).unwrap();
    let projects = retry_and_rate_limit::run(&moco, 10).await.unwrap();
    assert_eq!(projects, 1, "the seeded project");
    let stats = sandbox.stats();
    assert!(stats.throttled > 0, "the fault was injected: {stats:?}");
    assert_eq!(
        stats.requests,
        10 + stats.throttled,
        "each 429 retried once more: {stats:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_receiver_gets_the_sandboxs_signed_delivery() {
    let sandbox = MocoSandbox::start(SandboxConfig::default()).await.unwrap();
    let moco = client(&sandbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/moco", listener.local_addr().unwrap());
    let mut events = webhook_receiver::run(&moco, listener, &url).await.unwrap();
    moco.activities()
        .create("2024-05-02", 1, 1)
        .hours(1.0)
        .send()
        .await
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .expect("a delivery within 30 s")
        .expect("the channel is open");
    assert_eq!(
        (event.target.as_str(), event.event.as_str()),
        ("Activity", "create")
    );
    assert_eq!(event.payload["hours"], 1.0);
    sandbox.shutdown().await;
}

/// The sandbox serves no invoices yet: a wiremock server stands in for MOCO here.
#[tokio::test]
async fn the_pdf_is_saved_and_the_attachment_uploaded() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let pdf = b"%PDF-1.4 invoice".to_vec();
    Mock::given(method("GET"))
        .and(path("/api/v1/invoices/42.pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(pdf.clone()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/invoices/42/attachments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 7})))
        .expect(1)
        .mount(&server)
        .await;
    let moco = Moco::builder()
        .base_url(format!("{}/api/v1", server.uri()))
        .api_key(SecretString::from("key".to_owned()))
        .rate_limit(None)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let terms = dir.path().join("terms.pdf");
    std::fs::write(&terms, b"%PDF-1.4 terms").unwrap();
    let out = dir.path().join("invoice.pdf");
    let written = pdf_and_attachment::run(&moco, 42, &out, &terms)
        .await
        .unwrap();
    assert_eq!(written, pdf.len() as u64);
    assert_eq!(std::fs::read(&out).unwrap(), pdf);
    let upload = &server.received_requests().await.unwrap()[1];
    let body = String::from_utf8_lossy(&upload.body);
    assert!(
        body.contains("terms.pdf") || body.contains("JVBERi0xLjQgdGVybXM"),
        "{body}"
    );
}
