//! Where things go: data on stdout (JSON, JSON Lines or a table), people's messages
//! on stderr (errors, warnings, the progress bar, the batch summary). Colours only on
//! a terminal and never with `NO_COLOR` (anstream strips them otherwise).

use crate::options::OutputFormat;
use crate::terminal;
use comfy_table::{ContentArrangement, Table, presets};
use connector_core::Summary;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::sync::Mutex;

/// Credentials of this invocation: never printed, even when an API echoes them back
/// (Chatwoot's profile answer carries the caller's own `access_token`).
static SECRETS: Mutex<Vec<SecretString>> = Mutex::new(Vec::new());

/// Shorter values are not masked inside other text (they would mask too much).
const MIN_SECRET_LEN: usize = 6;

/// Registers a credential to mask as `***` wherever output would show it.
pub fn protect(secret: &SecretString) {
    if secret.expose_secret().len() >= MIN_SECRET_LEN {
        let mut all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
        all.push(secret.clone());
    }
}

fn redact_text(text: &str) -> Cow<'_, str> {
    let all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in all.iter() {
        let secret = secret.expose_secret();
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, connector_core::MASK));
        }
    }
    out
}

fn has_secrets() -> bool {
    !SECRETS.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
}

/// Masks every registered credential inside the strings of `value`.
pub fn redact(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(masked) = redact_text(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => map.values_mut().for_each(redact),
        _ => {}
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

// Messages quote servers and inputs (an API's error text, a file's line): control
// characters in them are escaped ([`terminal::escape`]) so they show instead of acting.

/// `error: <message>` on stderr.
pub fn error(message: impl std::fmt::Display) {
    let text = message.to_string();
    let text = redact_text(&text);
    anstream::eprintln!("{RED}error:{RESET} {}", terminal::escape(&text));
}

/// `warning: <message>` on stderr.
pub fn warn(message: impl std::fmt::Display) {
    let text = message.to_string();
    let text = redact_text(&text);
    anstream::eprintln!("{YELLOW}warning:{RESET} {}", terminal::escape(&text));
}

/// A plain note on stderr (unless `quiet`).
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        let text = message.to_string();
        anstream::eprintln!("{}", terminal::escape(&redact_text(&text)));
    }
}

/// The end-of-batch line: `ok N, failed N, skipped N`.
pub fn summary(summary: &Summary) {
    let failed = if summary.failed > 0 { RED } else { GREEN };
    anstream::eprintln!(
        "{GREEN}ok {}{RESET}, {failed}failed {}{RESET}, skipped {}",
        summary.ok,
        summary.failed,
        summary.skipped
    );
}

/// Buffered stdout. Flushed at the end, after every line when stdout is a terminal,
/// and whenever a caller says so.
#[derive(Debug)]
pub struct Out {
    writer: BufWriter<Stdout>,
    tty: bool,
    table_rows: Vec<Value>,
    /// Items written so far into an open JSON array (`--output json` for a stream).
    array: Option<usize>,
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

impl Out {
    pub fn new() -> Self {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        Out {
            writer: BufWriter::with_capacity(64 * 1024, stdout),
            tty,
            table_rows: Vec::new(),
            array: None,
        }
    }

    /// Starts a stream of items (a list or a batch): with `--output json` they form one
    /// JSON array, written as they come, one item per line.
    pub fn begin_stream(&mut self, format: Option<OutputFormat>) -> io::Result<()> {
        if format == Some(OutputFormat::Json) {
            self.writer.write_all(b"[")?;
            self.array = Some(0);
        }
        Ok(())
    }

    /// One document (a single call's answer): pretty JSON on a terminal, compact
    /// otherwise; or a table.
    pub fn document(&mut self, value: &Value, format: Option<OutputFormat>) -> io::Result<()> {
        let mut masked;
        let value = if has_secrets() {
            masked = value.clone();
            redact(&mut masked);
            &masked
        } else {
            value
        };
        match format {
            Some(OutputFormat::Table) => {
                let text = render_table(value);
                writeln!(self.writer, "{text}")?;
            }
            Some(OutputFormat::Jsonl) => self.write_compact(value)?,
            Some(OutputFormat::Json) | None => {
                if self.tty {
                    serde_json::to_writer_pretty(&mut self.writer, value)?;
                    self.writer.write_all(b"\n")?;
                } else {
                    self.write_compact(value)?;
                }
            }
        }
        self.flush_if_tty()
    }

    /// One line of a stream (JSON Lines), or a row collected for a table at the end.
    pub fn line(&mut self, mut value: Value, format: Option<OutputFormat>) -> io::Result<()> {
        if has_secrets() {
            redact(&mut value);
        }
        if format == Some(OutputFormat::Table) {
            self.table_rows.push(value);
            return Ok(());
        }
        if let Some(count) = &mut self.array {
            self.writer
                .write_all(if *count == 0 { b"\n" } else { b",\n" })?;
            *count += 1;
            serde_json::to_writer(&mut self.writer, &value)?;
        } else {
            self.write_compact(&value)?;
        }
        self.flush_if_tty()
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    fn write_compact(&mut self, value: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.writer, value)?;
        self.writer.write_all(b"\n")
    }

    fn flush_if_tty(&mut self) -> io::Result<()> {
        if self.tty {
            self.writer.flush()
        } else {
            Ok(())
        }
    }

    /// Closes an open JSON array, writes any collected table and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        match self.array.take() {
            Some(0) => self.writer.write_all(b"]\n")?,
            Some(_) => self.writer.write_all(b"\n]\n")?,
            None => {}
        }
        if !self.table_rows.is_empty() {
            let rows = Value::Array(std::mem::take(&mut self.table_rows));
            let text = render_table(&rows);
            writeln!(self.writer, "{text}")?;
        }
        self.writer.flush()
    }
}

/// A table of a value: a list of objects gets one column per key; an object gets
/// key/value rows; anything else one cell.
pub fn render_table(value: &Value) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let mut columns: Vec<String> = Vec::new();
            for item in items {
                if let Value::Object(map) = item {
                    for key in map.keys() {
                        if !columns.contains(key) {
                            columns.push(key.clone());
                        }
                    }
                }
            }
            table.set_header(columns.clone());
            for item in items {
                table.add_row(
                    columns
                        .iter()
                        .map(|c| cell(item.get(c).unwrap_or(&Value::Null)))
                        .collect::<Vec<_>>(),
                );
            }
        }
        Value::Array(items) => {
            table.set_header(vec!["value"]);
            for item in items {
                table.add_row(vec![cell(item)]);
            }
        }
        Value::Object(map) => {
            table.set_header(vec!["field", "value"]);
            for (k, v) in map {
                table.add_row(vec![k.clone(), cell(v)]);
            }
        }
        other => {
            table.add_row(vec![cell(other)]);
        }
    }
    table.to_string()
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registered_secrets_are_masked() {
        protect(&SecretString::from("abcdef-secret"));
        protect(&SecretString::from("abc"));
        let mut v =
            json!({"access_token": "abcdef-secret", "n": ["Bearer abcdef-secret"], "short": "abc"});
        redact(&mut v);
        assert_eq!(
            v,
            json!({"access_token": "***", "n": ["Bearer ***"], "short": "abc"})
        );
    }

    #[test]
    fn tables_have_a_column_per_key() {
        let t = render_table(&json!([{"id": 1, "name": "Ada"}, {"id": 2, "email": "b@x"}]));
        for word in ["id", "name", "email", "Ada", "b@x"] {
            assert!(t.contains(word), "{t}");
        }
        let t = render_table(&json!({"id": 7}));
        assert!(t.contains("field") && t.contains('7'));
    }
}
