//! Runs every program in `examples/` against the sandbox, through the same `run` its
//! `main` calls.

#![allow(dead_code)] // each example's `main` is for `cargo run --example`, not for this test

#[path = "../examples/bulk_import.rs"]
mod bulk_import;
#[path = "../examples/create_user.rs"]
mod create_user;
#[path = "../examples/stream_contacts.rs"]
mod stream_contacts;

use connector_konverte::{Error, Konverte, SecretString};
use connector_sandbox::{KonverteSandbox, SandboxConfig};

fn client(sandbox: &KonverteSandbox) -> Konverte {
    let token = || SecretString::from(sandbox.token().to_owned());
    Konverte::builder()
        .base_url(sandbox.base_url())
        .api_token(token())
        .platform_token(token())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_weak_password_is_refused_before_sending_and_a_strong_one_creates_the_user() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .unwrap();
    let konverte = client(&sandbox);
    let (user, weak) = create_user::run(&konverte, "ada@example.com")
        .await
        .unwrap();
    assert!(
        matches!(&weak, Error::Validation { field, .. } if field == "password"),
        "{weak}"
    );
    assert_eq!(
        sandbox.stats().created,
        1,
        "only the strong password was sent"
    );
    assert_eq!(user.name.as_deref(), Some("Ada King"));
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_contact_is_streamed_across_pages() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .unwrap();
    let konverte = client(&sandbox);
    for i in 0..40 {
        konverte
            .contacts()
            .create(1)
            .name(format!("Contact {i}"))
            .email(format!("c{i}@example.com"))
            .inbox_id(1)
            .send()
            .await
            .unwrap();
    }
    let before = sandbox.stats().requests;
    assert_eq!(stream_contacts::run(&konverte, 1).await.unwrap(), 40);
    assert!(
        sandbox.stats().requests - before >= 3,
        "40 contacts are 3 pages of 15"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_bulk_import_has_one_outcome_per_line_and_a_bad_line_fails_alone() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .unwrap();
    let konverte = client(&sandbox);
    let lines = "{\"name\": \"Ada\", \"email\": \"ada@example.com\", \"inbox_id\": 1}\nnot json\n{\"name\": \"Grace\", \"email\": \"grace@example.com\", \"inbox_id\": 1}\n";
    let outcomes = bulk_import::run(&konverte, 1, lines).await;
    let ok: Vec<(usize, bool)> = outcomes.iter().map(|o| (o.index, o.is_ok())).collect();
    assert_eq!(ok, [(0, true), (1, false), (2, true)]);
    assert_eq!(sandbox.stats().created, 2);
    sandbox.shutdown().await;
}
