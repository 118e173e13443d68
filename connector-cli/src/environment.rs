//! What the process environment says: a variable that is set and not blank, and where
//! the config file is. A leaf, read by the config, the token store and the commands.

use std::path::PathBuf;

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where the config file is: `$CONNECTOR_CONFIG`, else `<config dir>/connector/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    match env("CONNECTOR_CONFIG") {
        Some(path) => Some(PathBuf::from(path)),
        None => dirs::config_dir().map(|d| d.join("connector").join("config.toml")),
    }
}
