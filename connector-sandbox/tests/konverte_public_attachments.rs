//! The public client API takes a message's files as multipart `attachments[]`
//! (public/api/v1/inboxes/messages_controller.rb#create) and renders them as
//! `attachment.push_event_data` (public/api/v1/models/_message.json.jbuilder), only when there
//! are any; each is served back byte for byte.

mod common;

use common::{client, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig, seed};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

async fn post(url: String, body: Value) -> Value {
    let (status, answer) =
        status_json(client().post(url).json(&body).send().await.expect("answer")).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn a_widget_message_keeps_its_files() {
    let k = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let inbox = format!(
        "{}/public/api/v1/inboxes/{}",
        k.base_url(),
        seed::KONVERTE_INBOX_IDENTIFIER
    );
    let contact = post(format!("{inbox}/contacts"), json!({"name": "Visitor"})).await;
    let source = contact["source_id"]
        .as_str()
        .expect("a source id")
        .to_owned();
    let conversations = format!("{inbox}/contacts/{source}/conversations");
    let conversation = post(conversations.clone(), json!({})).await;
    let messages = format!("{conversations}/{}/messages", conversation["id"]);

    let text = post(messages.clone(), json!({"content": "no files"})).await;
    assert!(text.get("attachments").is_none(), "{text}");

    let file = Part::bytes(b"%PDF-1.4 widget upload".to_vec())
        .file_name("invoice.pdf")
        .mime_str("application/pdf")
        .expect("mime");
    let form = Form::new()
        .text("content", "see attached")
        .part("attachments[]", file);
    let response = client().post(&messages).multipart(form).send().await;
    let (status, sent) = status_json(response.expect("answer")).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["content"], "see attached");
    let attachment = &sent["attachments"][0];
    assert_eq!(attachment["file_type"], "file", "{sent}");
    assert_eq!(attachment["extension"], "pdf");

    let (_, listed) = status_json(client().get(&messages).send().await.expect("answer")).await;
    let listed: Vec<&Value> = listed.as_array().expect("a list").iter().collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[1]["attachments"], sent["attachments"]);

    let url = attachment["data_url"].as_str().expect("a data url");
    let bytes = client()
        .get(url)
        .send()
        .await
        .expect("the file")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&bytes[..], b"%PDF-1.4 widget upload");
}
