//! The exact request every action sends: method, path, query, JSON body and headers.

use crate::common::{AUTHORIZATION, client, input, no_limit};
use connector_core::Connector;
use connector_moco::{ACTIONS, Moco};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Case {
    id: &'static str,
    input: Value,
    method: &'static str,
    /// Path below `/api/v1`.
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    body: Option<Value>,
}

fn case(id: &'static str, input: Value, method: &'static str, path: &'static str) -> Case {
    Case {
        id,
        input,
        method,
        path,
        query: &[],
        body: None,
    }
}

impl Case {
    fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// An update's input (the create fields minus `drop`, plus the id) and the body it sends.
fn update_of(create: Value, id: i64, drop: &[&str]) -> (Value, Value) {
    let mut body = create;
    for k in drop {
        body.as_object_mut().unwrap().remove(*k);
    }
    let mut input = body.clone();
    input["id"] = id.into();
    (input, body)
}

fn cases() -> Vec<Case> {
    let activity = json!({
        "date": "2024-05-02", "project_id": 944587499, "task_id": "658636", "seconds": 0,
        "description": "", "billable": false, "tag": "RMT-123", "remote_service": "jira",
        "remote_id": "PRJ-2342", "remote_url": "https://jira.example.com/browse/PRJ-2342"
    });
    let company = json!({
        "name": "Beispiel AG", "type": "customer", "country_code": "CH", "vat_identifier": "CHE-1",
        "alternative_correspondence_language": false, "website": "www.beispiel.ch", "fax": "",
        "phone": "+41 44 123", "email": "info@beispiel.ch", "billing_email_cc": "cc@beispiel.ch",
        "billing_notes": "PO first", "address": "Beispiel AG\nStrasse 1", "info": "i",
        "custom_properties": {"UID": "123-UID-456"}, "tags": ["Network", "Print"], "user_id": 12,
        "footer": "<div>f</div>", "invoice_format": "zugferd_x_invoice",
        "default_payment_means": "credit_transfer", "currency": "CHF", "identifier": "K-123",
        "customer_vat_code_id": 3, "customer_tax": 7.7, "default_invoice_due_days": 20,
        "invoice_due_days": 30, "debit_number": 10000, "bank_owner": "B", "iban": "CH39",
        "bank_bic": "POFICHBEXXX", "supplier_vat_code_id": 4, "supplier_tax": 0, "credit_number": 70000
    });
    let contact = json!({
        "firstname": "Peter", "lastname": "Muster", "gender": "U", "company_id": 123, "user_id": 456,
        "title": "Dr.", "job_position": "Account Manager", "mobile_phone": "+49 177",
        "work_fax": "", "work_phone": "+49 30", "work_email": "p@beispiel.de",
        "work_address": "A\nB", "home_email": "p@home.ch", "home_address": "Zu Hause",
        "birthday": "1959-05-22", "info": "x", "tags": ["Christmas Card"]
    });
    let deal = json!({
        "name": "Website Relaunch", "currency": "EUR", "money": 25000.5, "reminder_date": "2024-12-01",
        "user_id": 123, "deal_category_id": 456, "company_id": 789, "person_id": 357, "info": "",
        "status": "potential", "closed_on": "2024-12-27", "service_period_from": "2024-06-01",
        "service_period_to": "2024-12-31", "tags": ["Important"], "custom_properties": {"Type": "Web"}
    });
    let project = json!({
        "name": "Relaunch", "currency": "EUR", "start_date": "2024-01-01", "finish_date": "2024-12-31",
        "fixed_price": false, "retainer": true, "leader_id": 1, "co_leader_id": 2, "customer_id": 3,
        "deal_id": 4, "project_group_id": 5, "contact_id": 6, "secondary_contact_id": 7,
        "billing_contact_id": 8, "identifier": "P-123", "billing_address": "A", "billing_email_to": "to@x.ch",
        "billing_email_cc": "cc@x.ch", "billing_notes": "n", "setting_include_time_report": true,
        "billing_variant": "user", "hourly_rate": 150, "budget": 0, "budget_monthly": 2000,
        "budget_expenses": 5000, "tags": ["Print", "Digital"], "custom_properties": {"PO": "1"},
        "info": "i", "skip_favorite": true, "retainer_billing_date": 15,
        "retainer_billing_title": "Monthly", "retainer_billing_description": "Recurring"
    });
    let user = json!({
        "firstname": "Carmen", "lastname": "Sandiego", "email": "carmen@acme.example",
        "password": "dAfsdf88fw8fKjtD28f293!", "unit_id": 123, "role_id": 42, "active": true,
        "external": false, "language": "de-CH", "mobile_phone": "+41 79", "work_phone": "+41 44",
        "home_address": "H", "bday": "1975-01-17", "iban": "CH31", "tags": ["Switzerland"],
        "custom_properties": {"Starting Month": "01.01.2016"}, "info": "", "welcome_email": false,
        "avatar": {"filename": "me.png", "base64": "iVBORw0KGgo="}
    });
    let (project_update, project_update_body) = update_of(project.clone(), 11, &["currency"]);
    let (user_update, user_update_body) = update_of(user.clone(), 12, &[]);
    let (company_update, company_update_body) = update_of(company.clone(), 13, &[]);

    vec![
        case("activities.list", json!({
            "from": "2024-05-01", "to": "2024-05-31", "user_id": 1, "project_id": 2, "task_id": 3,
            "company_id": 4, "billable": true, "billed": "false", "term": "jira 12",
            "ids": [5, 6], "updated_after": "2024-05-01T00:00:00Z", "sort_by": "date desc", "page": 2
        }), "GET", "/activities").query(&[
            ("from", "2024-05-01"), ("to", "2024-05-31"), ("user_id", "1"), ("project_id", "2"),
            ("task_id", "3"), ("company_id", "4"), ("billable", "true"), ("billed", "false"),
            ("term", "jira 12"), ("ids", "5,6"), ("updated_after", "2024-05-01T00:00:00Z"),
            ("sort_by", "date desc"), ("page", "2"),
        ]),
        case("activities.get", json!({"id": 982237015}), "GET", "/activities/982237015"),
        case("activities.create", activity.clone(), "POST", "/activities").body(json!({
            "date": "2024-05-02", "project_id": 944587499, "task_id": 658636, "seconds": 0,
            "description": "", "billable": false, "tag": "RMT-123", "remote_service": "jira",
            "remote_id": "PRJ-2342", "remote_url": "https://jira.example.com/browse/PRJ-2342"
        })),
        case("activities.update", json!({"id": "5", "seconds": 7200, "billable": false}), "PUT", "/activities/5")
            .body(json!({"seconds": 7200, "billable": false})),
        case("activities.delete", json!({"id": 5}), "DELETE", "/activities/5"),
        case("companies.list", json!({
            "include_archived": true, "type": "supplier", "tags": "Automotive, Pharma",
            "identifier": "K0405", "term": "acme corp", "ids": "1,2", "sort_by": "name"
        }), "GET", "/companies").query(&[
            ("include_archived", "true"), ("type", "supplier"), ("tags", "Automotive,Pharma"),
            ("identifier", "K0405"), ("term", "acme corp"), ("ids", "1,2"), ("sort_by", "name"),
        ]),
        case("companies.get", json!({"id": 760253573}), "GET", "/companies/760253573"),
        case("companies.create", company.clone(), "POST", "/companies").body(company.clone()),
        case("companies.update", company_update, "PUT", "/companies/13").body(company_update_body),
        case("companies.delete", json!({"id": 13}), "DELETE", "/companies/13"),
        case("contacts.list", json!({"tags": ["Influencer", "Early Adopter"], "term": "mario", "phone": "79 826"}), "GET", "/contacts/people")
            .query(&[("tags", "Influencer,Early Adopter"), ("term", "mario"), ("phone", "79 826")]),
        case("contacts.get", json!({"id": 123}), "GET", "/contacts/people/123"),
        case("contacts.create", contact.clone(), "POST", "/contacts/people").body(contact.clone()),
        case("contacts.update", json!({"id": 123, "job_position": "Head of Sales", "tags": []}), "PUT", "/contacts/people/123")
            .body(json!({"job_position": "Head of Sales", "tags": []})),
        case("contacts.delete", json!({"id": 123}), "DELETE", "/contacts/people/123"),
        case("deals.list", json!({
            "status": "won", "tags": "Important", "closed_from": "2024-01-01", "closed_to": "2024-12-31",
            "company_id": 123, "updated_after": "2024-04-20T09:17:58+02:00"
        }), "GET", "/deals").query(&[
            ("status", "won"), ("tags", "Important"), ("closed_from", "2024-01-01"),
            ("closed_to", "2024-12-31"), ("company_id", "123"), ("updated_after", "2024-04-20T09:17:58+02:00"),
        ]),
        case("deals.get", json!({"id": 1}), "GET", "/deals/1"),
        case("deals.create", deal.clone(), "POST", "/deals").body(deal.clone()),
        case("deals.update", json!({"id": 1, "status": "lost", "money": 0}), "PUT", "/deals/1")
            .body(json!({"status": "lost", "money": 0})),
        case("deals.delete", json!({"id": 1}), "DELETE", "/deals/1"),
        case("projects.list", json!({
            "include_archived": false, "include_company": true, "leader_id": [1, 2], "company_id": "3,4",
            "created_from": "2018-01-01", "created_to": "2018-12-31", "updated_from": "2019-01-01",
            "updated_to": "2019-12-31", "tags": ["Important", "Strategic"], "identifier": ["P1903-003", "P2"],
            "retainer": false, "project_group_id": [4566687], "deal_id": 9, "term": "web"
        }), "GET", "/projects").query(&[
            ("include_archived", "false"), ("include_company", "true"), ("leader_id", "1,2"),
            ("company_id", "3,4"), ("created_from", "2018-01-01"), ("created_to", "2018-12-31"),
            ("updated_from", "2019-01-01"), ("updated_to", "2019-12-31"), ("tags", "Important,Strategic"),
            ("identifier", "P1903-003,P2"), ("retainer", "false"), ("project_group_id", "4566687"),
            ("deal_id", "9"), ("term", "web"),
        ]),
        case("projects.get", json!({"id": 1234567}), "GET", "/projects/1234567"),
        case("projects.create", project.clone(), "POST", "/projects").body(project.clone()),
        case("projects.update", project_update, "PUT", "/projects/11").body(project_update_body),
        case("projects.delete", json!({"id": 11}), "DELETE", "/projects/11"),
        case("session.get", json!({}), "GET", "/session"),
        case("users.list", json!({"include_archived": true, "tags": "Designer, Developer", "email": "mail@example.org"}), "GET", "/users")
            .query(&[("include_archived", "true"), ("tags", "Designer,Developer"), ("email", "mail@example.org")]),
        case("users.get", json!({"id": 12}), "GET", "/users/12"),
        case("users.create", user.clone(), "POST", "/users").body(user.clone()),
        case("users.update", user_update, "PUT", "/users/12").body(user_update_body),
        case("users.delete", json!({"id": 12}), "DELETE", "/users/12"),
        case("web_hooks.list", json!({"updated_after": "2024-01-01T00:00:00Z", "page": 1}), "GET", "/account/web_hooks")
            .query(&[("updated_after", "2024-01-01T00:00:00Z"), ("page", "1")]),
        case("web_hooks.get", json!({"id": 123}), "GET", "/account/web_hooks/123"),
        case("web_hooks.create", json!({"target": "Invoice::Payment", "event": "delete", "hook": "https://example.org/do-stuff"}), "POST", "/account/web_hooks")
            .body(json!({"target": "Invoice::Payment", "event": "delete", "hook": "https://example.org/do-stuff"})),
        case("web_hooks.update", json!({"id": 123, "hook": "https://example.org/v2"}), "PUT", "/account/web_hooks/123")
            .body(json!({"hook": "https://example.org/v2"})),
        case("web_hooks.disable", json!({"id": 123}), "PUT", "/account/web_hooks/123/disable"),
        case("web_hooks.enable", json!({"id": 123}), "PUT", "/account/web_hooks/123/enable"),
        case("web_hooks.delete", json!({"id": 123}), "DELETE", "/account/web_hooks/123"),
    ]
}

/// The actions this table is about: CRUD of the six resources, the web hook actions
/// and the API key check (the registry also holds the rest of the MOCO API).
fn covered() -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = [
        "activities",
        "companies",
        "contacts",
        "deals",
        "projects",
        "users",
    ]
    .iter()
    .flat_map(|r| ["list", "get", "create", "update", "delete"].map(|v| format!("{r}.{v}")))
    .collect();
    ids.extend(
        [
            "list", "get", "create", "update", "disable", "enable", "delete",
        ]
        .map(|v| format!("web_hooks.{v}")),
    );
    ids.insert("session.get".into());
    ids
}

#[test]
fn the_table_covers_every_action_once() {
    let table: Vec<String> = cases().iter().map(|c| c.id.to_owned()).collect();
    let unique: BTreeSet<String> = table.iter().cloned().collect();
    assert_eq!(unique.len(), table.len(), "an action is in the table twice");
    assert_eq!(unique, covered());
    assert_eq!(
        unique.len(),
        38,
        "30 CRUD actions, 7 web hook actions and session.get"
    );
    let declared: BTreeSet<String> = ACTIONS.iter().map(|a| a.id.to_owned()).collect();
    assert!(
        unique.is_subset(&declared),
        "missing: {:?}",
        unique.difference(&declared).collect::<Vec<_>>()
    );
    let hooks: BTreeSet<String> = declared
        .iter()
        .filter(|id| id.starts_with("web_hooks."))
        .cloned()
        .collect();
    assert!(
        hooks.is_subset(&unique),
        "web hook actions outside the table: {hooks:?}"
    );
}

async fn run_table(server: &MockServer, moco: &Moco, impersonated: Option<&str>) {
    for c in cases() {
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
            .mount(server)
            .await;
        moco.execute(c.id, input(c.input.clone()), &no_limit())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", c.id));
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{}", c.id);
        let req = &requests[0];
        assert_eq!(req.method.as_str(), c.method, "{}", c.id);
        assert_eq!(req.url.path(), format!("/api/v1{}", c.path), "{}", c.id);
        let mut query: Vec<(String, String)> = req
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut expected: Vec<(String, String)> = c
            .query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        query.sort();
        expected.sort();
        assert_eq!(query, expected, "{}: query", c.id);
        let header = |name: &str| {
            req.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("authorization").as_deref(),
            Some(AUTHORIZATION),
            "{}",
            c.id
        );
        assert_eq!(
            header("x-impersonate-user-id").as_deref(),
            impersonated,
            "{}",
            c.id
        );
        assert_eq!(
            header("accept").as_deref(),
            Some("application/json"),
            "{}",
            c.id
        );
        match &c.body {
            Some(body) => {
                let sent: Value =
                    serde_json::from_slice(&req.body).unwrap_or_else(|e| panic!("{}: {e}", c.id));
                assert_eq!(&sent, body, "{}: body", c.id);
                assert_eq!(
                    header("content-type").as_deref(),
                    Some("application/json"),
                    "{}",
                    c.id
                );
            }
            None => {
                assert!(
                    req.body.is_empty(),
                    "{}: no body expected, got {:?}",
                    c.id,
                    String::from_utf8_lossy(&req.body)
                );
                assert_eq!(header("content-type"), None, "{}", c.id);
            }
        }
    }
}

#[tokio::test]
async fn every_action_sends_exactly_its_documented_request() {
    let server = MockServer::start().await;
    run_table(&server, &client(&server), None).await;
}

#[tokio::test]
async fn an_impersonating_client_sends_the_user_id_on_every_action() {
    let server = MockServer::start().await;
    let moco = client(&server).impersonating(933590696);
    run_table(&server, &moco, Some("933590696")).await;
}

#[tokio::test]
async fn the_builder_can_impersonate_from_the_start() {
    let server = MockServer::start().await;
    let moco = Moco::builder()
        .base_url(crate::common::api_root(&server))
        .api_key(connector_core::SecretString::from(crate::common::KEY))
        .rate_limit(None)
        .impersonate(77)
        .build()
        .unwrap();
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    moco.activities().list().send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].headers.get("x-impersonate-user-id").unwrap(),
        "77"
    );
    // The options a call passes cannot drop the impersonation.
    moco.activities()
        .list()
        .send_with(&no_limit())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[1].headers.get("x-impersonate-user-id").unwrap(),
        "77"
    );
}
