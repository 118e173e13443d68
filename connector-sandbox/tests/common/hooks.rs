//! A webhook receiver for the tests: keeps every JSON body it gets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// A receiver keeping every JSON body it gets; returns its URL and the bodies.
pub async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let kept = kept.clone();
        async move {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            kept.lock().expect("bodies").push(body);
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, bodies)
}

/// The first body `matches` accepts (waits up to 30 s for it).
pub async fn received(bodies: &Mutex<Vec<Value>>, matches: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        if let Some(body) = bodies.lock().expect("bodies").iter().find(|b| matches(b)) {
            return body.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no matching delivery among {:?}",
        bodies.lock().expect("bodies")
    );
}

/// The `{attribute: {previous_value, current_value}}` entry of `changed_attributes`.
pub fn change<'v>(body: &'v Value, attribute: &str) -> Option<&'v Value> {
    body["changed_attributes"]
        .as_array()?
        .iter()
        .find_map(|c| c.get(attribute))
}
