//! stdout: answers and items in the chosen format. An item (of a list, a page or a
//! batch) goes through `--jq`, then `--fields`, then the format; a single call's
//! answer is unwrapped from its declared envelope first, unless it is printed as the
//! plain JSON it came as.
//!
//! `Out` is the output value of a command: it carries the command's [`Redactor`], so
//! data on stdout and the messages it prints on stderr (`error`, `warn`, `note`, `fail`)
//! never show the credentials in use.

use crate::exit;
use crate::jq::Jq;
use crate::output;
use crate::redact::Redactor;
use crate::render;
use crate::terminal;
use connector_core::{ActionSpec, Error};
use serde_json::Value;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Json,
    Jsonl,
    Table,
    Csv,
    /// Only the ids, one per line.
    Ids,
}

/// The words of `--output` (and of `CONNECTOR_OUTPUT` and the profile key `output`).
pub const OUTPUT_FORMATS: [&str; 5] = ["json", "jsonl", "table", "csv", "ids"];

impl OutputFormat {
    pub fn parse(word: &str) -> Option<OutputFormat> {
        Some(match word.trim() {
            "json" => OutputFormat::Json,
            "jsonl" => OutputFormat::Jsonl,
            "table" => OutputFormat::Table,
            "csv" => OutputFormat::Csv,
            "ids" => OutputFormat::Ids,
            _ => return None,
        })
    }
}

/// Buffered stdout. Flushed at the end, after every line when stdout is a terminal,
/// and whenever a caller says so.
#[derive(Debug)]
pub struct Out {
    writer: BufWriter<Stdout>,
    tty: bool,
    /// The credentials of this command, masked in everything printed.
    redactor: Redactor,
    table_rows: Vec<Value>,
    /// Items written so far into an open JSON array (`--output json` for a stream).
    array: Option<usize>,
    /// `--fields`.
    fields: Vec<String>,
    jq: Option<Jq>,
    /// The declared columns of the resource being listed.
    columns: &'static [&'static str],
    /// The csv columns, once the header is written.
    csv_header: Option<Vec<String>>,
    /// Items `--jq` failed on (each reported on stderr).
    jq_failures: usize,
    /// Items `--output ids` found no id in.
    without_id: usize,
}

impl Out {
    /// Stdout for a command whose credentials `redactor` masks.
    pub fn new(redactor: Redactor) -> Self {
        let stdout = io::stdout();
        let tty = stdout.is_terminal();
        Out {
            writer: BufWriter::with_capacity(64 * 1024, stdout),
            tty,
            redactor,
            table_rows: Vec::new(),
            array: None,
            fields: Vec::new(),
            jq: None,
            columns: &[],
            csv_header: None,
            jq_failures: 0,
            without_id: 0,
        }
    }

    /// With `--fields` and `--jq` (the expression was checked when the flags were read).
    pub fn with_view(mut self, fields: &[String], jq: Option<&str>) -> Self {
        self.fields = fields.to_vec();
        self.jq = jq.and_then(|code| Jq::compile(code).ok());
        self
    }

    /// `error: <message>` on stderr, the credentials masked.
    pub fn error(&self, message: impl std::fmt::Display) {
        output::error(self.redactor.text(&message.to_string()));
    }

    /// `warning: <message>` on stderr, the credentials masked.
    pub fn warn(&self, message: impl std::fmt::Display) {
        output::warn(self.redactor.text(&message.to_string()));
    }

    /// A note on stderr (unless `quiet`), the credentials masked.
    pub fn note(&self, quiet: bool, message: impl std::fmt::Display) {
        if !quiet {
            output::note(false, self.redactor.text(&message.to_string()));
        }
    }

    /// Prints `error` (masked) and returns its exit code.
    pub fn fail(&self, error: &Error) -> u8 {
        self.error(error);
        exit::for_error(error)
    }

    /// The exit code after a failed write to stdout (see [`write_failed`]).
    pub fn write_failed(&self, e: &io::Error) -> u8 {
        write_failed(e, |message| self.error(message))
    }

    /// The default columns for tables and csv: the listed resource's declared ones
    /// (not for what `--jq` made of its items).
    pub fn use_columns(&mut self, spec: &'static ActionSpec) {
        if self.jq.is_none() {
            self.columns = spec.columns;
        }
    }

    /// Starts a stream of items (a list or a batch): with `--output json` they form one
    /// JSON array, written as they come, one item per line.
    pub fn begin_stream(&mut self, format: Option<OutputFormat>) -> io::Result<()> {
        if format == Some(OutputFormat::Json) && self.array.is_none() {
            self.writer.write_all(b"[")?;
            self.array = Some(0);
        }
        Ok(())
    }

    /// One document as it is (a dry run, a helper's answer): pretty JSON on a terminal,
    /// compact otherwise; or a table, csv or ids of it.
    pub fn document(&mut self, value: &Value, format: Option<OutputFormat>) -> io::Result<()> {
        let mut value = value.clone();
        self.redactor.value(&mut value);
        match format {
            Some(OutputFormat::Json) | None => self.write_json(&value)?,
            Some(OutputFormat::Jsonl) => self.write_compact(&value)?,
            Some(OutputFormat::Table) => {
                let text = match &value {
                    Value::Array(items) => {
                        let columns = render::columns(items, &self.fields, self.columns);
                        render::list_table(items, &columns, render::width())
                    }
                    record => render::record_table(record, &self.fields, render::width()),
                };
                writeln!(self.writer, "{text}")?;
            }
            Some(OutputFormat::Csv | OutputFormat::Ids) => match value {
                Value::Array(items) => {
                    for item in items {
                        self.formatted(item, format)?;
                    }
                }
                record => self.formatted(record, format)?,
            },
        }
        self.flush_if_tty()
    }

    /// A request shown by `--dry-run`: JSON or a table; never cut down to ids or csv
    /// (a format a profile may have chosen for answers).
    pub fn request(&mut self, shown: &Value, format: Option<OutputFormat>) -> io::Result<()> {
        let format = match format {
            Some(OutputFormat::Ids | OutputFormat::Csv) => None,
            other => other,
        };
        self.document(shown, format)
    }

    /// A single call's answer. As JSON without `--fields`/`--jq`: the whole answer.
    /// Otherwise what the action's envelope holds: a list is printed item by item (one
    /// line each in jsonl), a record as one.
    pub fn answer(
        &mut self,
        spec: &'static ActionSpec,
        value: Value,
        format: Option<OutputFormat>,
    ) -> io::Result<()> {
        let plain = matches!(format, Some(OutputFormat::Json) | None)
            && self.fields.is_empty()
            && self.jq.is_none();
        if plain {
            return self.document(&value, format);
        }
        self.use_columns(spec);
        let body = match value {
            value if spec.envelope.is_empty() => value,
            mut value => match value.pointer_mut(spec.envelope) {
                Some(inner) => inner.take(),
                None => value,
            },
        };
        match body {
            Value::Array(items) => {
                self.begin_stream(format)?;
                for item in items {
                    self.line(item, format)?;
                }
                Ok(())
            }
            record if format == Some(OutputFormat::Table) && self.jq.is_none() => {
                self.document(&record, format)
            }
            record if matches!(format, Some(OutputFormat::Json) | None) => {
                for result in self.filtered(record) {
                    let shown = self.projected(result);
                    self.write_json(&shown)?;
                }
                self.flush_if_tty()
            }
            record => self.line(record, format),
        }
    }

    /// One item of a stream (JSON Lines, an element of the JSON array, a csv row, an id),
    /// or a row collected for a table at the end.
    pub fn line(&mut self, mut value: Value, format: Option<OutputFormat>) -> io::Result<()> {
        self.redactor.value(&mut value);
        for result in self.filtered(value) {
            self.formatted(result, format)?;
        }
        self.flush_if_tty()
    }

    /// The results of `--jq` on an item (the item itself without it); a failure is
    /// reported and counted, and the item gives nothing.
    fn filtered(&mut self, value: Value) -> Vec<Value> {
        let Some(jq) = &self.jq else {
            return vec![value];
        };
        match jq.run(&value) {
            Ok(results) => results,
            Err(e) => {
                self.jq_failures += 1;
                // jq's errors quote the values they failed on.
                output::error(self.redactor.text(&format!("--jq: {e}")));
                Vec::new()
            }
        }
    }

    fn projected(&self, value: Value) -> Value {
        if self.fields.is_empty() {
            value
        } else {
            render::project(&value, &self.fields)
        }
    }

    fn formatted(&mut self, value: Value, format: Option<OutputFormat>) -> io::Result<()> {
        match format {
            Some(OutputFormat::Table) => self.table_rows.push(value),
            Some(OutputFormat::Csv) => {
                if self.csv_header.is_none() {
                    let columns =
                        render::columns(std::slice::from_ref(&value), &self.fields, self.columns);
                    let header: Vec<String> = columns
                        .iter()
                        .map(|c| terminal::escape(c).into_owned())
                        .collect();
                    self.writer.write_all(&render::csv_line(&header))?;
                    self.csv_header = Some(columns);
                }
                let columns = self.csv_header.as_deref().unwrap_or_default();
                let line = render::csv_line(&render::row(&value, columns));
                self.writer.write_all(&line)?;
            }
            Some(OutputFormat::Ids) => {
                let id = match &value {
                    Value::Object(map) => map.get("id"),
                    scalar => Some(scalar),
                };
                match id.map(|id| render::cell(Some(id))) {
                    Some(text) if !text.is_empty() => writeln!(self.writer, "{text}")?,
                    _ => self.without_id += 1,
                }
            }
            Some(OutputFormat::Json) | Some(OutputFormat::Jsonl) | None => {
                let value = self.projected(value);
                if let Some(count) = &mut self.array {
                    self.writer
                        .write_all(if *count == 0 { b"\n" } else { b",\n" })?;
                    *count += 1;
                    serde_json::to_writer(&mut self.writer, &value)?;
                } else {
                    self.write_compact(&value)?;
                }
            }
        }
        Ok(())
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    fn write_json(&mut self, value: &Value) -> io::Result<()> {
        if self.tty {
            serde_json::to_writer_pretty(&mut self.writer, value)?;
            self.writer.write_all(b"\n")
        } else {
            self.write_compact(value)
        }
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

    /// Closes an open JSON array, writes any collected table and flushes. Items `--jq`
    /// failed on make it an error of kind `InvalidData` (they were reported one by one).
    pub fn finish(&mut self) -> io::Result<()> {
        match self.array.take() {
            Some(0) => self.writer.write_all(b"]\n")?,
            Some(_) => self.writer.write_all(b"\n]\n")?,
            None => {}
        }
        if !self.table_rows.is_empty() {
            let rows = std::mem::take(&mut self.table_rows);
            let columns = render::columns(&rows, &self.fields, self.columns);
            let text = render::list_table(&rows, &columns, render::width());
            writeln!(self.writer, "{text}")?;
        }
        self.writer.flush()?;
        let without_id = std::mem::take(&mut self.without_id);
        if without_id > 0 {
            self.warn(format!("--output ids: {without_id} item(s) had no `id`"));
        }
        match std::mem::take(&mut self.jq_failures) {
            0 => Ok(()),
            n => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("--jq failed on {n} item(s)"),
            )),
        }
    }
}

/// The exit code after a failed write to stdout, `say` printing the message: a closed
/// pipe (`| head`) is not an error worth a message.
pub fn write_failed(e: &io::Error, say: impl FnOnce(String)) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        exit::SUCCESS
    } else if e.kind() == io::ErrorKind::InvalidData {
        // What the output stage refused (`--jq` on some items), reported item by item.
        say(e.to_string());
        exit::FAILURE
    } else {
        say(format!("cannot write the output: {e}"));
        exit::FAILURE
    }
}
