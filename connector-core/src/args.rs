//! Argument types of the typed builders: references by id or name, dates, files.

use base64::Engine as _;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A parameter that names another record: by id, or by a name the connector looks up
/// (a team's name, a user's e-mail, a project's identifier) before anything is written.
///
/// ```
/// use connector_core::Ref;
/// assert_eq!(Ref::from(5).into_value(), serde_json::json!(5));
/// assert_eq!(Ref::from("5").into_value(), serde_json::json!(5));
/// assert_eq!(Ref::from("Support").into_value(), serde_json::json!("name:Support"));
/// assert_eq!(Ref::name("12").into_value(), serde_json::json!("name:12"), "a name that looks like an id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ref {
    Id(i64),
    Name(String),
}

impl Ref {
    /// A name, even one that looks like a number.
    pub fn name(name: impl Into<String>) -> Ref {
        Ref::Name(name.into())
    }

    /// The input value the dynamic API takes: a number, or `name:<text>`.
    pub fn into_value(self) -> Value {
        match self {
            Ref::Id(id) => Value::from(id),
            Ref::Name(name) => Value::String(format!("name:{name}")),
        }
    }
}

macro_rules! ref_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Ref {
            fn from(id: $t) -> Self {
                Ref::Id(id as i64)
            }
        }
    )*};
}
ref_from_int!(i32, i64, u32, u16, u8);

impl From<u64> for Ref {
    fn from(id: u64) -> Self {
        i64::try_from(id).map_or_else(|_| Ref::Name(id.to_string()), Ref::Id)
    }
}

impl From<usize> for Ref {
    fn from(id: usize) -> Self {
        Ref::from(id as u64)
    }
}

/// Text is an id when it is a whole number, else a name.
impl From<&str> for Ref {
    fn from(text: &str) -> Self {
        text.trim()
            .parse::<i64>()
            .map_or_else(|_| Ref::Name(text.to_owned()), Ref::Id)
    }
}

impl From<String> for Ref {
    fn from(text: String) -> Self {
        Ref::from(text.as_str())
    }
}

impl From<&String> for Ref {
    fn from(text: &String) -> Self {
        Ref::from(text.as_str())
    }
}

/// A calendar date for a `date` parameter: a `chrono::NaiveDate`, or text `YYYY-MM-DD`
/// (checked before sending, like every input).
pub trait DateArg {
    fn into_value(self) -> Value;
}

impl DateArg for chrono::NaiveDate {
    fn into_value(self) -> Value {
        Value::String(self.format("%Y-%m-%d").to_string())
    }
}

/// A date-time for a `date-time` parameter: a `chrono::DateTime`, a `NaiveDateTime`, or
/// ISO 8601 text.
pub trait DateTimeArg {
    fn into_value(self) -> Value;
}

impl<Tz: chrono::TimeZone> DateTimeArg for chrono::DateTime<Tz>
where
    Tz::Offset: std::fmt::Display,
{
    fn into_value(self) -> Value {
        Value::String(self.to_rfc3339())
    }
}

impl DateTimeArg for chrono::NaiveDateTime {
    fn into_value(self) -> Value {
        Value::String(self.format("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

macro_rules! text_arg {
    ($($t:ty),*) => {$(
        impl DateArg for $t {
            fn into_value(self) -> Value {
                Value::String(self.to_string())
            }
        }
        impl DateTimeArg for $t {
            fn into_value(self) -> Value {
                Value::String(self.to_string())
            }
        }
    )*};
}
text_arg!(&str, String, &String);

/// A file for a `file` parameter: from a path (streamed from disk when sent as a part) or
/// from bytes in memory, with a file name and an optional content type.
///
/// ```
/// use connector_core::Attachment;
/// let a = Attachment::from_bytes("hello.txt", b"hi".to_vec()).content_type("text/plain");
/// assert_eq!(a.into_value()["base64"], "aGk=");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    source: Source,
    filename: Option<String>,
    content_type: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum Source {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Attachment");
        match &self.source {
            Source::Path(p) => d.field("path", p),
            Source::Bytes(b) => d.field("bytes", &b.len()),
        };
        d.field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl Attachment {
    /// A file on disk; its name is the path's last part unless [`Self::filename`] says otherwise.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Attachment {
            source: Source::Path(path.into()),
            filename: None,
            content_type: None,
        }
    }

    /// Bytes in memory under a file name.
    pub fn from_bytes(filename: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Attachment {
            source: Source::Bytes(bytes.into()),
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// The part's content type; by default it is guessed from the file name.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The input value the dynamic API takes (`{"path"}` or `{"filename", "base64"}`).
    pub fn into_value(self) -> Value {
        let mut m = Map::new();
        match self.source {
            Source::Path(p) => {
                m.insert(
                    "path".into(),
                    Value::String(p.to_string_lossy().into_owned()),
                );
            }
            Source::Bytes(b) => {
                m.insert(
                    "base64".into(),
                    Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
                );
            }
        }
        if let Some(name) = self.filename {
            m.insert("filename".into(), Value::String(name));
        }
        if let Some(ct) = self.content_type {
            m.insert("content_type".into(), Value::String(ct));
        }
        Value::Object(m)
    }
}

impl From<&Path> for Attachment {
    fn from(p: &Path) -> Self {
        Attachment::from_path(p)
    }
}

impl From<PathBuf> for Attachment {
    fn from(p: PathBuf) -> Self {
        Attachment::from_path(p)
    }
}

impl From<&str> for Attachment {
    fn from(p: &str) -> Self {
        Attachment::from_path(p)
    }
}
