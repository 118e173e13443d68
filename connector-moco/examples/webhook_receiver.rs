//! Receive MOCO's web hook deliveries: listen, subscribe the address to new activities,
//! and print each verified event (deliveries with a bad signature are answered 401).
//!
//! `MOCO_SUBDOMAIN=acme MOCO_API_KEY=... PUBLIC_URL=https://hooks.example.com cargo run -p connector-moco --example webhook_receiver`

use connector_moco::webhooks::{self, EventFilter, WebhookEvent};
use connector_moco::{Error, Moco, SecretString};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Subscribes `public_url` (where MOCO reaches `listener`) to `Activity`/`create` and
/// serves the deliveries on `listener`; the events arrive on the returned channel.
pub async fn run(
    client: &Moco,
    listener: TcpListener,
    public_url: &str,
) -> Result<mpsc::Receiver<WebhookEvent>, Error> {
    let hook = webhooks::ensure_webhook(client, "Activity", "create", public_url).await?;
    // Each web hook signs with a key of its own, shown when it is created.
    let key = hook
        .extra
        .get("signature_key")
        .and_then(|k| k.as_str())
        .ok_or_else(|| Error::Config("the web hook has no signature_key".into()))?;
    let (tx, rx) = mpsc::channel(64);
    let app = webhooks::router(SecretString::from(key.to_owned()), EventFilter::all(), tx);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(rx)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Moco::from_env()?;
    let listener = TcpListener::bind("0.0.0.0:8080")
        .await
        .map_err(|e| Error::Config(e.to_string()))?;
    let url = std::env::var("PUBLIC_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let mut events = run(&client, listener, &url).await?;
    while let Some(event) = events.recv().await {
        println!("{:?} {:?}", event.target, event.event);
    }
    Ok(())
}
