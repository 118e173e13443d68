//! Typed answers: nested records, enums with an escape, unknown fields kept; and the
//! declarations the typed API and the file pipeline rely on.

use crate::common::client;
use connector_core::{BodyKind, Location, ParamType, ResponseKind};
use connector_moco::ACTIONS;
use connector_moco::enums::{ActivitiesRemoteService, InvoiceStatus};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_project_reads_with_its_people_tasks_and_unknown_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/projects/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "7", "identifier": "P-7", "name": "Relaunch", "budget": 18200,
            "leader": {"id": 5, "firstname": "Ada", "lastname": "Muster"},
            "customer": {"id": 9, "name": "Beispiel AG"},
            "tasks": [{"id": 11, "name": "Design", "billable": true, "hourly_rate": 120}],
            "billing_variant": "task", "labels": ["new in this installation"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let project = client(&server).projects().get(7).send().await.unwrap();
    assert_eq!(project.id, Some(7), "an id sent as text still reads");
    assert_eq!(project.budget, Some(18200.0));
    assert_eq!(project.leader.unwrap().firstname.as_deref(), Some("Ada"));
    assert_eq!(
        project.customer.unwrap().name.as_deref(),
        Some("Beispiel AG")
    );
    let tasks = project.tasks.unwrap();
    assert_eq!(
        (tasks[0].name.as_deref(), tasks[0].hourly_rate),
        (Some("Design"), Some(120.0))
    );
    assert_eq!(project.billing_variant.unwrap().as_str(), "task");
    assert_eq!(project.extra["labels"], json!(["new in this installation"]));
}

#[tokio::test]
async fn enum_fields_keep_values_the_docs_do_not_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/activities"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "hours": 1.25, "remote_service": "jira", "timer_started_at": null},
            {"id": 2, "remote_service": "gitlab", "project": {"id": 3, "name": "P"}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/invoices/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 4, "status": "disregarded",
            "items": [{"type": "item", "title": "Design", "net_total": 450.0}],
            "payments": [{"id": 1, "paid_total": 100}]
        })))
        .mount(&server)
        .await;
    let moco = client(&server);
    let activities = moco.activities().list().send().await.unwrap();
    assert_eq!(
        activities[0].remote_service,
        Some(ActivitiesRemoteService::Jira)
    );
    assert_eq!(activities[0].timer_started_at, None);
    assert_eq!(
        activities[1].remote_service,
        Some(ActivitiesRemoteService::Other("gitlab".into()))
    );
    assert_eq!(activities[1].project.as_ref().unwrap().id, Some(3));
    let invoice = moco.invoices().get(4).send().await.unwrap();
    assert_eq!(
        invoice.status,
        Some(InvoiceStatus::Other("disregarded".into()))
    );
    assert_eq!(invoice.items.unwrap()[0].net_total, Some(450.0));
    assert_eq!(invoice.payments.unwrap()[0].paid_total, Some(100.0));
}

fn action(id: &str) -> &'static connector_core::ActionSpec {
    ACTIONS
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn documents_are_bytes_and_uploads_are_files() {
    for id in [
        "invoices.pdf",
        "invoices.timesheet_pdf",
        "offers.pdf",
        "purchase_drafts.pdf",
    ] {
        assert_eq!(action(id).response, ResponseKind::Bytes, "{id}");
    }
    let store = action("purchases.store_document");
    assert_eq!(
        (store.method.as_str(), store.path),
        ("PATCH", "/purchases/{id}/store_document")
    );
    assert_eq!(store.body, BodyKind::Multipart);
    let file = store.param("file").unwrap();
    assert!(matches!(file.ty, ParamType::File) && file.required);
    for (id, field) in [
        ("invoice_attachments.create", "attachment"),
        ("offer_attachments.create", "attachment"),
        ("project_expenses.create", "file"),
        ("purchases.create", "file"),
        ("purchase_drafts.create", "file"),
        ("receipts.update", "attachment"),
        ("users.create", "avatar"),
    ] {
        let p = action(id).param(field).unwrap();
        assert!(
            matches!(p.ty, ParamType::File) && p.location == Location::Body,
            "{id} {field}"
        );
        assert_eq!(
            action(id).body,
            BodyKind::Json,
            "{id}: a file in JSON is {{filename, base64}}"
        );
    }
}

#[test]
fn a_task_is_found_among_its_projects_tasks() {
    let task = action("activities.create").param("task_id").unwrap();
    let r = task.reference.unwrap();
    assert_eq!(
        (r.action, r.scope, r.items),
        ("projects.get", &[("id", "project_id")][..], "/tasks")
    );
    let item = action("purchases.assign_to_project")
        .param("item_id")
        .unwrap();
    let r = item.reference.unwrap();
    assert_eq!(
        (r.action, r.scope, r.items),
        ("purchases.get", &[("id", "id")][..], "/items")
    );
    let user = action("projects.create").param("leader_id").unwrap();
    assert_eq!(
        user.reference.unwrap().matches,
        ["email", "{firstname} {lastname}"]
    );
    // Every numeric `*_id` that names a record of another resource can be given by name,
    // except where MOCO has no list to look the name up in.
    let missing: Vec<String> = ACTIONS
        .iter()
        .flat_map(|a| a.params.iter().map(move |p| (a.id, p)))
        .filter(|(_, p)| {
            p.name.ends_with("_id")
                && matches!(p.ty, ParamType::Integer)
                && p.name != "entity_id"
                && p.reference.is_none()
        })
        .map(|(id, p)| format!("{id}.{}", p.name))
        .collect();
    assert!(
        missing.iter().all(|m| [
            "commentable_id",
            "absence_request_id",
            "refund_request_id",
            "revenue_category_id",
        ]
        .iter()
        .any(|known| m.ends_with(known))),
        "{missing:?}"
    );
}
