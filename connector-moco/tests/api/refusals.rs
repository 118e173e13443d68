//! Bad input is refused before anything is sent, with an error naming the field.

use crate::common::{client, input, no_limit};
use connector_core::{Connector, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn assert_names(err: &Error, field: &str, what: &str) {
    assert_eq!(err.field(), Some(field), "{what}: {err}");
    assert!(err.nothing_sent(), "{what}");
    assert!(
        err.to_string().contains(&format!("`{field}`")),
        "{what}: {err}"
    );
}

#[tokio::test]
async fn bad_inputs_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let moco = client(&server);
    let activity = json!({"date": "2024-05-02", "project_id": 1, "task_id": 2});
    let with = |extra: serde_json::Value| {
        let mut v = activity.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let company = json!({"name": "Beispiel AG", "type": "customer"});
    let cases = [
        (
            "activities.create",
            with(json!({"date": "2024-02-30"})),
            "date",
        ),
        (
            "activities.create",
            with(json!({"date": "02.05.2024"})),
            "date",
        ),
        (
            "activities.create",
            json!({"date": "2024-05-02", "task_id": 2}),
            "project_id",
        ),
        (
            "activities.create",
            with(json!({"remote_service": "gitlab"})),
            "remote_service",
        ),
        (
            "activities.create",
            with(json!({"billable": "yes"})),
            "billable",
        ),
        (
            "activities.create",
            with(json!({"seconds": "1h"})),
            "seconds",
        ),
        (
            "activities.update",
            json!({"id": 1, "hours": "2h"}),
            "hours",
        ),
        ("activities.get", json!({"id": "12abc"}), "id"),
        ("activities.get", json!({"id": "1/../2"}), "id"),
        ("activities.delete", json!({}), "id"),
        ("activities.list", json!({"ids": "1,x"}), "ids[1]"),
        (
            "activities.list",
            json!({"updated_after": "2024-05-01 12:00"}),
            "updated_after",
        ),
        ("activities.list", json!({"from": "yesterday"}), "from"),
        (
            "companies.create",
            json!({"name": "Beispiel AG", "type": "partner"}),
            "type",
        ),
        ("companies.create", json!({"name": "Beispiel AG"}), "type"),
        (
            "companies.create",
            json!({"name": "Beispiel AG", "type": "customer", "custom_properties": "[1,2]"}),
            "custom_properties",
        ),
        (
            "companies.update",
            json!({"id": 3, "custom_properties": 5}),
            "custom_properties",
        ),
        (
            "companies.update",
            json!({"id": 3, "custom_properties": "{oops"}),
            "custom_properties",
        ),
        (
            "companies.create",
            {
                let mut c = company.clone();
                c["invoice_format"] = "pdf".into();
                c
            },
            "invoice_format",
        ),
        (
            "contacts.create",
            json!({"lastname": "Muster", "gender": "X"}),
            "gender",
        ),
        ("contacts.create", json!({"lastname": "Muster"}), "gender"),
        ("deals.list", json!({"status": "open"}), "status"),
        (
            "projects.create",
            json!({"name": "P", "currency": "EUR", "start_date": "2024-01-01", "finish_date": "2024-12-31", "fixed_price": false, "retainer": false, "leader_id": 1, "customer_id": 2, "billing_variant": "hourly"}),
            "billing_variant",
        ),
        (
            "projects.update",
            json!({"id": 1, "currency": "CHF"}),
            "currency",
        ),
        (
            "users.create",
            json!({"firstname": "A", "lastname": "B", "email": "not-an-email", "unit_id": 1}),
            "email",
        ),
        (
            "users.update",
            json!({"id": 1, "language": "es"}),
            "language",
        ),
        (
            "users.update",
            json!({"id": 1, "bday": "1975-13-01"}),
            "bday",
        ),
        (
            "web_hooks.create",
            json!({"target": "Activity", "event": "archived", "hook": "https://x"}),
            "event",
        ),
        (
            "web_hooks.create",
            json!({"target": "activity", "event": "create", "hook": "https://x"}),
            "target",
        ),
        ("web_hooks.disable", json!({"id": "1/../2"}), "id"),
    ];
    for (id, value, field) in cases {
        let err = moco
            .execute(id, input(value.clone()), &no_limit())
            .await
            .unwrap_err();
        assert_names(&err, field, &format!("{id} {value}"));
    }

    // The typed builders go through the same checks.
    let err = moco
        .activities()
        .create("2024-13-01", 1, 2)
        .send()
        .await
        .unwrap_err();
    assert_names(&err, "date", "typed date");
    let err = moco
        .contacts()
        .update(1)
        .gender("x")
        .send()
        .await
        .unwrap_err();
    assert_names(&err, "gender", "typed enum");
    let err = moco
        .users()
        .create("A", "B", "a@b.ch")
        .send()
        .await
        .unwrap_err();
    assert_names(&err, "unit_id", "typed missing unit");
}

/// Inputs the real API took (a client's requests recorded against it): none is refused.
#[tokio::test]
async fn inputs_the_real_api_takes_are_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let moco = client(&server);
    let cases = [
        // `hours` instead of `seconds`: the docs show it on the record only.
        (
            "activities.create",
            json!({"date": "2024-05-02", "project_id": 1, "task_id": 2, "hours": 1.5}),
        ),
        ("activities.update", json!({"id": 1, "hours": 3.5})),
        // A holiday entitlement in hours, without `days`.
        (
            "holidays.create",
            json!({"year": 2024, "title": "Urlaub", "user_id": 7, "hours": 2}),
        ),
        ("holidays.update", json!({"id": 1, "hours": 100})),
        (
            "companies.create",
            json!({"name": "Beispiel AG", "type": "customer", "billing_tax": 0}),
        ),
        ("companies.update", json!({"id": 1, "billing_tax": 7.7})),
        // Deprecated in the docs, still taken.
        ("companies.update", json!({"id": 1, "customer_tax": 19.0})),
        // Clearing an optional date.
        (
            "project_recurring_expenses.update",
            json!({"project_id": 1, "id": 2, "finish_date": ""}),
        ),
        (
            "project_recurring_expenses.update",
            json!({"project_id": 1, "id": 2, "finish_date": null}),
        ),
        // Values outside the documented lists that the server took.
        (
            "purchases.update_status",
            json!({"id": 1, "status": "approved"}),
        ),
        (
            "web_hooks.create",
            json!({"target": "Project", "event": "archive", "hook": "https://x"}),
        ),
    ];
    for (id, value) in &cases {
        moco.execute(id, input(value.clone()), &no_limit())
            .await
            .unwrap_or_else(|e| panic!("{id} {value}: {e}"));
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), cases.len());
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(first["hours"], 1.5);
    let cleared: serde_json::Value = serde_json::from_slice(&requests[7].body).unwrap();
    assert_eq!(cleared, json!({"finish_date": ""}));
}
