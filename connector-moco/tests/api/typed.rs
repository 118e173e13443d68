//! The typed API: the builders send what the dynamic API sends, and an update sends
//! exactly the fields it was given.

use crate::common::{AUTHORIZATION, client};
use serde_json::{Map, Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn create_sends_typed_values() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/activities"))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "date": "2024-05-02", "project_id": 944587499, "task_id": 658636,
            "seconds": 3600, "description": "Workshop", "billable": true, "remote_service": "github"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 982237015, "seconds": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let moco = client(&server);
    let created = moco
        .activities()
        .create("2024-05-02", 944587499, 658636)
        .seconds(3600)
        .description("Workshop")
        .billable(true)
        .remote_service("github")
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, Some(982237015));
    assert_eq!(created.seconds, Some(3600));
}

#[tokio::test]
async fn update_sends_only_the_given_fields_and_zero_false_empty_are_values() {
    let server = MockServer::start().await;
    // body_json is an exact match: any other field (or a null) would not match.
    Mock::given(method("PUT"))
        .and(path("/api/v1/activities/5"))
        .and(body_json(
            json!({"seconds": 0, "billable": false, "description": ""}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/projects/7"))
        .and(body_json(
            json!({"budget": 0.0, "tags": [], "custom_properties": {}, "info": ""}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/companies/9"))
        .and(body_json(json!({"name": "Beispiel GmbH"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 9})))
        .expect(1)
        .mount(&server)
        .await;
    let moco = client(&server);
    moco.activities()
        .update(5)
        .seconds(0)
        .billable(false)
        .description("")
        .send()
        .await
        .unwrap();
    moco.projects()
        .update(7)
        .budget(0.0)
        .tags(Vec::<String>::new())
        .custom_properties(Map::new())
        .info("")
        .send()
        .await
        .unwrap();
    moco.companies()
        .update(9)
        .name("Beispiel GmbH")
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let bodies: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(bodies[0].as_object().unwrap().len(), 3);
    assert_eq!(bodies[2], json!({"name": "Beispiel GmbH"}));
}

#[tokio::test]
async fn list_filters_and_get_use_the_path_and_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/contacts/people"))
        .and(query_param("tags", "Key Account,Christmas Card"))
        .and(query_param("ids", "1,2,3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/contacts/people/123"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 123, "lastname": "Muster"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let moco = client(&server);
    let list = moco
        .contacts()
        .list()
        .tags(["Key Account", "Christmas Card"])
        .ids([1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), [Some(1)]);
    let one = moco.contacts().get(123).send().await.unwrap();
    assert_eq!(one.lastname.as_deref(), Some("Muster"));
}

#[tokio::test]
async fn a_refused_key_names_the_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/session"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})))
        .expect(2)
        .mount(&server)
        .await;
    let moco = client(&server);
    let err = connector_core::Connector::check_credentials(&moco, &crate::common::no_limit())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(
        text.contains("API key") && text.contains("Unauthorized"),
        "{text}"
    );
    assert!(!text.contains(crate::common::KEY), "{text}");
    let err = moco
        .impersonating(4)
        .session()
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Staff"), "{err}");
}

#[tokio::test]
async fn the_credentials_check_calls_the_session() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/session"))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 123, "uuid": "aec3"})))
        .expect(1)
        .mount(&server)
        .await;
    connector_core::Connector::check_credentials(&client(&server), &crate::common::no_limit())
        .await
        .unwrap();
}
