//! The manifest format (see `xtask/MANIFEST.md`), read with serde.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    pub backend: String,
    pub client: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub actions: Vec<Action>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub summary: String,
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub tokens: Vec<String>,
    pub idempotent: Option<bool>,
    pub output: Option<String>,
    pub item: Option<String>,
    pub pagination: Option<Pagination>,
    #[serde(default)]
    pub params: Vec<Param>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    None,
    PageNumber {
        param: String,
        items: String,
        #[serde(default)]
        total: String,
    },
    LinkHeader,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub values: Vec<String>,
    pub items: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// One backend crate's manifest, all files merged in name order.
pub struct Loaded {
    pub crate_dir: PathBuf,
    pub backend: Backend,
    pub actions: Vec<Action>,
}

pub fn load(crate_dir: &Path) -> Result<Loaded, String> {
    let dir = crate_dir.join("manifest");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let backend: Backend = toml::from_str(&read(&dir.join("backend.toml"))?)
        .map_err(|e| format!("{}: {e}", dir.join("backend.toml").display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("backend.toml"))
        .collect();
    files.sort();
    let mut actions = Vec::new();
    for path in files {
        let file: File =
            toml::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        actions.extend(file.actions);
    }
    Ok(Loaded {
        crate_dir: crate_dir.to_path_buf(),
        backend,
        actions,
    })
}
