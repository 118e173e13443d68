//! Files both ways over real HTTP: multipart uploads streamed from disk (and sent whole
//! again on an allowed retry), files inside JSON bodies, downloads saved byte for byte,
//! and credentials that never follow a download to another origin.

mod common;

use common::{TOKEN, auth, input};
use connector_core::{
    ActionSpec, BodyKind, Connector, Error, HttpConnector, Method, Options, ParamSpec, ParamType,
    ResponseKind,
};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

static FILES: ParamType = ParamType::File;

static ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        params: &[
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::body("content", ParamType::String),
            ParamSpec::body("content_attributes", ParamType::Object),
            ParamSpec {
                wire: Some("attachments[]"),
                ..ParamSpec::body("attachments", ParamType::Array { items: &FILES })
            },
        ],
        body: BodyKind::Auto,
        tokens: &["user"],
        ..ActionSpec::new(
            "messages.create",
            Method::Post,
            "/conversations/{id}/messages",
        )
    },
    ActionSpec {
        params: &[
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::body("avatar", ParamType::File),
            ParamSpec::body("name", ParamType::String),
        ],
        body: BodyKind::Multipart,
        body_key: Some("profile"),
        tokens: &["user"],
        ..ActionSpec::new("profiles.update", Method::Put, "/profiles/{id}")
    },
    ActionSpec {
        params: &[
            ParamSpec::body("title", ParamType::String),
            ParamSpec::body("file", ParamType::File),
        ],
        tokens: &["user"],
        ..ActionSpec::new("purchases.create", Method::Post, "/purchases")
    },
    ActionSpec {
        params: &[ParamSpec::path("id", ParamType::Integer)],
        response: ResponseKind::Bytes,
        tokens: &["user"],
        ..ActionSpec::new("invoices.pdf", Method::Get, "/invoices/{id}.pdf")
    },
    ActionSpec {
        tokens: &["user"],
        ..ActionSpec::new("profile.get", Method::Get, "/profile")
    },
];

fn connector(base: &str) -> HttpConnector {
    HttpConnector::builder("test", ACTIONS)
        .base_url(base)
        .auth(auth())
        .build()
        .unwrap()
}

fn quick() -> Options {
    Options::builder()
        .retries(2)
        .timeout(Duration::from_secs(10))
        .build()
}

/// The parts of a multipart body: (name, file name, content type, bytes).
async fn parts(req: &Request) -> Vec<(String, Option<String>, Option<String>, Vec<u8>)> {
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = multer::parse_boundary(ct).unwrap();
    let body = req.body.clone();
    let stream =
        futures::stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await.unwrap() {
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().map(str::to_owned);
        let ct = field.content_type().map(|m| m.to_string());
        out.push((name, file, ct, field.bytes().await.unwrap().to_vec()));
    }
    out
}

fn file_with(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_message_with_attachments_goes_as_multipart_with_its_other_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/conversations/3/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = file_with(&dir, "report.pdf", b"%PDF-1.4 tiny");
    let png = file_with(&dir, "logo.png", &[0x89, b'P', b'N', b'G', 0, 1, 2]);
    let api = connector(&server.uri());
    api.execute(
        "messages.create",
        input(
            json!({"id": 3, "content": "see attached", "content_attributes": {"a": {"b": 1}},
                     "attachments": [format!("@{pdf}"), format!("@{png}")]}),
        ),
        &quick(),
    )
    .await
    .unwrap();
    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(received.headers.get("api_access_token").unwrap(), TOKEN);
    let got = parts(received).await;
    let find = |name: &str| got.iter().filter(|p| p.0 == name).collect::<Vec<_>>();
    assert_eq!(find("content")[0].3, b"see attached");
    assert_eq!(find("content_attributes[a][b]")[0].3, b"1");
    let files = find("attachments[]");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].1.as_deref(), Some("report.pdf"));
    assert_eq!(files[0].2.as_deref(), Some("application/pdf"));
    assert_eq!(files[0].3, b"%PDF-1.4 tiny");
    assert_eq!(files[1].1.as_deref(), Some("logo.png"));
    assert_eq!(files[1].2.as_deref(), Some("image/png"));
    assert_eq!(files[1].3, [0x89, b'P', b'N', b'G', 0, 1, 2]);
}

#[tokio::test]
async fn without_a_file_an_auto_body_stays_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    connector(&server.uri())
        .execute(
            "messages.create",
            input(json!({"id": 3, "content": "hi"})),
            &quick(),
        )
        .await
        .unwrap();
    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        received.headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        json!({"content": "hi"})
    );
}

#[tokio::test]
async fn a_body_key_nests_multipart_fields_rails_style() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let img = file_with(&dir, "me.jpg", b"jpeg bytes");
    connector(&server.uri())
        .execute(
            "profiles.update",
            input(json!({"id": 1, "name": "Ada", "avatar": {"path": img, "filename": "ada.jpg", "content_type": "image/jpeg"}})),
            &quick(),
        )
        .await
        .unwrap();
    let got = parts(&server.received_requests().await.unwrap()[0]).await;
    let names: Vec<&str> = got.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(names, ["profile[avatar]", "profile[name]"]);
    assert_eq!(got[0].1.as_deref(), Some("ada.jpg"));
    assert_eq!(got[0].3, b"jpeg bytes");
}

#[tokio::test]
async fn an_allowed_retry_sends_the_whole_file_again() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let big = file_with(&dir, "big.bin", &content);
    connector(&server.uri())
        .execute(
            "profiles.update",
            input(json!({"id": 1, "avatar": format!("@{big}")})),
            &quick(),
        )
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "the 503 was retried (PUT is idempotent)");
    for r in &received {
        let got = parts(r).await;
        assert_eq!(got[0].3, content, "every attempt carries the whole file");
    }
}

#[tokio::test]
async fn a_post_upload_whose_outcome_is_unknown_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let f = file_with(&dir, "a.txt", b"once");
    let err = connector(&server.uri())
        .execute(
            "messages.create",
            input(json!({"id": 1, "attachments": [format!("@{f}")]})),
            &quick(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_file_in_a_json_body_goes_as_filename_and_base64() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 9})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let f = file_with(&dir, "receipt.pdf", b"hello");
    connector(&server.uri())
        .execute(
            "purchases.create",
            input(json!({"title": "Lunch", "file": format!("@{f}")})),
            &quick(),
        )
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        body,
        json!({"title": "Lunch", "file": {"filename": "receipt.pdf", "base64": "aGVsbG8="}})
    );
}

#[tokio::test]
async fn a_missing_unreadable_or_directory_path_is_refused_before_sending() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let api = connector(&server.uri());
    for bad in [
        json!(format!("@{}", dir.path().join("nope.pdf").display())),
        json!(format!("@{}", dir.path().display())),
        json!("@"),
        json!(42),
        json!({"base64": "aGk="}),
        json!({"path": "/x", "colour": "red"}),
    ] {
        let err = api
            .execute(
                "purchases.create",
                input(json!({"file": bad.clone()})),
                &quick(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("file"), "{bad}: {err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_pdf_is_saved_byte_for_byte_under_the_servers_name() {
    let server = MockServer::start().await;
    let pdf: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/invoices/42.pdf"))
        .and(header_exists("api_access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .insert_header(
                    "content-disposition",
                    "attachment; filename=\"../RE-2026-7.pdf\"",
                )
                .set_body_bytes(pdf.clone()),
        )
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let dl = api
        .download("invoices.pdf", input(json!({"id": 42})), &quick())
        .await
        .unwrap();
    assert_eq!(
        dl.filename, "RE-2026-7.pdf",
        "the server's name, without its path"
    );
    assert_eq!(dl.content_type.as_deref(), Some("application/pdf"));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("invoice.pdf");
    assert_eq!(dl.write_to(&target).await.unwrap(), pdf.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), pdf);
    assert!(!dir.path().join("invoice.pdf.part").exists());

    let err = api
        .execute("invoices.pdf", input(json!({"id": 42})), &quick())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("answers with a file"), "{err}");
}

#[tokio::test]
async fn a_download_without_a_name_is_named_after_the_action_and_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(b"%PDF".to_vec()),
        )
        .mount(&server)
        .await;
    let dl = connector(&server.uri())
        .download("invoices.pdf", input(json!({"id": 7})), &quick())
        .await
        .unwrap();
    assert_eq!(dl.filename, "invoices-pdf-7.pdf");
    assert_eq!(dl.bytes().await.unwrap(), b"%PDF");
}

#[tokio::test]
async fn a_download_error_is_the_apis_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "Invoice not found"})),
        )
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .download("invoices.pdf", input(json!({"id": 7})), &quick())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err}");
    assert!(err.to_string().contains("Invoice not found"));
}

#[tokio::test]
async fn credentials_never_follow_a_download_to_another_origin() {
    let api_server = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rails/active_storage/blobs/redirect/abc/photo.jpg"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/bucket/photo.jpg?sig=1", storage.uri()).as_str(),
        ))
        .mount(&api_server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bucket/photo.jpg"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .set_body_bytes(b"JPEG".to_vec()),
        )
        .mount(&storage)
        .await;
    let api = connector(&api_server.uri());
    let url = format!(
        "{}/rails/active_storage/blobs/redirect/abc/photo.jpg",
        api_server.uri()
    );
    let dl = api
        .download_url(&url, Some("profile.get"), &quick())
        .await
        .unwrap();
    assert_eq!(dl.filename, "photo.jpg");
    assert_eq!(dl.bytes().await.unwrap(), b"JPEG");
    let first = &api_server.received_requests().await.unwrap()[0];
    assert_eq!(
        first.headers.get("api_access_token").unwrap(),
        TOKEN,
        "same origin: sent"
    );
    let second = &storage.received_requests().await.unwrap()[0];
    assert!(
        second.headers.get("api_access_token").is_none(),
        "other origin: never sent"
    );

    // A URL handed out on another origin directly gets no token either.
    let direct = format!("{}/bucket/photo.jpg", storage.uri());
    api.download_url(&direct, Some("profile.get"), &quick())
        .await
        .unwrap();
    for r in storage.received_requests().await.unwrap() {
        assert!(r.headers.get("api_access_token").is_none());
    }
    let err = api
        .download_url("file:///etc/passwd", None, &quick())
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("url"));
}

#[tokio::test]
async fn a_download_that_stalls_ends_with_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(b"x".to_vec())
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let options = Options::builder()
        .retries(0)
        .timeout(Duration::from_millis(300))
        .build();
    let err = connector(&server.uri())
        .download("invoices.pdf", input(json!({"id": 1})), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
}

#[test]
fn dry_runs_show_files_by_name_and_size_never_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let f = file_with(&dir, "secret-plan.pdf", b"TOP SECRET CONTENT");
    let api = connector("http://127.0.0.1:9");
    let req = api
        .prepare(
            "messages.create",
            &input(json!({"id": 1, "attachments": [format!("@{f}")]})),
        )
        .unwrap();
    assert!(req.multipart);
    let shown = api.describe(&req, &quick()).unwrap().to_string();
    assert!(
        shown.contains("secret-plan.pdf") && shown.contains("\"bytes\":18"),
        "{shown}"
    );
    assert!(shown.contains("multipart/form-data"), "{shown}");
    assert!(!shown.contains("TOP SECRET"), "{shown}");
}
