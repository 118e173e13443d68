//! Inputs: flags of a generated command, or `--input JSON|@file|-`, compiled into the
//! same wire-named map. Files and stdin are JSON Lines, read one line at a time.

use crate::params::{POSITIONAL_ID, positional_id, unique_params};
use clap::ArgMatches;
use connector_core::futures::stream::{self, BoxStream, StreamExt};
use connector_core::validate;
use connector_core::{ActionSpec, Error, ParamType};
use serde_json::{Map, Value};
use std::path::Path;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, BufReader};

/// The longest JSON Lines line read by default (`--max-line-size` changes it). A longer
/// line becomes its item's error and is skipped without being held in memory.
pub const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

/// One input map, or the reason it could not be read (that item's outcome).
pub type Item = Result<Map<String, Value>, Error>;

/// One input of a batch and where it came from: its 1-based line in the file or
/// stdin (blank lines counted), or its 1-based position in an inline JSON array.
#[derive(Debug)]
pub struct Numbered {
    pub line: usize,
    pub item: Item,
}

/// What `--input` gave.
pub enum Input {
    /// Inline JSON: one object (a single call).
    Single(Map<String, Value>),
    /// Inline JSON array, a file or stdin: one item per element or line (a batch), and
    /// how many there are when that is known up front (a file, an array).
    Batch {
        items: BoxStream<'static, Numbered>,
        total: Option<u64>,
    },
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Single(_) => f.write_str("Input::Single"),
            Input::Batch { .. } => f.write_str("Input::Batch"),
        }
    }
}

/// The input of a generated command's flags. A secret given inline (not as `@FILE`) is
/// warned about unless `quiet`: argv is readable by every user of the machine.
pub fn from_flags(
    action: &ActionSpec,
    m: &ArgMatches,
    quiet: bool,
) -> Result<Map<String, Value>, Error> {
    let mut input = Map::new();
    let positional = positional_id(action).map(|p| p.name);
    for f in unique_params(action) {
        let id = f.id();
        let name = f.spec.name;
        let given = m.get_many::<String>(&id).or_else(|| {
            (positional == Some(name))
                .then(|| m.try_get_many::<String>(POSITIONAL_ID).ok().flatten())
                .flatten()
        });
        let Some(values) = given else {
            continue;
        };
        let values: Vec<&String> = values.collect();
        if f.spec.secret && !quiet && !values[0].starts_with('@') {
            crate::output::warn(format!(
                "--{name} on the command line is visible to other users of this machine \
                 (ps, shell history); prefer --{name} @FILE"
            ));
        }
        let value = match f.spec.ty {
            ParamType::File => crate::files::flag_value(name, values[0])?,
            ParamType::Array { items } if items.is_file() => Value::Array(
                values
                    .iter()
                    .map(|v| crate::files::flag_value(name, v))
                    .collect::<Result<_, _>>()?,
            ),
            ParamType::Array { items } => {
                if items.enum_values().is_some() || values.len() > 1 {
                    Value::Array(
                        values
                            .into_iter()
                            .map(|v| Value::String(v.clone()))
                            .collect(),
                    )
                } else {
                    Value::String(values[0].clone())
                }
            }
            ParamType::Object | ParamType::Json | ParamType::Password => {
                Value::String(text_or_file(name, values[0])?)
            }
            _ if f.spec.secret => Value::String(text_or_file(name, values[0])?),
            _ => Value::String(values[0].clone()),
        };
        input.insert(name.to_owned(), value);
    }
    Ok(input)
}

/// `@path` -> the file's content (one trailing newline removed); anything else as given.
fn text_or_file(field: &str, value: &str) -> Result<String, Error> {
    match value.strip_prefix('@') {
        Some(path) => {
            let mut text = std::fs::read_to_string(path)
                .map_err(|e| Error::validation(field, format!("cannot read {path}: {e}")))?;
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            Ok(text)
        }
        None => Ok(value.to_owned()),
    }
}

/// Parses `--input`: inline JSON, `@file` or `-` (JSON Lines of at most `max_line` bytes a
/// line).
pub async fn parse(arg: Option<&str>, max_line: usize) -> Result<Input, Error> {
    let Some(arg) = arg else {
        return Ok(Input::Single(Map::new()));
    };
    if arg == "-" {
        return Ok(Input::Batch {
            items: numbered_lines(tokio::io::stdin(), max_line),
            total: None,
        });
    }
    if let Some(path) = arg.strip_prefix('@') {
        let file = tokio::fs::File::open(Path::new(path))
            .await
            .map_err(|e| Error::validation("input", format!("cannot read {path}: {e}")))?;
        let counted = path.to_owned();
        let total = tokio::task::spawn_blocking(move || count_items(Path::new(&counted)))
            .await
            .ok()
            .flatten();
        return Ok(Input::Batch {
            items: numbered_lines(file, max_line),
            total,
        });
    }
    match serde_json::from_str::<Value>(arg) {
        Ok(Value::Object(map)) => Ok(Input::Single(map)),
        Ok(Value::Array(items)) => Ok(Input::Batch {
            total: Some(items.len() as u64),
            items: stream::iter(items.into_iter().enumerate().map(|(i, v)| Numbered {
                line: i + 1,
                item: match v {
                    Value::Object(map) => Ok(map),
                    other => Err(Error::validation(
                        "input",
                        format!(
                            "item {i}: expected a JSON object, got {}",
                            validate::type_name(&other)
                        ),
                    )),
                },
            }))
            .boxed(),
        }),
        Ok(other) => Err(Error::validation(
            "input",
            format!(
                "expected a JSON object (or @FILE / - for JSON Lines), got {}",
                validate::type_name(&other)
            ),
        )),
        Err(e) => Err(Error::validation(
            "input",
            format!(
                "invalid JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                short(&e)
            ),
        )),
    }
}

/// How many items a JSON Lines file holds (its lines that are not blank), counted up
/// front for the progress bar; `None` when it cannot be read.
fn count_items(path: &Path) -> Option<u64> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let (mut count, mut blank) = (0u64, true);
    loop {
        let buf = reader.fill_buf().ok()?;
        if buf.is_empty() {
            break;
        }
        for &b in buf {
            match b {
                b'\n' => {
                    count += u64::from(!blank);
                    blank = true;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => blank = false,
            }
        }
        let n = buf.len();
        reader.consume(n);
    }
    Some(count + u64::from(!blank))
}

/// [`numbered_lines`] without the line numbers.
#[cfg(test)]
pub fn lines<R: AsyncRead + Send + Unpin + 'static>(
    reader: R,
    max_line: usize,
) -> BoxStream<'static, Item> {
    numbered_lines(reader, max_line).map(|n| n.item).boxed()
}

/// One JSON object per line; blank lines are skipped. A bad line (not JSON, not an
/// object, not UTF-8, longer than `max_line` bytes) becomes that item's error and reading
/// goes on; a read error ends the stream after reporting it. A UTF-8 byte order mark at
/// the start is skipped. Memory stays bounded by `max_line`, however long a line is.
pub fn numbered_lines<R: AsyncRead + Send + Unpin + 'static>(
    reader: R,
    max_line: usize,
) -> BoxStream<'static, Numbered> {
    let reader = BufReader::with_capacity(64 * 1024, reader);
    let state = (reader, Vec::new(), 0usize, false);
    stream::unfold(
        state,
        move |(mut reader, mut buf, mut line_no, done)| async move {
            if done {
                return None;
            }
            loop {
                match read_line(&mut reader, &mut buf, max_line).await {
                    Ok(Line::End) => return None,
                    Ok(Line::TooLong(read)) => {
                        line_no += 1;
                        let err = Error::validation(
                            "input",
                            format!(
                                "line {line_no}: {read} bytes, longer than the limit of {}; \
                                 --max-line-size raises it",
                                size_text(max_line)
                            ),
                        );
                        let item = Numbered {
                            line: line_no,
                            item: Err(err),
                        };
                        return Some((item, (reader, buf, line_no, false)));
                    }
                    Ok(Line::Read) => {
                        line_no += 1;
                        let mut bytes = buf.as_slice();
                        if line_no == 1 {
                            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                        }
                        let text = match std::str::from_utf8(bytes) {
                            Ok(text) => text.trim(),
                            Err(e) => {
                                let err = Error::validation(
                                    "input",
                                    format!(
                                        "line {line_no}: not valid UTF-8 (at byte {})",
                                        e.valid_up_to() + 1
                                    ),
                                );
                                let item = Numbered {
                                    line: line_no,
                                    item: Err(err),
                                };
                                return Some((item, (reader, buf, line_no, false)));
                            }
                        };
                        if text.is_empty() {
                            continue;
                        }
                        let item = Numbered {
                            line: line_no,
                            item: parse_line(text, line_no),
                        };
                        return Some((item, (reader, buf, line_no, false)));
                    }
                    Err(e) => {
                        let err = Error::validation(
                            "input",
                            format!("line {}: cannot read: {e}", line_no + 1),
                        );
                        let item = Numbered {
                            line: line_no + 1,
                            item: Err(err),
                        };
                        return Some((item, (reader, buf, line_no, true)));
                    }
                }
            }
        },
    )
    .boxed()
}

/// What [`read_line`] found.
enum Line {
    /// A line, in the buffer (with its newline, if it had one).
    Read,
    /// A line longer than the limit, skipped up to its newline; how many bytes it had.
    TooLong(usize),
    /// The end of the input.
    End,
}

/// Reads one line into `buf`, keeping at most `max` bytes of it (plus the line end): the
/// rest of a longer line is read and dropped chunk by chunk.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let (mut total, mut too_long) = (0usize, false);
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            break;
        }
        let (chunk, ends) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let n = chunk.len();
        total += n;
        // Room for the content and a "\r\n".
        if !too_long && buf.len() + n <= max.saturating_add(2) {
            buf.extend_from_slice(chunk);
        } else if !too_long {
            too_long = true;
            *buf = Vec::new();
        }
        reader.consume(n);
        if ends {
            break;
        }
    }
    let content = buf.strip_suffix(b"\n").unwrap_or(buf);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    Ok(match total {
        0 => Line::End,
        _ if too_long || content.len() > max => Line::TooLong(total),
        _ => Line::Read,
    })
}

/// `16 MiB`, `512 KiB`, `100 bytes`.
fn size_text(bytes: usize) -> String {
    const UNITS: [(usize, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// Parses a size: a number of bytes, or with `K`, `M`, `G` (powers of 1024; `KB`, `KiB`
/// and so on too), e.g. `64M`, `1GiB`, `500000`.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: usize = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size like 64M or 1G"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("{text:?}: the unit must be K, M or G")),
    };
    match number.checked_mul(1 << shift) {
        Some(0) => Err("must be at least 1 byte".into()),
        Some(n) => Ok(n),
        None => Err(format!("{text:?} is too large")),
    }
}

fn parse_line(text: &str, line_no: usize) -> Item {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::validation(
            "input",
            format!(
                "line {line_no}: expected a JSON object, got {}",
                validate::type_name(&other)
            ),
        )),
        Err(e) => Err(Error::validation(
            "input",
            format!(
                "line {line_no}: invalid JSON at column {}: {}",
                e.column(),
                short(&e)
            ),
        )),
    }
}

fn short(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn json_lines_skip_blanks_and_report_bad_lines_in_place() {
        let data: &[u8] = b"{\"a\":1}\n\n  \nnot json\n[1]\n{\"b\":2}\n";
        let items: Vec<Item> = lines(data, DEFAULT_MAX_LINE).collect().await;
        assert_eq!(items.len(), 4);
        assert!(items[0].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert!(e.to_string().contains("line 4"), "{e}");
        assert!(
            items[2]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("line 5")
        );
        assert_eq!(items[3].as_ref().unwrap()["b"], 2);
    }

    #[tokio::test]
    async fn a_line_that_is_not_utf8_is_its_own_error_and_a_bom_is_skipped() {
        let data: &[u8] = b"\xEF\xBB\xBF{\"a\":1}\n{\"b\":\"caf\xE9\"}\n{\"c\":3}\n";
        let items: Vec<Item> = lines(data, DEFAULT_MAX_LINE).collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap()["a"], 1);
        let e = items[1].as_ref().unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("UTF-8"), "{e}");
        assert_eq!(items[2].as_ref().unwrap()["c"], 3);
    }

    async fn parse_test(arg: Option<&str>) -> Result<Input, Error> {
        parse(arg, DEFAULT_MAX_LINE).await
    }

    #[tokio::test]
    async fn a_line_past_the_limit_is_its_own_error_and_reading_goes_on() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let data = format!("{{\"n\":1}}\n{long}\n{{\"n\":2}}\r\n{long}");
        let items: Vec<Item> = lines(std::io::Cursor::new(data.into_bytes()), 64)
            .collect()
            .await;
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].as_ref().unwrap()["n"], 1);
        let e = items[1].as_ref().unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("limit of 64 bytes"),
            "{e}"
        );
        assert_eq!(items[2].as_ref().unwrap()["n"], 2);
        assert!(
            items[3]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("line 4")
        );
        // A line exactly at the limit is read.
        let exact = format!("{{\"a\":\"{}\"}}", "x".repeat(56));
        assert_eq!(exact.len(), 64);
        let items: Vec<Item> = lines(
            std::io::Cursor::new(format!("{exact}\r\n").into_bytes()),
            64,
        )
        .collect()
        .await;
        assert!(items[0].is_ok(), "{:?}", items[0]);
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("512 kb"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        for bad in ["", "0", "M", "5X", "-1", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert_eq!(size_text(DEFAULT_MAX_LINE), "16 MiB");
    }

    #[tokio::test]
    async fn inline_input() {
        assert!(matches!(
            parse_test(Some("{\"id\":1}")).await.unwrap(),
            Input::Single(_)
        ));
        assert!(matches!(parse_test(None).await.unwrap(), Input::Single(m) if m.is_empty()));
        assert!(parse_test(Some("{oops")).await.is_err());
        assert!(parse_test(Some("3")).await.is_err());
        let Input::Batch { items: s, .. } = parse_test(Some("[{\"a\":1}, 2]")).await.unwrap()
        else {
            panic!()
        };
        let items: Vec<Item> = s.map(|n| n.item).collect().await;
        assert!(items[0].is_ok() && items[1].is_err());
    }
}
