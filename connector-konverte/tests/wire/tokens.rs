//! Which token each action gets (app/controllers/concerns/access_token_auth_helper.rb,
//! app/controllers/platform_controller.rb, app/controllers/public_controller.rb), the
//! refusal when none of its kinds is configured, and the public API's identity hash
//! (app/controllers/public/api/v1/inboxes/contacts_controller.rb, `valid_hmac?`).

use super::support::{
    BOT_TOKEN, HEADER, HMAC_TOKEN, PLATFORM_TOKEN, USER_TOKEN, assert_no_secret, client, input,
    options,
};
use connector_konverte::{
    Connector, Error, Konverte, KonverteBuilder, SecretString, identifier_hash,
};
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer) -> KonverteBuilder {
    Konverte::builder()
        .base_url(server.uri())
        .options(options())
}

fn sent(req: &Request) -> Option<String> {
    req.headers
        .get(HEADER)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

#[tokio::test]
async fn each_action_gets_the_first_of_its_kinds_that_is_configured() {
    let server = server().await;
    let bot_only = builder(&server)
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .build()
        .unwrap();
    let message = input(json!({"account_id": 1, "conversation_id": 2, "content": "hi"}));
    bot_only
        .execute("messages.create", message.clone(), &options())
        .await
        .unwrap();
    assert_eq!(
        sent(&requests(&server).await[0]).as_deref(),
        Some(BOT_TOKEN)
    );

    // With a user token too, the user's goes first (the action lists it first).
    let both = builder(&server)
        .api_token(SecretString::from(USER_TOKEN))
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .build()
        .unwrap();
    both.execute("messages.create", message, &options())
        .await
        .unwrap();
    assert_eq!(
        sent(&requests(&server).await[1]).as_deref(),
        Some(USER_TOKEN)
    );

    // The platform token goes to the platform API only, the user token everywhere else.
    let all = client(&server);
    all.execute("accounts.get", input(json!({"account_id": 1})), &options())
        .await
        .unwrap();
    all.execute("contacts.list", input(json!({"account_id": 1})), &options())
        .await
        .unwrap();
    let got = requests(&server).await;
    assert_eq!(sent(&got[2]).as_deref(), Some(PLATFORM_TOKEN));
    assert_eq!(sent(&got[3]).as_deref(), Some(USER_TOKEN));

    // The public API gets none, whatever is configured.
    all.execute(
        "inbox_api.get",
        input(json!({"inbox_identifier": "abc"})),
        &options(),
    )
    .await
    .unwrap();
    let last = requests(&server).await.pop().unwrap();
    assert!(last.headers.get(HEADER).is_none());
    assert!(last.headers.get("api_access_token").is_none());

    // The credentials check is the profile, with the user's token.
    all.check_credentials(&options()).await.unwrap();
    let last = requests(&server).await.pop().unwrap();
    assert_eq!(
        (last.url.path(), sent(&last).as_deref()),
        ("/api/v1/profile", Some(USER_TOKEN))
    );
}

#[tokio::test]
async fn no_accepted_kind_is_refused_before_sending_and_says_where_to_set_it() {
    let server = server().await;
    // A user token is never sent to /platform (the server would answer 401).
    let user_only = builder(&server)
        .api_token(SecretString::from(USER_TOKEN))
        .build()
        .unwrap();
    let err = user_only
        .execute("users.get", input(json!({"id": 1})), &options())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert!(err.nothing_sent());
    let text = err.to_string();
    for part in [
        "users.get",
        "platform token",
        "KONVERTE_PLATFORM_TOKEN",
        "platform_token_file",
        "platform_token",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert_no_secret(&text);

    // A bot token is not a user token.
    let bot_only = builder(&server)
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .build()
        .unwrap();
    let err = bot_only
        .execute("profile.get", Map::new(), &options())
        .await
        .unwrap_err();
    let text = err.to_string();
    for part in ["user token", "KONVERTE_API_TOKEN", "token_file"] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    // Two accepted kinds: both are named.
    let none = builder(&server).build().unwrap();
    let err = none
        .execute(
            "messages.create",
            input(json!({"account_id": 1, "conversation_id": 2, "content": "x"})),
            &options(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    for part in ["KONVERTE_API_TOKEN", "KONVERTE_AGENT_BOT_TOKEN"] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    // A dry run fails the same way.
    let prepared = none
        .prepare("users.token", &input(json!({"id": 3})))
        .unwrap();
    assert!(none.describe(&prepared, &options()).is_err());
    assert!(requests(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn unauthorized_names_the_token_kind_and_the_header() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid Access Token"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.users().get(5).send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    for part in ["platform token", "Api-Access-Token", "Invalid Access Token"] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert_no_secret(&text);
    assert_no_secret(&format!("{err:?}"));
    let err = client
        .execute(
            "messages.create",
            input(json!({"account_id": 1, "conversation_id": 2, "content": "x"})),
            &options(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("user or agent_bot token"), "{text}");
    assert_no_secret(&text);
}

fn hmac_client(server: &MockServer) -> Konverte {
    builder(server)
        .hmac_token(SecretString::from(HMAC_TOKEN))
        .build()
        .unwrap()
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

#[tokio::test]
async fn the_identifier_hash_is_computed_where_the_server_checks_it() {
    let server = server().await;
    let client = hmac_client(&server);
    let hash = identifier_hash(HMAC_TOKEN, "user-42");
    client
        .execute(
            "contacts_api.create",
            input(json!({"inbox_identifier": "Xy12abc", "identifier": "user-42", "name": "Ada"})),
            &options(),
        )
        .await
        .unwrap();
    client
        .contacts_api()
        .get("Xy12abc", "c-1")
        .identifier("user-42")
        .send()
        .await
        .unwrap();
    client
        .execute(
            "contacts_api.update",
            input(json!({"inbox_identifier": "Xy12abc", "contact_identifier": "c-1", "identifier": 42, "name": "Ada B"})),
            &options(),
        )
        .await
        .unwrap();
    // Given by the caller: kept as given.
    client
        .execute(
            "contacts_api.create",
            input(json!({"inbox_identifier": "Xy12abc", "identifier": "user-42", "identifier_hash": "given"})),
            &options(),
        )
        .await
        .unwrap();
    // No identifier, or an action that does not check it: nothing is added.
    client
        .execute(
            "contacts_api.create",
            input(json!({"inbox_identifier": "Xy12abc", "name": "Anonymous"})),
            &options(),
        )
        .await
        .unwrap();
    let got = requests(&server).await;
    assert_eq!(
        body(&got[0]),
        json!({"identifier": "user-42", "identifier_hash": hash, "name": "Ada"})
    );
    let query: Vec<(String, String)> = got[1].url.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("identifier_hash".into(), hash.clone())),
        "{query:?}"
    );
    assert_eq!(
        body(&got[2])["identifier_hash"],
        json!(identifier_hash(HMAC_TOKEN, "42")),
        "the server signs identifier.to_s"
    );
    assert_eq!(body(&got[3])["identifier_hash"], "given");
    assert!(body(&got[4]).get("identifier_hash").is_none());
    for req in &got {
        assert!(
            req.headers.get(HEADER).is_none(),
            "the public API takes no token"
        );
    }
    // The hash is a credential for that identity: masked in a dry run.
    let prepared = client
        .prepare(
            "contacts_api.create",
            &input(json!({"inbox_identifier": "Xy12abc", "identifier": "user-42"})),
        )
        .unwrap();
    let shown = client.describe(&prepared, &options()).unwrap().to_string();
    assert!(!shown.contains(&hash), "{shown}");
    assert_no_secret(&shown);
    assert_no_secret(&format!("{client:?}"));
}

#[tokio::test]
async fn tokens_never_show_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).set_body_string("forbidden"))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_no_secret(&format!("{client:?}"));
    assert_no_secret(&format!("{:?}", client.connector()));
    assert_no_secret(&format!(
        "{:?}",
        client.users().update(1).password("S3cret!pw")
    ));
    let prepared = client
        .prepare(
            "users.update",
            &input(json!({"id": 1, "password": "S3cret!pw"})),
        )
        .unwrap();
    let described = client.describe(&prepared, &options()).unwrap().to_string();
    assert_no_secret(&described);
    assert!(!described.contains("S3cret!pw"), "{described}");
    for id in ["users.get", "profile.get", "messages.list"] {
        let mut i = json!({"id": 1, "account_id": 1, "conversation_id": 1});
        let spec = client.action(id).unwrap();
        i.as_object_mut()
            .unwrap()
            .retain(|k, _| spec.param(k).is_some());
        let err = client.execute(id, input(i), &options()).await.unwrap_err();
        assert_eq!(err.status(), Some(403));
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
        assert_no_secret(&err.to_json().to_string());
    }
}
