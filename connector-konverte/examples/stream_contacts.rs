//! Stream every contact of an account, page after page, holding one page at a time.
//!
//! `KONVERTE_BASE_URL=... KONVERTE_API_TOKEN=... cargo run -p connector-konverte --example stream_contacts`

use connector_konverte::{Error, Konverte};
use futures::TryStreamExt;

/// Prints each contact's name and e-mail as it arrives; returns how many there were.
pub async fn run(client: &Konverte, account_id: i64) -> Result<usize, Error> {
    let mut contacts = client.contacts().list(account_id).stream(None);
    let mut count = 0;
    while let Some(contact) = contacts.try_next().await? {
        println!(
            "{}\t{}",
            contact.name.unwrap_or_default(),
            contact.email.unwrap_or_default()
        );
        count += 1;
    }
    Ok(count)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Konverte::from_env()?;
    let count = run(&client, 1).await?;
    eprintln!("{count} contacts");
    Ok(())
}
