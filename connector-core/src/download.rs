//! Answers that are files (a PDF, an attachment, a CSV export): a stream of bytes with its
//! content type and file name, in constant memory.

use crate::error::Error;
use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A file the API answered with. Read it once: as a stream, into a writer, or to a path.
pub struct Download {
    /// The server's content type, e.g. `application/pdf`.
    pub content_type: Option<String>,
    /// From `Content-Disposition`, else derived from the action and its id
    /// (`invoices-pdf-42.pdf`); never a path (no `/`, `\`, control characters or leading dot).
    pub filename: String,
    /// `Content-Length`, when the server sent one.
    pub length: Option<u64>,
    stream: BoxStream<'static, Result<Bytes, Error>>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_type", &self.content_type)
            .field("filename", &self.filename)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl Download {
    pub(crate) fn new(
        response: reqwest::Response,
        fallback_name: &str,
        idle_timeout: Option<Duration>,
    ) -> Download {
        let header = |name: http::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(http::header::CONTENT_TYPE);
        let filename = header(http::header::CONTENT_DISPOSITION)
            .and_then(|d| filename_from_disposition(&d))
            .map(|n| sanitize(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| with_extension(fallback_name, content_type.as_deref()));
        let length = response.content_length();
        let body = response.bytes_stream().map(|chunk| {
            chunk.map_err(|e| Error::Connect {
                message: format!(
                    "the download broke off: {}",
                    crate::transport::chain(&e.without_url())
                ),
                maybe_sent: true,
            })
        });
        let stream = match idle_timeout {
            None => body.boxed(),
            Some(idle) => idle_limited(body.boxed(), idle),
        };
        Download {
            content_type,
            filename,
            length,
            stream,
        }
    }

    /// The bytes as they arrive.
    pub fn into_stream(self) -> BoxStream<'static, Result<Bytes, Error>> {
        self.stream
    }

    /// Copies every byte into `out`; returns how many.
    pub async fn write_into<W: AsyncWrite + Unpin>(self, out: &mut W) -> Result<u64, Error> {
        let mut stream = self.stream;
        let mut n = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            out.write_all(&chunk).await.map_err(write_error)?;
            n += chunk.len() as u64;
        }
        out.flush().await.map_err(write_error)?;
        Ok(n)
    }

    /// Writes the file to `path` (through a temporary file beside it, renamed when complete,
    /// so a broken download never leaves a truncated file under the final name). Returns
    /// the number of bytes.
    pub async fn write_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let partial = partial_path(path);
        let created = partial.clone();
        let file = crate::blocking::run(move || std::fs::File::create(created))
            .await
            .map_err(|e| Error::Config(format!("cannot write {}: {e}", partial.display())))?;
        let mut file = tokio::fs::File::from_std(file);
        let written = self.write_into(&mut file).await;
        drop(file);
        let (from, to) = (partial.clone(), path.to_path_buf());
        match written {
            Ok(n) => {
                crate::blocking::run(move || std::fs::rename(from, to))
                    .await
                    .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))?;
                Ok(n)
            }
            Err(e) => {
                let _ = crate::blocking::run(move || std::fs::remove_file(from)).await;
                Err(e)
            }
        }
    }

    /// Every byte in memory (small files only).
    pub async fn bytes(self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.length.unwrap_or(0).min(1 << 20) as usize);
        let mut stream = self.stream;
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::Config(format!("cannot write the download: {e}"))
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    path.with_file_name(name)
}

/// Ends the stream with a timeout error when no byte came for `idle`.
fn idle_limited(
    stream: BoxStream<'static, Result<Bytes, Error>>,
    idle: Duration,
) -> BoxStream<'static, Result<Bytes, Error>> {
    futures::stream::unfold(Some(stream), move |state| async move {
        let mut stream = state?;
        match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(item)) => Some((item, Some(stream))),
            Ok(None) => None,
            Err(_) => Some((
                Err(Error::Timeout {
                    after: idle,
                    maybe_sent: true,
                }),
                None,
            )),
        }
    })
    .boxed()
}

/// `attachment; filename="a.pdf"; filename*=UTF-8''a%20b.pdf`: the RFC 6266 name, the
/// extended (`filename*`) form first.
pub fn filename_from_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in split_params(header) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "filename*" {
            let (charset, rest) = value.split_once('\'').unwrap_or(("", value));
            let encoded = rest.split_once('\'').map_or(rest, |(_, v)| v);
            if charset.eq_ignore_ascii_case("utf-8") || charset.is_empty() {
                extended = percent_encoding::percent_decode_str(encoded)
                    .decode_utf8()
                    .ok()
                    .map(|s| s.into_owned());
            }
        } else if key == "filename" {
            plain = Some(unquote(value));
        }
    }
    extended.or(plain)
}

/// Splits at `;` outside quotes.
fn split_params(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

/// A file name a server chose, made safe to create in a directory: its last path part,
/// without control characters, never hidden (`.x`) and never `.` or `..`.
pub fn sanitize(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    clean.trim().trim_start_matches('.').to_owned()
}

fn with_extension(base: &str, content_type: Option<&str>) -> String {
    let ext = content_type
        .and_then(|ct| ct.split(';').next())
        .map(str::trim)
        .and_then(|ct| match ct {
            // mime_guess lists several; pick the one people expect.
            "application/pdf" => Some("pdf"),
            "text/csv" => Some("csv"),
            "application/zip" => Some("zip"),
            "image/jpeg" => Some("jpg"),
            "text/plain" => Some("txt"),
            other => mime_guess::get_mime_extensions_str(other).and_then(|e| e.first().copied()),
        });
    let base = sanitize(base);
    match ext {
        Some(ext) if !base.contains('.') => format!("{base}.{ext}"),
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_from_content_disposition() {
        let f = filename_from_disposition;
        assert_eq!(
            f(r#"attachment; filename="invoice 1.pdf""#).as_deref(),
            Some("invoice 1.pdf")
        );
        assert_eq!(f("attachment; filename=a.pdf").as_deref(), Some("a.pdf"));
        assert_eq!(
            f(r#"attachment; filename="fallback.pdf"; filename*=UTF-8''Rechnung%20%C3%A4.pdf"#)
                .as_deref(),
            Some("Rechnung ä.pdf")
        );
        assert_eq!(
            f(r#"attachment; filename="a;b.pdf""#).as_deref(),
            Some("a;b.pdf")
        );
        assert_eq!(
            f(r#"inline; filename="q\"uote.pdf""#).as_deref(),
            Some("q\"uote.pdf")
        );
        assert_eq!(f("inline"), None);
    }

    #[test]
    fn server_names_cannot_escape_the_directory() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(sanitize(".bashrc"), "bashrc");
        assert_eq!(sanitize(".."), "");
        assert_eq!(sanitize("a\u{1b}[31mb.pdf"), "a[31mb.pdf");
        assert_eq!(
            with_extension("invoices-pdf-7", Some("application/pdf")),
            "invoices-pdf-7.pdf"
        );
        assert_eq!(with_extension("x", None), "x");
        assert_eq!(with_extension("photo.jpg", Some("image/jpeg")), "photo.jpg");
    }

    proptest! {
        #[test]
        fn a_sanitized_name_is_one_plain_path_part(name in ".{0,80}") {
            let s = sanitize(&name);
            prop_assert!(!s.contains('/') && !s.contains('\\'));
            prop_assert!(!s.starts_with('.'));
            prop_assert!(!s.chars().any(char::is_control));
        }

        #[test]
        fn a_quoted_name_reads_back(name in "[a-zA-Z0-9 ._-]{1,40}") {
            let header = format!("attachment; filename=\"{name}\"");
            prop_assert_eq!(filename_from_disposition(&header), Some(name));
        }
    }
}
