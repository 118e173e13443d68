//! The manifest format (see `xtask/MANIFEST.md`), read with serde. Every enumerated word is
//! an enum here, so a typo fails with its file, line and column.

use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendFile {
    pub backend: String,
    pub client: String,
    /// Parameter blocks every resource may use.
    #[serde(default)]
    pub params: IndexMap<String, Param>,
    /// What was deliberately not declared, and why (shown in ACTIONS.md).
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    /// How array query parameters travel: `comma` (`ids=1,2`) or `brackets` (`ids[]=1&ids[]=2`, Rails).
    #[serde(default)]
    pub query_arrays: QueryArrays,
    /// Hidden first lines of the generated handler doc examples, inside an async `main`
    /// returning `Result<(), Error>`: they start the sandbox as `sandbox` and bind `client`.
    /// Without it the handlers get no example.
    #[serde(default)]
    pub doc_setup: Option<String>,
    /// Path parameters with no record 1 in the sandbox: an action taking one gets no example.
    #[serde(default)]
    pub doc_unseeded: Vec<String>,
    /// Values, as Rust expressions, for parameters a doc example must name that are not
    /// integer ids of a seeded record 1: text ids and required queries the sandbox's seed data
    /// answers (`portal_slug = '"help"'`). An action needing a parameter not in here and not
    /// an integer path parameter gets no example.
    #[serde(default)]
    pub doc_values: BTreeMap<String, String>,
    /// Cargo features of the crate besides its resource groups (an optional part such as the
    /// web hook receiver), written into `Cargo.toml` with the generated ones.
    #[serde(default)]
    pub features: IndexMap<String, CrateFeature>,
}

/// One cargo feature of the crate that is not a resource group.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CrateFeature {
    /// One line: what turning it on compiles.
    pub help: String,
    /// The feature's value in `Cargo.toml` (`dep:axum`, `connector-core/listener`).
    #[serde(default)]
    pub enables: Vec<String>,
    /// In `default`, beside `full`.
    #[serde(default)]
    pub default: bool,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum QueryArrays {
    #[default]
    Comma,
    Brackets,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    pub what: String,
    pub why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceFile {
    pub resource: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub params: IndexMap<String, Param>,
    #[serde(default)]
    pub models: IndexMap<String, Model>,
    #[serde(default)]
    pub enums: IndexMap<String, EnumDecl>,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// The body of the handler's doc example, when none can be derived (no list or GET that
    /// the sandbox's seed data answers): Rust lines after `doc_setup`, with `client` bound,
    /// run against the sandbox by `cargo test`.
    #[serde(default)]
    pub doc_example: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
    pub fn variant(self) -> &'static str {
        match self {
            Method::Get => "Method::Get",
            Method::Post => "Method::Post",
            Method::Put => "Method::Put",
            Method::Patch => "Method::Patch",
            Method::Delete => "Method::Delete",
        }
    }
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    #[default]
    Json,
    Multipart,
    Auto,
    None,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ResponseKind {
    #[default]
    Json,
    Bytes,
}

/// A string or a list of strings.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub summary: String,
    pub method: Method,
    pub path: String,
    #[serde(default)]
    pub tokens: Vec<String>,
    #[serde(default)]
    pub checked_against: OneOrMany,
    #[serde(default)]
    pub uses: Vec<String>,
    pub idempotent: Option<bool>,
    pub output: Option<String>,
    pub item: Option<String>,
    #[serde(default)]
    pub envelope: String,
    pub pagination: Option<Pagination>,
    #[serde(default)]
    pub body: BodyKind,
    pub body_key: Option<String>,
    #[serde(default)]
    pub response: ResponseKind,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub params: Vec<Param>,
}

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    None,
    PageNumber {
        param: String,
        #[serde(default)]
        total: String,
        #[serde(default)]
        has_more: String,
    },
    LinkHeader,
    Cursor {
        before: String,
        #[serde(default)]
        after: String,
        #[serde(default = "default_id_pointer")]
        id: String,
    },
}

fn default_id_pointer() -> String {
    "/id".into()
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Path,
    Query,
    Body,
    Header,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Body => "body",
            Location::Header => "header",
        }
    }
    pub fn variant(self) -> &'static str {
        match self {
            Location::Path => "Location::Path",
            Location::Query => "Location::Query",
            Location::Body => "Location::Body",
            Location::Header => "Location::Header",
        }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Date,
    DateTime,
    Enum,
    Object,
    Array,
    Json,
    Email,
    Password,
    File,
}

impl Type {
    pub fn as_str(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::Date => "date",
            Type::DateTime => "date-time",
            Type::Enum => "enum",
            Type::Object => "object",
            Type::Array => "array",
            Type::Json => "json",
            Type::Email => "email",
            Type::Password => "password",
            Type::File => "file",
        }
    }
}

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Required in an action's `params`; in a block it defaults to the block's key.
    pub name: Option<String>,
    #[serde(rename = "in")]
    pub location: Location,
    #[serde(rename = "type")]
    pub ty: Type,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub values: Vec<String>,
    /// The generated enum's name, when the default does not fit.
    #[serde(rename = "enum")]
    pub enum_name: Option<String>,
    pub items: Option<Type>,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub deprecated: bool,
    pub wire: Option<String>,
    #[serde(default)]
    pub top_level: bool,
    #[serde(rename = "ref")]
    pub reference: Option<Ref>,
}

impl Param {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
    /// The type of the scalar values: the item type of an array, else the type itself.
    pub fn scalar(&self) -> Type {
        if self.ty == Type::Array {
            self.items.unwrap_or(Type::Json)
        } else {
            self.ty
        }
    }
}

#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    pub action: String,
    #[serde(default)]
    pub scope: BTreeMap<String, String>,
    #[serde(default)]
    pub items: String,
    #[serde(default = "default_id_field")]
    pub id: String,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
}

fn default_id_field() -> String {
    "id".into()
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[serde(default)]
    pub doc: String,
    pub fields: IndexMap<String, Field>,
}

/// A model field: its type, or its type with a line of documentation.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum Field {
    Type(String),
    Documented {
        #[serde(rename = "type")]
        ty: String,
        #[serde(default)]
        doc: String,
    },
}

impl Field {
    pub fn ty(&self) -> &str {
        match self {
            Field::Type(t) => t,
            Field::Documented { ty, .. } => ty,
        }
    }
    pub fn doc(&self) -> &str {
        match self {
            Field::Type(_) => "",
            Field::Documented { doc, .. } => doc,
        }
    }
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct EnumDecl {
    #[serde(default)]
    pub doc: String,
    pub values: Vec<String>,
}

/// One action with its shared blocks resolved into its parameter list.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub action: Action,
    pub params: Vec<Param>,
    pub resource: String,
    pub verb: String,
    /// The file it came from, for messages.
    pub file: PathBuf,
}

pub struct Resource {
    pub name: String,
    pub help: String,
    pub columns: Vec<String>,
    pub models: IndexMap<String, Model>,
    pub enums: IndexMap<String, EnumDecl>,
    pub doc_example: Option<String>,
}

/// One backend crate's manifest, every file read and every `uses` resolved.
pub struct Loaded {
    pub crate_dir: PathBuf,
    pub backend: BackendFile,
    pub resources: Vec<Resource>,
    pub actions: Vec<Resolved>,
}

impl Loaded {
    pub fn name(&self) -> &str {
        &self.backend.backend
    }
}

pub fn load(crate_dir: &Path) -> Result<Loaded, String> {
    let dir = crate_dir.join("manifest");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let backend_path = dir.join("backend.toml");
    let backend: BackendFile = toml::from_str(&read(&backend_path)?)
        .map_err(|e| format!("{}: {e}", backend_path.display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("backend.toml"))
        .collect();
    files.sort();
    let mut resources = Vec::new();
    let mut actions = Vec::new();
    for path in files {
        let file: ResourceFile =
            toml::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if file.resource != stem {
            return Err(format!(
                "{}: declares resource `{}`; a resource lives in the file named after it ({}.toml)",
                path.display(),
                file.resource,
                file.resource
            ));
        }
        for action in &file.actions {
            let Some((resource, verb)) = action.id.split_once('.') else {
                return Err(format!(
                    "{}: `{}`: ids read `resource.verb`",
                    path.display(),
                    action.id
                ));
            };
            if resource != file.resource {
                return Err(format!(
                    "{}: `{}` belongs in {resource}.toml, not in the `{}` resource's file",
                    path.display(),
                    action.id,
                    file.resource
                ));
            }
            let mut params = resolve_params(action, &file.params, &backend.params)
                .map_err(|e| format!("{}: `{}`: {e}", path.display(), action.id))?;
            if backend.query_arrays == QueryArrays::Brackets {
                for p in &mut params {
                    if p.location == Location::Query && p.ty == Type::Array && p.wire.is_none() {
                        p.wire = Some(format!("{}[]", p.name().trim_end_matches("[]")));
                    }
                }
            }
            actions.push(Resolved {
                action: action.clone(),
                params,
                resource: resource.to_owned(),
                verb: verb.to_owned(),
                file: path.clone(),
            });
        }
        resources.push(Resource {
            name: file.resource,
            help: file.help,
            columns: file.columns,
            models: file.models,
            enums: file.enums,
            doc_example: file.doc_example,
        });
    }
    Ok(Loaded {
        crate_dir: crate_dir.to_path_buf(),
        backend,
        resources,
        actions,
    })
}

/// The blocks named in `uses` (resource blocks before backend ones), then the action's own.
fn resolve_params(
    action: &Action,
    resource_blocks: &IndexMap<String, Param>,
    backend_blocks: &IndexMap<String, Param>,
) -> Result<Vec<Param>, String> {
    let mut out = Vec::new();
    for key in &action.uses {
        let block = resource_blocks
            .get(key)
            .or_else(|| backend_blocks.get(key))
            .ok_or_else(|| format!("`uses` names `{key}`, but no `[params.{key}]` block exists"))?;
        let mut p = block.clone();
        if p.name.is_none() {
            p.name = Some(key.clone());
        }
        out.push(p);
    }
    for p in &action.params {
        if p.name.as_deref().is_none_or(str::is_empty) {
            return Err("a parameter has no `name`".into());
        }
        out.push(p.clone());
    }
    Ok(out)
}
