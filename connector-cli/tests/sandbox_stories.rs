//! Stories through the `connector` binary against resources the sandbox serves with its
//! generic stateful tier: create three records, list them back across pages of two, get,
//! update and delete one, and see it gone.

#[path = "../../tests/support/mod.rs"]
mod support;

use connector_sandbox::SandboxConfig;
use serde_json::Value;
use support::*;

/// (resource, the create flags besides `--name`, field updated by `--name`).
const MOCO_RESOURCES: &[(&str, &[&str])] = &[
    ("units", &[]),
    ("tags", &["--context", "Project"]),
    ("deal_categories", &["--probability", "40"]),
];

fn id_of(record: &Value) -> String {
    record["id"].as_u64().expect("a numeric id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moco_generic_resources_live_through_create_list_get_update_delete() {
    let sandbox = moco_sandbox(SandboxConfig {
        per_page_moco: 2,
        data: connector_sandbox::SeedData::Empty,
        ..SandboxConfig::default()
    })
    .await;
    let cli = Cli::new().moco(&sandbox);
    for (resource, extra) in MOCO_RESOURCES {
        let mut ids = Vec::new();
        for n in 1..=3 {
            let name = format!("{resource} {n}");
            let mut args = vec!["moco", resource, "create", "--name", &name];
            args.extend_from_slice(extra);
            let created = cli.run(&args).await.expect_code(0).json();
            assert_eq!(created["name"], name.as_str(), "{resource}");
            ids.push(id_of(&created));
        }
        let listed = cli.run(&["moco", resource, "list", "--all"]).await;
        let listed: Vec<String> = listed.expect_code(0).lines().iter().map(id_of).collect();
        assert_eq!(listed, ids, "{resource}: all three, across two pages");

        let got = cli.run(&["moco", resource, "get", "--id", &ids[1]]).await;
        assert_eq!(got.expect_code(0).json()["name"], format!("{resource} 2"));
        let renamed = format!("{resource} renamed");
        let updated = cli
            .run(&[
                "moco", resource, "update", "--id", &ids[1], "--name", &renamed,
            ])
            .await;
        assert_eq!(updated.expect_code(0).json()["name"], renamed.as_str());
        let got = cli.run(&["moco", resource, "get", "--id", &ids[1]]).await;
        assert_eq!(got.expect_code(0).json()["name"], renamed.as_str());

        cli.run(&["moco", resource, "delete", "--id", &ids[1]])
            .await
            .expect_code(0);
        let listed = cli.run(&["moco", resource, "list", "--all"]).await;
        let listed: Vec<String> = listed.expect_code(0).lines().iter().map(id_of).collect();
        assert_eq!(listed, vec![ids[0].clone(), ids[2].clone()], "{resource}");
        let gone = cli.run(&["moco", resource, "get", "--id", &ids[1]]).await;
        assert_ne!(gone.code, 0, "{resource} {} is gone", ids[1]);
    }
    let template = "/units";
    assert_eq!(sandbox.requests_to("POST", template), 3, "three creates");
    assert_eq!(sandbox.stats().unserved, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_pdf_is_a_pdf() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    let out = cli.home().join("invoice.pdf");
    let out_text = out.display().to_string();
    cli.run(&["moco", "invoices", "pdf", "--id", "1", "--out", &out_text])
        .await
        .expect_code(0);
    let bytes = std::fs::read(&out).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF-1."), "a PDF");
    assert!(bytes.ends_with(b"%%EOF\n"));
}
