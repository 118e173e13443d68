//! A contact's avatar sent as a multipart `avatar` part (contacts_controller.rb permits it on
//! create and update; app/models/concerns/avatarable.rb checks its type and size) is kept and
//! served back at the contact's `thumbnail`; `DELETE .../avatar` removes it.

mod common;

use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A tiny PNG (signature and an IHDR chunk): enough bytes to tell apart.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn multipart(
    sandbox: &KonverteSandbox,
    method: Method,
    path: &str,
    form: Form,
) -> (u16, Value) {
    let url = format!("{}/api/v1/accounts/1{path}", sandbox.base_url());
    let response = client()
        .request(method, url)
        .header("api_access_token", sandbox.token())
        .multipart(form)
        .send()
        .await
        .expect("the sandbox answers");
    status_json(response).await
}

fn avatar(bytes: &'static [u8], name: &str, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("a mime type")
}

async fn download(url: &str) -> (u16, Vec<u8>) {
    let response = client().get(url).send().await.expect("the file answers");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("bytes").to_vec())
}

#[tokio::test]
async fn an_uploaded_avatar_is_the_thumbnail_and_is_served_back() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let form = Form::new()
        .text("name", "Ada Avatar")
        .text("inbox_id", "1")
        .text("custom_attributes[plan]", "gold")
        .part("avatar", avatar(PNG, "ada.png", "image/png"));
    let (status, created) = multipart(&sandbox, Method::POST, "/contacts", form).await;
    assert_eq!(status, 200, "{created}");
    let contact = &created["payload"]["contact"];
    assert_eq!(contact["name"], "Ada Avatar", "{created}");
    assert_eq!(
        contact["custom_attributes"],
        json!({"plan": "gold"}),
        "{created}"
    );
    assert!(
        contact.get("avatar_url").is_none(),
        "the contact view has no avatar_url: {created}"
    );
    let thumbnail = contact["thumbnail"]
        .as_str()
        .expect("a thumbnail")
        .to_owned();
    assert!(
        thumbnail.starts_with(&format!("{}/sandbox/files/", sandbox.base_url())),
        "{thumbnail}"
    );
    assert_eq!(download(&thumbnail).await, (200, PNG.to_vec()));
    let id = contact["id"].as_u64().expect("contact id");

    // Another image on update replaces it; the first one stays served.
    let gif: &'static [u8] = b"GIF89a\x01\0\x01\0\0\0\0;";
    let form = Form::new().part("avatar", avatar(gif, "ada.gif", "image/gif"));
    let (status, updated) =
        multipart(&sandbox, Method::PUT, &format!("/contacts/{id}"), form).await;
    assert_eq!(status, 200, "{updated}");
    let replaced = updated["payload"]["thumbnail"]
        .as_str()
        .expect("a thumbnail");
    assert_ne!(replaced, thumbnail);
    assert_eq!(download(replaced).await, (200, gif.to_vec()));
    assert_eq!(updated["payload"]["name"], "Ada Avatar", "{updated}");

    let token = sandbox.token().to_owned();
    let (status, removed) = status_json(
        send(
            &client(),
            Method::DELETE,
            &format!(
                "{}/api/v1/accounts/1/contacts/{id}/avatar",
                sandbox.base_url()
            ),
            Some(("api_access_token", &token)),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["payload"]["thumbnail"], "", "{removed}");
    assert!(
        removed["payload"].get("contact_inboxes").is_none(),
        "{removed}"
    );
}

#[tokio::test]
async fn an_avatar_that_is_not_an_image_is_refused_and_nothing_is_created() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let form = Form::new()
        .text("name", "Not An Image")
        .part("avatar", avatar(b"%PDF-1.4", "cv.pdf", "application/pdf"));
    let (status, answer) = multipart(&sandbox, Method::POST, "/contacts", form).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["attributes"], json!(["avatar"]), "{answer}");
    let token = sandbox.token().to_owned();
    let (_, contacts) = status_json(
        send(
            &client(),
            Method::GET,
            &format!("{}/api/v1/accounts/1/contacts", sandbox.base_url()),
            Some(("api_access_token", &token)),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(contacts["meta"]["count"], 0, "{contacts}");
}
