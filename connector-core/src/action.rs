//! Declarations: every API operation described once, as data.
//!
//! Backends generate `&'static [ActionSpec]` tables from their manifests; the typed
//! API, the dynamic by-id API and the CLI all read these tables.

use serde::Serialize;
use serde_json::{Map, Value};

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// GET, PUT and DELETE may be repeated without changing the outcome (RFC 9110 §9.2.2).
    pub const fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }

    pub fn to_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Patch => http::Method::PATCH,
            Method::Delete => http::Method::DELETE,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Path,
    Query,
    Body,
    Header,
}

/// The type a parameter's value must have. Checked before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamType {
    String,
    /// A whole number. Given as a JSON number or a string of digits (`"42"`), never `"1/../2"`.
    Integer,
    Number,
    /// `true`/`false`, or the strings `"true"`/`"false"`; sent as a JSON boolean.
    Boolean,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// An RFC 3339 date-time, e.g. `2024-05-01T12:00:00Z`.
    DateTime,
    /// One of a fixed set of strings.
    Enum {
        values: &'static [&'static str],
    },
    /// A JSON object, given as an object or as JSON text that parses to one.
    Object,
    /// A JSON array, given as an array, JSON text, or a comma-separated list.
    Array {
        items: &'static ParamType,
    },
    /// Any JSON value.
    Json,
    /// An e-mail address (`local@domain`).
    Email,
    /// A password that must pass [`crate::validate::password`]; always treated as a secret.
    Password,
}

impl ParamType {
    /// Short name used in help texts and `connector actions --json`.
    pub fn name(&self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Date => "date",
            ParamType::DateTime => "date-time",
            ParamType::Enum { .. } => "enum",
            ParamType::Object => "object",
            ParamType::Array { .. } => "array",
            ParamType::Json => "json",
            ParamType::Email => "email",
            ParamType::Password => "password",
        }
    }

    /// The allowed values of an enum (or of an array's enum items).
    pub fn enum_values(&self) -> Option<&'static [&'static str]> {
        match self {
            ParamType::Enum { values } => Some(values),
            ParamType::Array { items } => items.enum_values(),
            _ => None,
        }
    }
}

/// One parameter of an operation, named as the API names it on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    #[serde(rename = "in")]
    pub location: Location,
    #[serde(flatten)]
    pub ty: ParamType,
    pub required: bool,
    pub help: &'static str,
    /// Masked in `--dry-run`, logs and errors.
    pub secret: bool,
}

impl ParamSpec {
    pub const fn new(name: &'static str, location: Location, ty: ParamType) -> Self {
        ParamSpec {
            name,
            location,
            ty,
            required: false,
            help: "",
            secret: matches!(ty, ParamType::Password),
        }
    }
    pub const fn path(name: &'static str, ty: ParamType) -> Self {
        Self::new(name, Location::Path, ty).required()
    }
    pub const fn query(name: &'static str, ty: ParamType) -> Self {
        Self::new(name, Location::Query, ty)
    }
    pub const fn body(name: &'static str, ty: ParamType) -> Self {
        Self::new(name, Location::Body, ty)
    }
    pub const fn header(name: &'static str, ty: ParamType) -> Self {
        Self::new(name, Location::Header, ty)
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
}

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// One response holds everything.
    None,
    /// A page-number query parameter (1-based); items sit at the JSON pointer `items`
    /// (`""` for a bare array), the total count (if the API gives one) at `total`
    /// (`""` when it does not). Paging stops at an empty page or once `total` items came.
    PageNumber {
        param: &'static str,
        items: &'static str,
        total: &'static str,
    },
    /// `Link: <...>; rel="next"` headers, with `X-Page`/`X-Per-Page`/`X-Total`.
    /// Items are the body's top-level array.
    LinkHeader,
}

impl Pagination {
    pub const fn is_paged(&self) -> bool {
        !matches!(self, Pagination::None)
    }
}

/// One API operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionSpec {
    /// Stable `resource.verb` id, e.g. `users.update`.
    pub id: &'static str,
    /// Resource group, e.g. `users`; the CLI's second level.
    pub resource: &'static str,
    /// Verb within the resource, e.g. `update`; the CLI's third level.
    pub verb: &'static str,
    /// Display name.
    pub name: &'static str,
    /// One line of help.
    pub summary: &'static str,
    pub method: Method,
    /// Path template relative to the base URL, with `{placeholders}`.
    pub path: &'static str,
    pub params: &'static [ParamSpec],
    pub pagination: Pagination,
    /// Safe to re-send after the bytes may have reached the server.
    pub idempotent: bool,
    /// Credential kinds accepted (backend-defined names); empty: no credential is sent.
    pub tokens: &'static [&'static str],
}

impl ActionSpec {
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn params_in(&self, location: Location) -> impl Iterator<Item = &'static ParamSpec> + '_ {
        self.params.iter().filter(move |p| p.location == location)
    }

    /// Placeholder names of the path template, in order.
    pub fn path_placeholders(&self) -> Vec<&'static str> {
        placeholders(self.path)
    }

    pub fn needs_token(&self) -> bool {
        !self.tokens.is_empty()
    }
}

/// Placeholder names of a path template, in order.
pub fn placeholders(template: &'static str) -> Vec<&'static str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    names
}

/// A typed request for one operation: the typed API's builders implement this, and
/// hand their input to the same pipeline as the dynamic by-id call.
pub trait Action: Send {
    /// The decoded response: a typed model, or `serde_json::Value` where the API gives no shape.
    type Output: serde::de::DeserializeOwned + Send;

    fn spec(&self) -> &'static ActionSpec;

    /// The input as wire-named fields, exactly as a dynamic caller would pass it.
    fn into_input(self) -> Map<String, Value>;
}

/// Looks up an action by id in a registry.
pub fn find<'a>(actions: &'a [ActionSpec], id: &str) -> Option<&'a ActionSpec> {
    actions.iter().find(|a| a.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_read_in_order() {
        assert_eq!(
            placeholders("/projects/{project_id}/tasks/{id}"),
            vec!["project_id", "id"]
        );
        assert!(placeholders("/api/v1/profile").is_empty());
        assert_eq!(placeholders("/a/{unterminated"), Vec::<&str>::new());
    }

    #[test]
    fn password_params_are_secret_by_default() {
        let p = ParamSpec::body("password", ParamType::Password);
        assert!(p.secret);
        assert!(!ParamSpec::body("name", ParamType::String).secret);
    }

    #[test]
    fn spec_serializes_with_wire_names() {
        const ITEMS: ParamType = ParamType::Integer;
        static PARAMS: [ParamSpec; 2] = [
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::query("ids", ParamType::Array { items: &ITEMS }),
        ];
        let v = serde_json::to_value(PARAMS[0]).unwrap();
        assert_eq!(v["in"], "path");
        assert_eq!(v["type"], "integer");
        assert_eq!(v["required"], true);
        let v = serde_json::to_value(PARAMS[1]).unwrap();
        assert_eq!(v["type"], "array");
        assert_eq!(v["required"], false);
    }
}
