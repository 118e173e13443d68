//! Files through the `connector` binary: PDFs to `--out`, to a pipe, refused on a terminal, one
//! file per item with `--out-dir`; attachments and documents uploaded as multipart parts; a file
//! inside a JSON body as `{filename, base64}`; bad paths refused before anything is sent.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Bytes no text encoding would pass through unchanged.
fn pdf_bytes(seed: u32) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..40_000u32).map(|i| ((i * 31 + seed) % 256) as u8));
    bytes
}

fn pdf_answer(bytes: &[u8], name: Option<&str>) -> ResponseTemplate {
    let answer = ResponseTemplate::new(200)
        .insert_header("content-type", "application/pdf")
        .set_body_bytes(bytes.to_vec());
    match name {
        Some(n) => answer.insert_header(
            "content-disposition",
            format!("attachment; filename=\"{n}\"").as_str(),
        ),
        None => answer,
    }
}

/// The parts of a multipart body: (name, file name, content type, bytes).
async fn parts(req: &Request) -> Vec<(String, Option<String>, Option<String>, Vec<u8>)> {
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = multer::parse_boundary(ct).expect("a multipart content type");
    let body = bytes::Bytes::from(req.body.clone());
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
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

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_goes_to_out_byte_for_byte_and_unchanged_through_a_pipe() {
    let server = MockServer::start().await;
    let pdf = pdf_bytes(1);
    Mock::given(method("GET"))
        .and(path("/invoices/7.pdf"))
        .respond_with(pdf_answer(&pdf, Some("RE-7.pdf")))
        .expect(2)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("invoice.pdf");

    let mut cmd = moco(home.path(), &server.uri());
    cmd.args(["moco", "invoices", "pdf", "--id", "7", "--out"])
        .arg(&target);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&target).unwrap(), pdf, "saved byte for byte");
    assert!(out.stdout.is_empty(), "nothing on stdout with --out");
    assert!(
        stderr(&out).contains(&format!("{} bytes", pdf.len())),
        "says what it saved: {}",
        stderr(&out)
    );

    let mut cmd = moco(home.path(), &server.uri());
    cmd.args(["moco", "invoices", "pdf", "--id", "7"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, pdf, "stdout that is a pipe gets the bytes");
}

/// Runs `connector ARGS` with stdout on a pseudo-terminal (`script` from util-linux).
async fn on_a_terminal(home: &Path, base_url: &str, args: &str) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("connector");
    let line = format!("{} {args}", bin.display());
    let home = home.to_owned();
    let base = base_url.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("NO_COLOR", "1")
            .env("MOCO_BASE_URL", &base)
            .env("MOCO_API_KEY", TOKEN)
            .output()
            .expect("script runs")
    })
    .await
    .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_without_out_a_pdf_is_refused_with_a_hint_and_not_fetched() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/invoices/7.pdf"))
        .respond_with(pdf_answer(&pdf_bytes(2), None))
        .expect(0)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let (status, screen) =
        on_a_terminal(home.path(), &server.uri(), "moco invoices pdf --id 7").await;
    assert_eq!(status, 2, "{screen}");
    assert!(screen.contains("--out FILE"), "the hint: {screen}");
    assert!(
        !screen.contains("%PDF"),
        "no binary on the terminal: {screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_writes_one_file_per_item_into_out_dir_and_names_it_in_the_outcome() {
    let server = MockServer::start().await;
    let (one, two) = (pdf_bytes(3), pdf_bytes(4));
    Mock::given(method("GET"))
        .and(path("/invoices/1.pdf"))
        .respond_with(pdf_answer(&one, Some("RE-1.pdf")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/invoices/2.pdf"))
        .respond_with(pdf_answer(&two, None))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("pdfs");
    std::fs::create_dir(&dir).unwrap();
    let mut cmd = moco(home.path(), &server.uri());
    cmd.args(["run", "moco", "invoices.pdf", "--input", "-", "--out-dir"])
        .arg(&dir);
    let out = run_with_stdin(cmd, "{\"id\":1}\n{\"id\":2}\n").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let outcomes = lines(&out);
    assert_eq!(outcomes.len(), 2, "one outcome per item: {}", stdout(&out));
    let mut saved = Vec::new();
    for outcome in &outcomes {
        assert_eq!(outcome["ok"], json!(true), "{outcome}");
        let file = find_file_name(outcome).unwrap_or_else(|| panic!("names its file: {outcome}"));
        saved.push(file);
    }
    let by_name = |name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(by_name("RE-1.pdf"), one, "the server's name");
    let derived: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "RE-1.pdf")
        .collect();
    assert_eq!(derived.len(), 1, "{derived:?}");
    assert!(
        derived[0].starts_with("invoices-pdf-2") && derived[0].ends_with(".pdf"),
        "named after the action and the id: {derived:?}"
    );
    assert_eq!(by_name(&derived[0]), two);
    assert!(
        saved.iter().any(|s| s.ends_with("RE-1.pdf"))
            && saved.iter().any(|s| s.ends_with(&derived[0])),
        "{saved:?}"
    );
}

/// The saved file's path, wherever the outcome line carries it.
fn find_file_name(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.ends_with(".pdf") => Some(s.clone()),
        Value::Object(map) => map.values().find_map(find_file_name),
        Value::Array(items) => items.iter().find_map(find_file_name),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_go_as_multipart_parts_under_the_name_the_server_reads() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/5/messages"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 77, "content": "see attached"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let text = write(home.path(), "notes.txt", b"plain notes\n");
    let image = write(
        home.path(),
        "shot.png",
        &[0x89, b'P', b'N', b'G', 0, 1, 2, 255],
    );
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "konverte",
        "messages",
        "create",
        "--account_id",
        "1",
        "--conversation_id",
        "5",
        "--content",
        "see attached",
        "--attachments",
        &format!("@{text}"),
        "--attachments",
        &format!("@{image}"),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let received = server.received_requests().await.unwrap();
    let parts = parts(&received[0]).await;
    let content = parts
        .iter()
        .find(|p| p.0 == "content")
        .expect("the content field");
    assert_eq!(content.3, b"see attached");
    let files: Vec<_> = parts.iter().filter(|p| p.0 == "attachments[]").collect();
    assert_eq!(files.len(), 2, "{parts:?}");
    assert_eq!(files[0].1.as_deref(), Some("notes.txt"));
    assert_eq!(files[0].2.as_deref(), Some("text/plain"));
    assert_eq!(files[0].3, b"plain notes\n");
    assert_eq!(files[1].1.as_deref(), Some("shot.png"));
    assert_eq!(files[1].2.as_deref(), Some("image/png"));
    assert_eq!(files[1].3, [0x89, b'P', b'N', b'G', 0, 1, 2, 255]);
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_directory_path_is_exit_2_naming_the_parameter_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .expect(0)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nope.pdf").display().to_string();
    let dir = home.path().display().to_string();
    for bad in [missing, dir] {
        let mut cmd = konverte(home.path(), &server.uri());
        cmd.args([
            "konverte",
            "messages",
            "create",
            "--account_id",
            "1",
            "--conversation_id",
            "5",
            "--attachments",
            &format!("@{bad}"),
        ]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("attachments"), "{}", stderr(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_purchase_document_is_stored_as_the_multipart_field_file_also_from_stdin() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/purchases/3/store_document"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let doc = pdf_bytes(5);
    let file = write(home.path(), "receipt.pdf", &doc);
    let mut cmd = moco(home.path(), &server.uri());
    cmd.args([
        "moco",
        "purchases",
        "store_document",
        "--id",
        "3",
        "--file",
        &format!("@{file}"),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut cmd = moco(home.path(), &server.uri());
    cmd.args([
        "moco",
        "purchases",
        "store_document",
        "--id",
        "3",
        "--file",
        "-",
    ]);
    let out = run_with_stdin(cmd, doc.clone()).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let received = server.received_requests().await.unwrap();
    let from_path = parts(&received[0]).await;
    assert_eq!(from_path.len(), 1, "{from_path:?}");
    assert_eq!(from_path[0].0, "file");
    assert_eq!(from_path[0].1.as_deref(), Some("receipt.pdf"));
    assert_eq!(from_path[0].2.as_deref(), Some("application/pdf"));
    assert_eq!(from_path[0].3, doc);
    let from_stdin = parts(&received[1]).await;
    assert_eq!(from_stdin[0].0, "file");
    assert_eq!(from_stdin[0].3, doc, "stdin's bytes, whole");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_field_of_a_json_body_goes_as_filename_and_base64() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/users/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 4})))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let picture = [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0];
    let file = write(home.path(), "me.png", &picture);
    let mut cmd = moco(home.path(), &server.uri());
    cmd.args([
        "moco",
        "users",
        "update",
        "--id",
        "4",
        "--avatar",
        &format!("@{file}"),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let received = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["avatar"]["filename"], "me.png");
    let sent = base64::engine::general_purpose::STANDARD
        .decode(body["avatar"]["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(sent, picture);
}
