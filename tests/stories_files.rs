//! Files both ways through the sandbox, end to end: a document uploaded as multipart is stored
//! by the sandbox and served back from the URL its record names, byte for byte, through the
//! `connector` binary and through the library.

#[path = "support/mod.rs"]
mod support;

use connector_core::{Attachment, Connector};
use connector_moco::{Moco, SecretString};
use connector_sandbox::{MocoSandbox, SandboxConfig};
use support::*;

/// Bytes no generated answer could produce by chance: a PDF header, then a pattern with every
/// byte value (so a text re-encoding anywhere on the way would show).
fn document(seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n% stored and served back\n".to_vec();
    bytes.extend(
        (0..=255u8)
            .cycle()
            .take(70_000)
            .map(|b| b.wrapping_add(seed)),
    );
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

async fn purchase(cli: &Cli) -> String {
    let created = cli
        .run(&[
            "moco",
            "purchases",
            "create",
            "--date",
            "2026-11-30",
            "--currency",
            "EUR",
            "--payment_method",
            "bank_transfer",
            "--title",
            "Printer paper",
            "--items",
            r#"[{"title": "Paper", "total": 30, "tax": 8.1, "tax_included": true}]"#,
        ])
        .await;
    created.expect_code(0).json()["id"]
        .as_u64()
        .expect("a purchase id")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_document_uploaded_by_the_cli_is_downloaded_back_unchanged() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    let id = purchase(&cli).await;
    let sent = document(7);
    let path = cli.write_file("receipt.pdf", &sent);
    let file_arg = format!("@{}", path.display());
    cli.run(&[
        "moco",
        "purchases",
        "store_document",
        "--id",
        &id,
        "--file",
        &file_arg,
    ])
    .await
    .expect_code(0);

    let record = cli.run(&["moco", "purchases", "get", &id]).await;
    let record = record.expect_code(0).json();
    let url = record["file_url"]
        .as_str()
        .expect("the purchase names its file");
    assert!(
        url.starts_with(sandbox.base_url().trim_end_matches("/api/v1")),
        "served by the sandbox itself: {url}"
    );

    let out = cli.home().join("got.pdf");
    let out_arg = out.display().to_string();
    cli.run(&["moco", "download", url, "--out", &out_arg])
        .await
        .expect_code(0);
    let got = std::fs::read(&out).expect("the download was written");
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "the bytes came back unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_uploaded_by_the_library_comes_back_with_its_name_and_type() {
    let sandbox = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts");
    let client = Moco::builder()
        .base_url(sandbox.base_url())
        .api_key(SecretString::from(sandbox.api_key().to_owned()))
        .rate_limit(None)
        .build()
        .expect("a client");
    let created = client
        .purchases()
        .create("2026-11-30", "EUR", "bank_transfer")
        .title("Studio rent")
        .items([serde_json::json!({"title": "Rent", "total": 900, "tax": 0, "tax_included": true})])
        .send()
        .await
        .expect("the purchase is created");
    let id = created.id.expect("an id");
    let sent = document(42);
    client
        .purchases()
        .store_document(
            id,
            Attachment::from_bytes("rent-november.pdf", sent.clone()),
        )
        .send()
        .await
        .expect("the document is stored");

    let record = client
        .purchases()
        .get(id)
        .send()
        .await
        .expect("the purchase");
    let url = record.file_url.expect("the purchase names its file");
    let download = client
        .download_url(&url, Some("purchases.get"), client.connector().options())
        .await
        .expect("the file is served");
    assert_eq!(download.filename, "rent-november.pdf");
    assert_eq!(download.content_type.as_deref(), Some("application/pdf"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(&download.filename);
    let written = download.write_to(&path).await.expect("written to a file");
    assert_eq!(written, sent.len() as u64);
    assert!(std::fs::read(&path).expect("readable") == sent);
}

async fn konverte(cli: &Cli, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["konverte"];
    all.extend_from_slice(args);
    all.extend(["--account_id", "1", "--output", "json"]);
    cli.run(&all).await.expect_code(0).json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_attachments_sent_by_the_cli_are_listed_and_downloaded_back_unchanged() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    konverte(
        &cli,
        &[
            "contacts",
            "create",
            "--name",
            "Lin",
            "--email",
            "lin@example.test",
        ],
    )
    .await;
    let conversation = konverte(
        &cli,
        &[
            "conversations",
            "create",
            "--inbox_id",
            "1",
            "--contact_id",
            "lin@example.test",
        ],
    )
    .await;
    let number = conversation["id"].as_u64().expect("a number").to_string();
    let photo = document(3);
    let contract = document(9);
    let photo_arg = format!("@{}", cli.write_file("photo.png", &photo).display());
    let contract_arg = format!("@{}", cli.write_file("contract.pdf", &contract).display());
    let message = konverte(
        &cli,
        &[
            "messages",
            "create",
            "--conversation_id",
            &number,
            "--attachments",
            &photo_arg,
            "--attachments",
            &contract_arg,
        ],
    )
    .await;
    let attachments = message["attachments"].as_array().expect("attachments");
    let kinds: Vec<_> = attachments.iter().map(|a| a["file_type"].clone()).collect();
    assert_eq!(kinds, ["image", "file"], "{message}");
    assert_eq!(attachments[1]["extension"], "pdf");
    assert_eq!(attachments[1]["file_size"], contract.len());

    let listed = konverte(
        &cli,
        &["conversations", "attachments", "--conversation_id", &number],
    )
    .await;
    let count = match listed.as_array() {
        Some(items) => items.len() as u64,
        None => listed["meta"]["total_count"].as_u64().unwrap_or(0),
    };
    assert_eq!(count, 2, "both files of the message: {listed}");

    for (attachment, sent) in attachments.iter().zip([&photo, &contract]) {
        let url = attachment["data_url"].as_str().expect("a data_url");
        let out = cli.home().join(format!("got-{}", attachment["id"]));
        let out_arg = out.display().to_string();
        cli.run(&["konverte", "download", url, "--out", &out_arg])
            .await
            .expect_code(0);
        let got = std::fs::read(&out).expect("the download was written");
        assert!(&got == sent, "{url}: the bytes came back unchanged");
    }
}
