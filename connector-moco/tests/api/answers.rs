//! The typed answers of the actions that answered untyped JSON before: each reads a realistic
//! answer (wiremock), and the sandbox's answer to the same typed call.

use crate::common::client;
use connector_core::{Attachment, SecretString};
use connector_moco::Moco;
use connector_sandbox::{MocoSandbox, SandboxConfig, SeedData};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answer(server: &MockServer, verb: &str, route: &str, body: serde_json::Value) {
    Mock::given(method(verb))
        .and(path(format!("/api/v1{route}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn sending_by_e_mail_answers_the_recipients_selected() {
    let server = MockServer::start().await;
    let recipients = json!({
        "emails_to": "billing@beispiel.de;ap@beispiel.de", "emails_cc": "", "emails_bcc": null,
        "subject": "Rechnung R2405-012", "text": "Kind regards", "letter_paper_id": 3
    });
    for route in [
        "/invoices/12/send_email",
        "/offers/12/send_email",
        "/invoice_reminders/12/send_email",
    ] {
        answer(&server, "POST", route, recipients.clone()).await;
    }
    let moco = client(&server);
    let sent = [
        moco.invoices()
            .send_email(12, "Rechnung", "Hi")
            .send()
            .await,
        moco.offers().send_email(12, "Angebot", "Hi").send().await,
        moco.invoice_reminders()
            .send_email(12, "Mahnung", "Hi")
            .send()
            .await,
    ];
    for sent in sent {
        let sent = sent.unwrap();
        assert_eq!(
            sent.emails_to.as_deref(),
            Some("billing@beispiel.de;ap@beispiel.de")
        );
        assert_eq!(
            (sent.emails_cc.as_deref(), sent.emails_bcc),
            (Some(""), None)
        );
        assert_eq!(sent.subject.as_deref(), Some("Rechnung R2405-012"));
        assert_eq!(sent.extra["letter_paper_id"], 3, "unnamed fields are kept");
    }
}

#[tokio::test]
async fn member_actions_answer_the_record_they_act_on() {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/activities/disregard",
        json!({"activity_ids": ["47268", 47269], "reason": "Courtesy", "company_id": 123456}),
    )
    .await;
    let attachment =
        json!({"id": 881, "filename": "terms.pdf", "created_at": "2024-05-02T09:00:00Z"});
    answer(
        &server,
        "POST",
        "/invoices/5/attachments",
        attachment.clone(),
    )
    .await;
    answer(&server, "POST", "/offers/6/attachments", attachment).await;
    answer(
        &server,
        "PUT",
        "/offers/6/assign",
        json!({"id": 6, "identifier": "A2405-002", "company_id": 1234, "project_id": 2345, "deal": {"id": 3456}}),
    )
    .await;
    let project = json!({"id": 7, "name": "Relaunch", "project_group": {"id": 123, "name": "Web"}});
    answer(&server, "PUT", "/projects/7/assign_project_group", project).await;
    answer(
        &server,
        "PUT",
        "/projects/7/unassign_project_group",
        json!({"id": 7, "name": "Relaunch", "project_group": null}),
    )
    .await;
    answer(
        &server,
        "POST",
        "/purchases/8/assign_to_project",
        json!({"id": 8, "identifier": "E2405-001", "items": [{"id": 311936153, "title": "Hosting", "total": 120.0}]}),
    )
    .await;
    answer(
        &server,
        "POST",
        "/projects/7/recurring_expenses/9/recur",
        json!({"id": 9, "title": "Hosting", "period": "monthly", "recur_next_date": "2024-07-01"}),
    )
    .await;
    for verb in ["disable", "enable"] {
        answer(
            &server,
            "PUT",
            &format!("/account/web_hooks/4/{verb}"),
            json!({"id": 4, "target": "Activity", "event": "create", "hook": "https://example.org/h", "disabled": verb == "disable"}),
        )
        .await;
    }
    let moco = client(&server);

    let marked = moco
        .activities()
        .disregard("Courtesy", [47268, 47269], 123456)
        .send()
        .await
        .unwrap();
    assert_eq!(marked.activity_ids, Some(vec![47268, 47269]));
    assert_eq!(marked.company_id, Some(123456));
    let pdf = || Attachment::from_bytes("terms.pdf", b"%PDF-1.4".to_vec());
    let on_invoice = moco
        .invoice_attachments()
        .create(5, pdf())
        .send()
        .await
        .unwrap();
    let on_offer = moco
        .offer_attachments()
        .create(6, pdf())
        .send()
        .await
        .unwrap();
    assert_eq!((on_invoice.id, on_offer.id), (Some(881), Some(881)));
    assert_eq!(on_invoice.extra["filename"], "terms.pdf");
    let offer = moco
        .offers()
        .assign(6)
        .project_id(2345)
        .send()
        .await
        .unwrap();
    assert_eq!(offer.identifier.as_deref(), Some("A2405-002"));
    let grouped = moco
        .projects()
        .assign_project_group(7)
        .project_group_id(123)
        .send()
        .await
        .unwrap();
    assert_eq!(grouped.project_group.unwrap().id, Some(123));
    let ungrouped = moco
        .projects()
        .unassign_project_group(7)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (ungrouped.id, ungrouped.project_group.is_none()),
        (Some(7), true)
    );
    let purchase = moco
        .purchases()
        .assign_to_project(8, 311936153, 7)
        .send()
        .await
        .unwrap();
    assert_eq!(purchase.items.unwrap()[0].id, Some(311936153));
    let recurring = moco
        .project_recurring_expenses()
        .recur(7, 9)
        .send()
        .await
        .unwrap();
    assert_eq!(recurring.recur_next_date.as_deref(), Some("2024-07-01"));
    let disabled = moco.web_hooks().disable(4).send().await.unwrap();
    let enabled = moco.web_hooks().enable(4).send().await.unwrap();
    assert_eq!(
        (disabled.disabled, enabled.disabled),
        (Some(true), Some(false))
    );
}

#[tokio::test]
async fn status_changes_without_a_body_return_unit() {
    let server = MockServer::start().await;
    for (verb, route) in [
        ("PUT", "/invoices/5/update_status"),
        ("PUT", "/offers/6/update_status"),
        ("PATCH", "/purchases/8/update_status"),
        ("PATCH", "/purchases/8/store_document"),
    ] {
        Mock::given(method(verb))
            .and(path(format!("/api/v1{route}")))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/api/v1/projects/7/expenses/disregard"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let moco = client(&server);
    let (): () = moco
        .invoices()
        .update_status(5)
        .status("sent")
        .send()
        .await
        .unwrap();
    moco.offers()
        .update_status(6)
        .status("billed")
        .send()
        .await
        .unwrap();
    moco.purchases()
        .update_status(8, "archived")
        .send()
        .await
        .unwrap();
    moco.purchases()
        .store_document(8, Attachment::from_bytes("bill.pdf", b"%PDF-1.4".to_vec()))
        .send()
        .await
        .unwrap();
    moco.project_expenses()
        .disregard(7, "Courtesy", [3])
        .send()
        .await
        .unwrap();
}

fn sandbox_client(sandbox: &MocoSandbox) -> Moco {
    Moco::builder()
        .base_url(sandbox.base_url())
        .api_key(SecretString::from(sandbox.api_key().to_owned()))
        .rate_limit(None)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_answers_decode_as_the_declared_models() {
    // The demo data holds an invoice and an offer to attach files to: the sandbox, as the
    // server, refuses a nested record under a parent that does not exist.
    let sandbox = MocoSandbox::start(SandboxConfig {
        data: SeedData::Demo,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let moco = sandbox_client(&sandbox);
    let invoice = moco.invoices().list().send().await.unwrap()[0].id.unwrap();
    let offer = moco.offers().list().send().await.unwrap()[0].id.unwrap();
    let reminder = moco
        .invoice_reminders()
        .create(invoice)
        .send()
        .await
        .unwrap()
        .id
        .unwrap();
    let purchase_id = moco
        .purchases()
        .create("2026-11-30", "EUR", "bank_transfer")
        .items([json!({"title": "Paper", "total": 30, "tax": 8.1, "tax_included": true})])
        .send()
        .await
        .unwrap()
        .id
        .unwrap();
    let recurring_id = moco
        .project_recurring_expenses()
        .create(1, "2026-12-01", "monthly")
        .title("Hosting")
        .quantity(1.0)
        .unit("month")
        .unit_price(20.0)
        .unit_cost(12.0)
        .send()
        .await
        .unwrap()
        .id
        .unwrap();
    let hook = moco
        .web_hooks()
        .create("Activity", "create", "https://example.org/h")
        .send()
        .await
        .unwrap();
    let hook_id = hook.id.unwrap();
    let disabled = moco.web_hooks().disable(hook_id).send().await.unwrap();
    assert_eq!(
        (disabled.id, disabled.disabled),
        (Some(hook_id), Some(true))
    );
    let enabled = moco.web_hooks().enable(hook_id).send().await.unwrap();
    assert_eq!(enabled.disabled, Some(false));

    let marked = moco
        .activities()
        .disregard("Courtesy", [1, 2], 1)
        .send()
        .await
        .unwrap();
    assert_eq!(marked.activity_ids, Some(vec![1, 2]));
    let pdf = || Attachment::from_bytes("terms.pdf", b"%PDF-1.4".to_vec());
    let attached = moco
        .invoice_attachments()
        .create(invoice, pdf())
        .send()
        .await
        .unwrap();
    assert!(attached.id.is_some(), "{attached:?}");
    let attached = moco
        .offer_attachments()
        .create(offer, pdf())
        .send()
        .await
        .unwrap();
    assert!(attached.id.is_some(), "{attached:?}");
    for sent in [
        moco.invoices()
            .send_email(invoice, "Rechnung", "Hi")
            .emails_to("a@example.org")
            .send()
            .await,
        moco.offers()
            .send_email(offer, "Angebot", "Hi")
            .emails_to("a@example.org")
            .send()
            .await,
        moco.invoice_reminders()
            .send_email(reminder, "Mahnung", "Hi")
            .emails_to("a@example.org")
            .send()
            .await,
    ] {
        assert_eq!(sent.unwrap().emails_to.as_deref(), Some("a@example.org"));
    }
    let assigned = moco
        .offers()
        .assign(offer)
        .company_id(1)
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.id, Some(offer));
    let project = moco
        .projects()
        .assign_project_group(1)
        .project_group_id(3)
        .send()
        .await
        .unwrap();
    assert_eq!(project.id, Some(1));
    let project = moco
        .projects()
        .unassign_project_group(1)
        .send()
        .await
        .unwrap();
    assert_eq!(project.id, Some(1));
    let purchase = moco
        .purchases()
        .assign_to_project(purchase_id, 9, 1)
        .send()
        .await
        .unwrap();
    assert_eq!(purchase.id, Some(purchase_id));
    let recurring = moco
        .project_recurring_expenses()
        .recur(1, recurring_id)
        .send()
        .await
        .unwrap();
    assert_eq!(recurring.id, Some(recurring_id));
    moco.invoices()
        .update_status(invoice)
        .status("sent")
        .send()
        .await
        .unwrap();
    moco.offers()
        .update_status(offer)
        .status("billed")
        .send()
        .await
        .unwrap();
    moco.purchases()
        .update_status(purchase_id, "archived")
        .send()
        .await
        .unwrap();
    moco.purchases()
        .store_document(purchase_id, pdf())
        .send()
        .await
        .unwrap();
    moco.project_expenses()
        .disregard(1, "Courtesy", [3])
        .send()
        .await
        .unwrap();
    sandbox.shutdown().await;
}
