//! MOCO invoice reminders (moco-api/sections/invoice_reminders.md): the representation embeds
//! "shortened invoice information" where the request gave `invoice_id`, and the list filters
//! by `invoice_id` all the same. And the invoice list leaves out what invoices.md says it does.

mod common;

use common::moco_call as call;
use connector_sandbox::{MocoSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_reminder_embeds_its_invoice_and_is_found_by_its_invoice_id() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let mut invoices = Vec::new();
    for title in ["Rechnung A", "Rechnung B"] {
        let (status, invoice) = call(
            &moco,
            Method::POST,
            "/invoices",
            Some(json!({"title": title, "identifier": format!("R-{title}")})),
        )
        .await;
        assert_eq!(status, 200, "{invoice}");
        invoices.push(invoice);
    }
    let (status, reminder) = call(
        &moco,
        Method::POST,
        "/invoice_reminders",
        Some(json!({"invoice_id": invoices[0]["id"], "title": "Mahnung", "date": "2024-05-01"})),
    )
    .await;
    assert_eq!(status, 200, "{reminder}");
    assert_eq!(
        reminder["invoice"],
        json!({"id": invoices[0]["id"], "identifier": "R-Rechnung A", "title": "Rechnung A"})
    );
    assert!(reminder.get("invoice_id").is_none(), "{reminder}");
    call(
        &moco,
        Method::POST,
        "/invoice_reminders",
        Some(json!({"invoice_id": invoices[1]["id"], "title": "Mahnung 2"})),
    )
    .await;

    let (status, found) = call(
        &moco,
        Method::GET,
        &format!("/invoice_reminders?invoice_id={}", invoices[0]["id"]),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let titles: Vec<&Value> = found
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| &r["title"])
        .collect();
    assert_eq!(titles, vec!["Mahnung"], "{found}");

    let (status, refused) = call(
        &moco,
        Method::POST,
        "/invoice_reminders",
        Some(json!({"invoice_id": 999_999, "title": "Nobody's"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
}

#[tokio::test]
async fn the_invoice_list_leaves_out_items_and_the_letter() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let body = json!({"title": "Listed", "salutation": "Dear", "footer": "Bye",
        "items": [{"type": "item", "title": "Work", "quantity": 1, "unit_price": 100}]});
    let (_, invoice) = call(&moco, Method::POST, "/invoices", Some(body)).await;
    let (_, single) = call(
        &moco,
        Method::GET,
        &format!("/invoices/{}", invoice["id"]),
        None,
    )
    .await;
    assert_eq!(single["footer"], "Bye", "{single}");
    assert!(single["items"].is_array(), "{single}");
    let (status, listed) = call(&moco, Method::GET, "/invoices", None).await;
    assert_eq!(status, 200);
    let listed = &listed.as_array().expect("a list")[0];
    assert_eq!(listed["title"], "Listed", "{listed}");
    for field in ["salutation", "footer", "items", "payments", "reminders"] {
        assert!(listed.get(field).is_none(), "{field}: {listed}");
    }
}
