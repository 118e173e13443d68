//! Every request option, observed where it matters: at the server.

mod common;

use common::*;
use serde_json::json;
use std::time::Instant;
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn contacts_input(n: usize) -> String {
    (1..=n)
        .map(|i| format!("{{\"account_id\":1,\"contact_id\":{i}}}\n"))
        .collect()
}

async fn contacts_server(template: ResponseTemplate) -> (MockServer, Arrivals) {
    let server = MockServer::start().await;
    let arrivals = Arrivals::new(template);
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/accounts/1/contacts/\d+$"))
        .respond_with(arrivals.clone())
        .mount(&server)
        .await;
    (server, arrivals)
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_fails_with_exit_1_and_says_so() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(3)))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "konverte",
        "profile",
        "get",
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ]);
    let started = Instant::now();
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: timed out after 300ms"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed().as_millis() < 2500);
}

#[tokio::test(flavor = "multi_thread")]
async fn proxy_receives_the_request() {
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("host", "konverte.invalid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "via": "proxy"})))
        .expect(1)
        .mount(&proxy)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), "http://konverte.invalid");
    cmd.args([
        "konverte",
        "profile",
        "get",
        "--proxy",
        &proxy.uri(),
        "--retries",
        "0",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out)[0]["via"], "proxy");

    // Without the proxy the host does not resolve: nothing reaches the proxy.
    let mut cmd = konverte(home.path(), "http://konverte.invalid");
    cmd.args(["konverte", "profile", "get", "--retries", "0"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_size_and_interval_space_the_batches() {
    let (server, arrivals) =
        contacts_server(ResponseTemplate::new(200).set_body_json(json!({"id": 1}))).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.get", "--input", "-"])
        .args([
            "--batch-size",
            "2",
            "--batch-interval",
            "700ms",
            "--concurrency",
            "4",
        ]);
    let out = run_with_stdin(cmd, contacts_input(4)).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = arrivals.offsets_ms();
    assert_eq!(t.len(), 4);
    assert!(t[1] < 350, "one batch goes out together: {t:?}");
    assert!(t[2] >= 650, "the interval separates batches: {t:?}");
    assert!(t[3] - t[2] < 350, "{t:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_bounds_requests_in_flight() {
    let slow = ResponseTemplate::new(200)
        .set_body_json(json!({"id": 1}))
        .set_delay(std::time::Duration::from_millis(600));
    let (server, arrivals) = contacts_server(slow).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--concurrency",
        "3",
    ]);
    let out = run_with_stdin(cmd, contacts_input(6)).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = arrivals.offsets_ms();
    let first_wave = t.iter().filter(|&&ms| ms < 400).count();
    assert_eq!(first_wave, 3, "exactly 3 in flight at first: {t:?}");
    assert_eq!(t.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_resend_a_get_after_503() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "profile", "get", "--retries", "2"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out)[0]["id"], 7);
    server.verify().await;

    // With no retries the 503 is final.
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "profile", "get", "--retries", "0"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("503"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_spaces_requests() {
    let (server, arrivals) =
        contacts_server(ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.get", "--input", "-"])
        .args(["--rate-limit", "5/1s", "--concurrency", "4"]);
    let out = run_with_stdin(cmd, contacts_input(4)).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = arrivals.offsets_ms();
    assert_eq!(t.len(), 4, "{t:?}");
    // Sends are spaced 200 ms apart; arrivals can bunch when one send is delayed on a busy
    // machine, so the bound is on the whole span (3 gaps), less a little for the first
    // request arriving late. Without a limit the four arrive within a few milliseconds.
    assert!(t[3] - t[0] >= 500, "4 requests at 5/s span 600 ms: {t:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn moco_is_limited_to_120_per_2_minutes_by_default() {
    let server = MockServer::start().await;
    let arrivals = Arrivals::new(ResponseTemplate::new(200).set_body_json(json!({"id": 1})));
    Mock::given(path_regex(r"^/api/v1/users/\d+$"))
        .respond_with(arrivals.clone())
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
    cmd.args([
        "run",
        "moco",
        "users.get",
        "--input",
        "-",
        "--concurrency",
        "2",
    ]);
    let out = run_with_stdin(cmd, "{\"id\":1}\n{\"id\":2}\n").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = arrivals.offsets_ms();
    assert!(t[1] >= 950, "one request per second: {t:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn continue_on_fail_goes_on_after_a_failed_item() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/accounts/1/contacts/2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "boom"})))
        .mount(&server)
        .await;
    Mock::given(path_regex(r"^/api/v1/accounts/1/contacts/[13]$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--concurrency",
        "1",
        "--retries",
        "0",
    ]);
    let out = run_with_stdin(cmd, contacts_input(3)).await;
    assert_eq!(code(&out), 1);
    let l = lines(&out);
    assert_eq!(l.len(), 3);
    assert_eq!(l[0]["ok"], true);
    assert_eq!(l[1]["error"]["status"], 500);
    assert_eq!(l[2]["skipped"], true, "{l:?}");
    assert!(
        stderr(&out).contains("ok 1, failed 1, skipped 1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--concurrency",
        "1",
        "--retries",
        "0",
    ])
    .arg("--continue-on-fail");
    let out = run_with_stdin(cmd, contacts_input(3)).await;
    assert_eq!(code(&out), 1);
    let l = lines(&out);
    assert_eq!(l[2]["ok"], true, "{l:?}");
    assert!(
        stderr(&out).contains("ok 2, failed 1, skipped 0"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn impersonate_sends_the_moco_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/5"))
        .and(header("x-impersonate-user-id", "42"))
        .and(header(
            "authorization",
            format!("Token token={TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5})))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
    cmd.args([
        "moco",
        "users",
        "get",
        "--id",
        "5",
        "--impersonate",
        "42",
        "--rate-limit",
        "off",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    server.verify().await;

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "profile", "get", "--impersonate", "42"]);
    let out = run(cmd).await;
    assert_eq!(
        code(&out),
        2,
        "konverte has no impersonation: {}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_and_limit_follow_link_pages() {
    let server = MockServer::start().await;
    let base = format!("{}/api/v1", server.uri());
    for page in 1..=3 {
        let items: Vec<_> = (1..=2).map(|i| json!({"id": (page - 1) * 2 + i})).collect();
        let mut resp = ResponseTemplate::new(200).set_body_json(items);
        if page < 3 {
            resp = resp.insert_header(
                "link",
                format!("<{base}/projects?page={}>; rel=\"next\"", page + 1).as_str(),
            );
        }
        let mut mock = Mock::given(method("GET")).and(path("/api/v1/projects"));
        mock = if page == 1 {
            mock.and(wiremock::matchers::query_param_is_missing("page"))
        } else {
            mock.and(query_param("page", page.to_string()))
        };
        mock.respond_with(resp).mount(&server).await;
    }
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &base);
    cmd.args(["moco", "projects", "list", "--all", "--rate-limit", "off"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids: Vec<i64> = lines(&out)
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(stdout(&out).lines().count(), 6, "one item per line");

    let before = server.received_requests().await.unwrap().len();
    let mut cmd = moco(home.path(), &base);
    cmd.args([
        "moco",
        "projects",
        "list",
        "--limit",
        "3",
        "--rate-limit",
        "off",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids: Vec<i64> = lines(&out)
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    let after = server.received_requests().await.unwrap().len();
    assert_eq!(after - before, 2, "page 3 is never fetched");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_follows_page_numbers() {
    let server = MockServer::start().await;
    for page in 1..=3u64 {
        let payload: Vec<_> = if page < 3 {
            (1..=2).map(|i| json!({"id": (page - 1) * 2 + i})).collect()
        } else {
            vec![json!({"id": 5})]
        };
        Mock::given(path("/api/v1/accounts/1/contacts"))
            .and(query_param("page", page.to_string()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"meta": {"count": 5}, "payload": payload})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "contacts", "list", "--account_id", "1", "--all"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids: Vec<i64> = lines(&out)
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    server.verify().await;
}

#[test]
fn pacing_timeout_and_rate_limit_values_that_cannot_work_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    for bad in [
        vec!["--batch-interval", "1s"],
        vec!["--batch-size", "0"],
        vec!["--batch-size", "0", "--batch-interval", "1s"],
        vec!["--concurrency", "0"],
        vec!["--timeout", "0s"],
        vec!["--total-timeout", "0ms"],
        vec!["--rate-limit", "1/18446744073709551615s"],
        vec!["--rate-limit", "1/8d"],
    ] {
        let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
        // On `run`: the batch flags exist only where the input can be many.
        cmd.args(["run", "konverte", "profile.get", "--dry-run"])
            .args(&bad);
        let out = cmd.output().unwrap();
        assert_eq!(code(&out), 2, "{bad:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{bad:?}");
    }
    let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
    cmd.args(["run", "konverte", "profile.get", "--dry-run"])
        .args([
            "--batch-size",
            "2",
            "--batch-interval",
            "1s",
            "--rate-limit",
            "10/7d",
        ]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_proxy_password_is_warned_about_and_never_echoed() {
    let home = tempfile::tempdir().unwrap();
    let password = "Pr0xy-Secret-91";
    let run_with = |proxy: &str, quiet: bool| {
        let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
        if quiet {
            cmd.arg("-q");
        }
        cmd.args(["konverte", "profile", "get", "--dry-run", "--proxy", proxy]);
        cmd.output().unwrap()
    };
    let out = run_with(&format!("http://bob:{password}@127.0.0.1:3128"), false);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --proxy"),
        "{}",
        stderr(&out)
    );
    let quiet = run_with(&format!("http://bob:{password}@127.0.0.1:3128"), true);
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));
    let plain = run_with("http://127.0.0.1:3128", false);
    assert!(!stderr(&plain).contains("warning"), "{}", stderr(&plain));
    // An invalid proxy URL: clap's error shows it with the password masked.
    let bad = run_with(&format!("http://bob:{password}@127.0.0.1:99999"), false);
    assert_eq!(code(&bad), 2, "{}", stderr(&bad));
    assert!(stderr(&bad).contains("bob:***@"), "{}", stderr(&bad));
    for o in [&out, &quiet, &bad] {
        let text = stdout(o) + &stderr(o);
        assert!(!text.contains(password), "{text}");
    }
}
