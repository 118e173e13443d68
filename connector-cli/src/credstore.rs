//! Tokens stored by `connector auth login`: in the OS keyring (macOS Keychain, Windows
//! Credential Manager, the Secret Service on Linux desktops) under the service
//! `connector` and the account `<profile>/<VARIABLE>`, or, where no keyring answers
//! (a server, a container, `CONNECTOR_KEYRING=off`), in a file only its owner can read:
//! `<config dir>/connector/tokens/<profile>.<VARIABLE>` (0600, in a 0700 directory).
//!
//! A stored token belongs to its profile: it is used when that profile's section has no
//! `token`/`token_file` of its own, with the profile's own address.

use connector_core::secret::read_token_file;
use keyring_core::{CredentialStore, Entry};
use secrecy::{ExposeSecret, SecretString};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

const SERVICE: &str = "connector";

/// `CONNECTOR_KEYRING=off`: never the OS keyring, always the file.
pub const KEYRING_ENV: &str = "CONNECTOR_KEYRING";

/// The keyring, when there is one: a store set up before (tests: the mock store), else
/// the platform's.
fn keyring() -> Option<Arc<CredentialStore>> {
    if let Some(store) = keyring_core::get_default_store() {
        return Some(store);
    }
    if crate::environment::env(KEYRING_ENV).is_some_and(|v| v.trim() == "off") {
        return None;
    }
    keyring::Entry::store_status().as_ref().ok()?;
    keyring_core::get_default_store()
}

fn account(profile: &str, variable: &str) -> String {
    format!("{profile}/{variable}")
}

fn file(profile: &str, variable: &str) -> Result<PathBuf, String> {
    if profile.is_empty()
        || !profile
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "profile {profile:?}: only letters, digits, - and _ can name a stored token"
        ));
    }
    let dir = crate::environment::config_path()
        .and_then(|p| p.parent().map(PathBuf::from))
        .ok_or("no config directory on this system; set CONNECTOR_CONFIG")?;
    Ok(dir.join("tokens").join(format!("{profile}.{variable}")))
}

/// Where a stored token of `profile` is (or would be), for `auth status`.
pub fn describe(profile: &str, variable: &str) -> String {
    if keyring().is_some() {
        return format!("keyring {SERVICE}/{}", account(profile, variable));
    }
    match file(profile, variable) {
        Ok(path) => format!("file {}", path.display()),
        Err(e) => e,
    }
}

/// The token `auth login` stored for `profile`, if any: the keyring's, else the file's.
pub fn load(profile: &str, variable: &str) -> Option<SecretString> {
    if let Some(store) = keyring()
        && let Ok(entry) = Entry::new_in_store(&store, SERVICE, &account(profile, variable))
        && let Ok(token) = entry.get_password()
    {
        return Some(SecretString::from(token));
    }
    let path = file(profile, variable).ok()?;
    if !path.exists() {
        return None;
    }
    read_token_file(&path).ok()
}

/// Stores `token` for `profile`; says where it went.
pub fn save(profile: &str, variable: &str, token: &SecretString) -> Result<String, String> {
    if let Some(store) = keyring() {
        let stored = Entry::new_in_store(&store, SERVICE, &account(profile, variable))
            .and_then(|entry| entry.set_password(token.expose_secret()));
        match stored {
            Ok(()) => {
                return Ok(format!(
                    "the keyring ({SERVICE}/{})",
                    account(profile, variable)
                ));
            }
            Err(e) => tracing::info!(error = %e, "no usable keyring; storing the token in a file"),
        }
    }
    let path = file(profile, variable)?;
    write_private(&path, token).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("{} (readable by you only)", path.display()))
}

/// Writes the token to a new file only its owner may read, replacing any old one.
fn write_private(path: &std::path::Path, token: &SecretString) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    // tempfile creates it 0600; the rename replaces the old token at once.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(token.expose_secret().as_bytes())?;
    tmp.write_all(b"\n")?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Asks for a token without echo on a terminal; reads one line from stdin otherwise.
pub fn prompt(question: &str) -> Result<SecretString, connector_core::Error> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(question)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    }
    .map_err(|e| connector_core::Error::Config(format!("cannot read the token: {e}")))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(connector_core::Error::validation("token", "is empty"));
    }
    Ok(SecretString::from(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyring_holds_a_token_per_profile() {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let token = SecretString::from("tok-keyring-1".to_owned());
        let place = save("work", "KONVERTE_API_TOKEN", &token).unwrap();
        assert!(place.contains("keyring"), "{place}");
        assert!(!place.contains("tok-keyring-1"), "{place}");
        let back = load("work", "KONVERTE_API_TOKEN").unwrap();
        assert_eq!(back.expose_secret(), "tok-keyring-1");
        assert!(load("home", "KONVERTE_API_TOKEN").is_none());
        assert!(describe("work", "MOCO_API_KEY").starts_with("keyring connector/work/"));
        keyring_core::unset_default_store();
    }

    #[test]
    fn file_tokens_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens").join("default.MOCO_API_KEY");
        write_private(&path, &SecretString::from("k-1".to_owned())).unwrap();
        assert_eq!(read_token_file(&path).unwrap().expose_secret(), "k-1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(file("../x", "V").is_err());
    }
}
