//! Create a platform user with a password that is checked before anything is sent, then
//! rename them.
//!
//! `KONVERTE_BASE_URL=... KONVERTE_PLATFORM_TOKEN=... cargo run -p connector-konverte --example create_user`

use connector_konverte::{Error, Konverte, SecretString, models::User};

/// Returns the user as updated, and the error the weak password got.
pub async fn run(client: &Konverte, email: &str) -> Result<(User, Error), Error> {
    // A weak password is refused here, naming the field; no request leaves the machine.
    let weak = client
        .users()
        .create(email)
        .name("Ada Lovelace")
        .password(SecretString::from("secret"))
        .send()
        .await
        .expect_err("a password without upper case, digit or symbol is refused");

    let user = client
        .users()
        .create(email)
        .name("Ada Lovelace")
        .password(SecretString::from("Analytical-Engine-1843"))
        .send()
        .await?;
    let id = user.id.expect("the server assigns an id");
    let renamed = client.users().update(id).name("Ada King").send().await?;
    Ok((renamed, weak))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Konverte::from_env()?;
    let (user, weak) = run(&client, "ada@example.com").await?;
    println!("refused first: {weak}");
    println!("user {:?}: {:?}", user.id, user.name);
    Ok(())
}
