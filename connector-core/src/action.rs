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
    /// A file: a part of its own in a multipart body, `{"filename", "base64"}` in a JSON body.
    /// Given as a path (`"@PATH"` in JSON input) or as an [`crate::Attachment`].
    File,
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
            ParamType::File => "file",
        }
    }

    /// Is this a file, or a list of files?
    pub fn is_file(&self) -> bool {
        match self {
            ParamType::File => true,
            ParamType::Array { items } => items.is_file(),
            _ => false,
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
    /// The server still takes it; the docs advise against it.
    pub deprecated: bool,
    /// The name on the wire when it is not `name`: a multipart part (`attachments[]`) or a
    /// Rails array in the query (`labels[]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wire: Option<&'static str>,
    /// With the action's `body_key`: this parameter stays at the top level of the body.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub top_level: bool,
    /// The parameter names another record; a name is looked up through this.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'static RefSpec>,
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
            deprecated: false,
            wire: None,
            top_level: false,
            reference: None,
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
    pub const fn reference(mut self, reference: &'static RefSpec) -> Self {
        self.reference = Some(reference);
        self
    }
    /// The form name of the parameter in a multipart body.
    pub fn wire_name(&self) -> &'static str {
        self.wire.unwrap_or(self.name)
    }
}

/// How a parameter that names another record finds it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefSpec {
    /// The action that lists candidates (or fetches a record that embeds them).
    pub action: &'static str,
    /// Parameters of `action` taken from this action's input: `(its name, our name)`.
    pub scope: &'static [(&'static str, &'static str)],
    /// JSON pointer to the candidates in `action`'s answer; `""`: its declared items.
    pub items: &'static str,
    /// The candidate's field whose value is sent.
    pub id: &'static str,
    /// What a name may match: a field path (`name`, `customer.name`) or a template of
    /// paths in braces (`{firstname} {lastname}`).
    pub matches: &'static [&'static str],
}

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// One response holds everything.
    None,
    /// A page-number query parameter (1-based). The total count, if the API gives one, is
    /// at the JSON pointer `total`, and a "there is more" flag at `has_more` (`""` where the
    /// API has none). Paging stops at an empty, repeated or short page, at `has_more = false`,
    /// or once `total` items came.
    PageNumber {
        param: &'static str,
        total: &'static str,
        has_more: &'static str,
    },
    /// `Link: <...>; rel="next"` headers, with `X-Page`/`X-Per-Page`/`X-Total`.
    LinkHeader,
    /// Id cursors, newest first: the next page is asked for with `before = <smallest id
    /// seen>` (the id at the pointer `id` of each item) until a page comes back empty;
    /// `after` (`""` where the API has none) walks forward from a known id.
    Cursor {
        before: &'static str,
        after: &'static str,
        id: &'static str,
    },
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
    /// JSON pointer to the record or list in the answer (`""`: the whole body).
    pub envelope: &'static str,
    /// How body parameters travel.
    pub body: BodyKind,
    /// Nest every body parameter under this key (Rails' `params.require(:key)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_key: Option<&'static str>,
    pub response: ResponseKind,
    /// The server files or docs sections this declaration was checked against.
    pub checked_against: &'static [&'static str],
    /// Default columns for tables and csv (field paths).
    pub columns: &'static [&'static str],
    pub deprecated: bool,
}

/// A resource: a group of actions (the CLI's second level), with its help and the fields
/// tables and csv show by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResourceSpec {
    pub name: &'static str,
    pub help: &'static str,
    pub columns: &'static [&'static str],
}

/// How an action's body parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// One JSON object (a file goes as `{"filename", "base64"}`).
    Json,
    /// `multipart/form-data`: fields, nested objects as `key[sub]`, files as parts.
    Multipart,
    /// Multipart when a file parameter is given, JSON otherwise.
    Auto,
    /// No body.
    None,
}

/// What an action answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    Json,
    /// A file (a PDF, an attachment, a CSV export): streamed, with its content type and name.
    Bytes,
}

impl ActionSpec {
    /// Every field at its default, for `..ActionSpec::BLANK` in hand-written declarations.
    pub const BLANK: ActionSpec = ActionSpec::new("", Method::Get, "");

    /// A declaration with the defaults of everything but its id, method and path; the
    /// resource and verb are read from the id. For tests and one-off declarations:
    /// `ActionSpec { params: &[...], ..ActionSpec::new("users.get", Method::Get, "/users/{id}") }`.
    pub const fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        let (resource, verb) = split_id(id);
        ActionSpec {
            id,
            resource,
            verb,
            name: "",
            summary: "",
            method,
            path,
            params: &[],
            pagination: Pagination::None,
            idempotent: method.is_idempotent(),
            tokens: &[],
            envelope: "",
            body: BodyKind::Json,
            body_key: None,
            response: ResponseKind::Json,
            checked_against: &[],
            columns: &[],
            deprecated: false,
        }
    }

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

/// `resource.verb` split at its first dot, in a const context.
const fn split_id(id: &'static str) -> (&'static str, &'static str) {
    let bytes = id.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' {
            let (resource, rest) = id.split_at(i);
            let (_, verb) = rest.split_at(1);
            return (resource, verb);
        }
        i += 1;
    }
    (id, "")
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
    fn new_reads_resource_and_verb_from_the_id() {
        let a = ActionSpec::new("contact_notes.list", Method::Get, "/n");
        assert_eq!((a.resource, a.verb), ("contact_notes", "list"));
        assert!(a.idempotent);
        assert!(!ActionSpec::new("x.create", Method::Post, "/x").idempotent);
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
