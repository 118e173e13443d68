//! The state file: the records of a Konverte and a MOCO sandbox, kept across restarts.
//!
//! ```json
//! {"version": 1, "konverte": {...}, "moco": {...}}
//! ```
//!
//! Each backend reads and writes only its own section, so both sandboxes of `connector
//! sandbox` share one file. A write replaces the file atomically (a temporary file renamed
//! over it), under a lock shared by every sandbox of the process.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value};

use crate::server::lock;

/// The version of the state file's format this build reads and writes.
pub const STATE_VERSION: u64 = 1;

/// Read-modify-write of state files is one at a time within a process.
static FILES: Mutex<()> = Mutex::new(());

/// A state file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing the file failed.
    #[error("cannot {action} the sandbox state file {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The state file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a sandbox state file, or its records do not fit.
    #[error("the sandbox state file {path} is corrupt ({reason}); move it away to start afresh")]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong, with the line and column where JSON is malformed.
        reason: String,
    },
    /// The file was written by a build with another format.
    #[error(
        "the sandbox state file {path} has version {found}, this build reads version {STATE_VERSION}; move it away to start afresh"
    )]
    Version {
        /// The state file.
        path: PathBuf,
        /// The version the file declares.
        found: u64,
    },
}

impl From<StateError> for std::io::Error {
    fn from(error: StateError) -> Self {
        let kind = match &error {
            StateError::Io { source, .. } => source.kind(),
            StateError::Corrupt { .. } | StateError::Version { .. } => ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, error.to_string())
    }
}

pub(crate) fn corrupt(path: &Path, reason: impl ToString) -> StateError {
    StateError::Corrupt {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// The whole file as an object (`None` when it does not exist).
fn read(path: &Path) -> Result<Option<Map<String, Value>>, StateError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Io {
                action: "read",
                path: path.to_owned(),
                source,
            });
        }
    };
    let Value::Object(file) =
        serde_json::from_slice::<Value>(&text).map_err(|e| corrupt(path, e))?
    else {
        return Err(corrupt(path, "not a JSON object"));
    };
    match file.get("version").and_then(Value::as_u64) {
        Some(STATE_VERSION) => Ok(Some(file)),
        Some(found) => Err(StateError::Version {
            path: path.to_owned(),
            found,
        }),
        None => Err(corrupt(path, "no \"version\" number")),
    }
}

/// The section of `backend` (`konverte`, `moco`), if the file exists and has one.
pub(crate) fn load_section(path: &Path, backend: &str) -> Result<Option<Value>, StateError> {
    let _one_at_a_time = lock(&FILES);
    Ok(read(path)?.and_then(|mut file| file.remove(backend)))
}

/// Writes `section` as the section of `backend`, keeping the other sections of the file.
pub(crate) fn save_section(path: &Path, backend: &str, section: Value) -> Result<(), StateError> {
    let _one_at_a_time = lock(&FILES);
    let mut file = read(path)?.unwrap_or_default();
    file.insert("version".into(), Value::from(STATE_VERSION));
    file.insert(backend.into(), section);
    let io = |source| StateError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_vec(&Value::Object(file)).map_err(|e| io(e.into()))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".writing");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

/// Serde helpers for maps whose keys are not strings: a list of `[key, value]` pairs.
pub(crate) mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<K, V, S>(map: &BTreeMap<K, V>, serializer: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        V: Serialize,
        S: Serializer,
    {
        serializer.collect_seq(map.iter())
    }

    pub(crate) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// Serde helper: bytes as a hex string.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_some(&hex::encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| hex::decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_of_two_backends_share_a_file() {
        let dir = std::env::temp_dir().join(format!("sandbox-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let _ = std::fs::remove_file(&path);
        assert!(load_section(&path, "moco").unwrap().is_none());
        save_section(&path, "moco", serde_json::json!({"a": 1})).unwrap();
        save_section(&path, "konverte", serde_json::json!({"b": 2})).unwrap();
        assert_eq!(load_section(&path, "moco").unwrap().unwrap()["a"], 1);
        assert_eq!(load_section(&path, "konverte").unwrap().unwrap()["b"], 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_or_foreign_file_is_refused_with_its_path() {
        let dir = std::env::temp_dir().join(format!("sandbox-corrupt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        std::fs::write(&path, "{\"version\": 1, \"moco\": ").unwrap();
        let error = load_section(&path, "moco").unwrap_err().to_string();
        assert!(
            error.contains("is corrupt") && error.contains("line 1"),
            "{error}"
        );
        assert!(error.contains("state.json"), "{error}");
        std::fs::write(&path, "{\"version\": 7}").unwrap();
        let error = load_section(&path, "moco").unwrap_err().to_string();
        assert!(error.contains("version 7"), "{error}");
        std::fs::write(&path, "[]").unwrap();
        assert!(matches!(
            load_section(&path, "moco"),
            Err(StateError::Corrupt { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
