//! Tables and csv: which columns (`--fields`, else the resource's declared `columns`,
//! else every key), what a cell shows (server text escaped, never sent raw to a
//! terminal), and a table cut to the terminal's width with `…`.

use crate::terminal;
use comfy_table::{ContentArrangement, Row, Table, presets};
use serde_json::{Map, Value};

/// `--fields id,name,company.name`: the parser of the flag.
pub fn fields_arg(text: &str) -> Result<Vec<String>, String> {
    let fields: Vec<String> = text
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        return Err("name at least one field, e.g. id,name".into());
    }
    if let Some(bad) = fields.iter().find(|f| f.split('.').any(str::is_empty)) {
        return Err(format!("`{bad}`: a dotted path has an empty part"));
    }
    Ok(fields)
}

/// The value at a dotted path: `company.name`, `tags.0` (an array index). A key that
/// itself holds a dot is found as it is first.
pub fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = value.as_object().and_then(|m| m.get(path)) {
        return Some(v);
    }
    path.split('.').try_fold(value, |v, part| match v {
        Value::Object(m) => m.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// `value` with only the chosen paths, nested as in the original (`company.name` ->
/// `{"company": {"name": ...}}`); a path the value lacks is left out.
pub fn project(value: &Value, paths: &[String]) -> Value {
    if !value.is_object() {
        return value.clone();
    }
    let mut out = Map::new();
    for path in paths {
        let Some(found) = lookup(value, path) else {
            continue;
        };
        if value.get(path.as_str()).is_some() {
            out.insert(path.clone(), found.clone());
            continue;
        }
        let parts: Vec<&str> = path.split('.').collect();
        let mut map = &mut out;
        for part in &parts[..parts.len() - 1] {
            let slot = map
                .entry((*part).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(inner) = slot else {
                unreachable!("made an object above")
            };
            map = inner;
        }
        map.insert(parts[parts.len() - 1].to_owned(), found.clone());
    }
    Value::Object(out)
}

/// The columns of a list: the chosen fields, else the declared defaults (when the items
/// have any of them), else every top-level key in order of appearance.
pub fn columns(items: &[Value], chosen: &[String], defaults: &[&str]) -> Vec<String> {
    if !chosen.is_empty() {
        return chosen.to_vec();
    }
    if !items.iter().any(Value::is_object) {
        return vec!["value".to_owned()];
    }
    if defaults
        .iter()
        .any(|d| items.iter().any(|item| lookup(item, d).is_some()))
    {
        return defaults.iter().map(|d| (*d).to_owned()).collect();
    }
    let mut keys: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    keys
}

/// The cells of one item under `columns` (a non-object is its own single cell).
pub fn row(item: &Value, columns: &[String]) -> Vec<String> {
    if !item.is_object() {
        return vec![cell(Some(item))];
    }
    columns.iter().map(|c| cell(lookup(item, c))).collect()
}

/// What a cell shows: text as it is, other values as compact JSON, nothing for null;
/// control characters escaped.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => terminal::escape(s).into_owned(),
        Some(other) => terminal::escape(&other.to_string()).into_owned(),
    }
}

/// Without a known width, cells are cut at this many characters.
const UNFITTED_CELL: usize = 60;

fn cut(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The width to fit tables to: the terminal's, else `COLUMNS`, else none.
pub fn width() -> Option<u16> {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(std::io::stdout()) {
        return Some(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
}

fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_truncation_indicator("…");
    match width {
        Some(w) => {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

fn add_row(table: &mut Table, cells: Vec<String>, width: Option<u16>) {
    let cells: Vec<String> = match width {
        Some(_) => cells,
        None => cells.into_iter().map(|c| cut(c, UNFITTED_CELL)).collect(),
    };
    table.add_row(cells);
    if let Some(row) = table.row_mut(table.row_count() - 1) {
        // One line per item: what does not fit is cut with `…`, not wrapped.
        row.max_height(1);
    }
}

/// A table of a list: one row per item.
pub fn list_table(items: &[Value], columns: &[String], width: Option<u16>) -> String {
    let mut table = new_table(width);
    let mut header = Row::from(columns.iter().map(|c| terminal::escape(c).into_owned()));
    header.max_height(1);
    table.set_header(header);
    for item in items {
        add_row(&mut table, row(item, columns), width);
    }
    table.to_string()
}

/// A table of one record: a row per field (the chosen ones, else every top-level key).
pub fn record_table(record: &Value, chosen: &[String], width: Option<u16>) -> String {
    let mut table = new_table(width);
    match record {
        Value::Object(map) => {
            table.set_header(vec!["field", "value"]);
            let fields: Vec<String> = if chosen.is_empty() {
                map.keys().cloned().collect()
            } else {
                chosen.to_vec()
            };
            for field in fields {
                let value = cell(lookup(record, &field));
                add_row(
                    &mut table,
                    vec![terminal::escape(&field).into_owned(), value],
                    width,
                );
            }
        }
        other => add_row(&mut table, vec![cell(Some(other))], width),
    }
    table.to_string()
}

/// One csv record (RFC 4180: quoted where needed, CRLF-free `\n` line end).
pub fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_reach_into_objects_and_arrays() {
        let v = json!({"id": 1, "company": {"name": "Acme"}, "tags": ["a", "b"], "x.y": 3});
        assert_eq!(lookup(&v, "company.name"), Some(&json!("Acme")));
        assert_eq!(lookup(&v, "tags.1"), Some(&json!("b")));
        assert_eq!(lookup(&v, "x.y"), Some(&json!(3)));
        assert_eq!(lookup(&v, "company.nope"), None);
        assert_eq!(
            project(&v, &["id".into(), "company.name".into(), "missing".into()]),
            json!({"id": 1, "company": {"name": "Acme"}})
        );
    }

    #[test]
    fn declared_columns_apply_when_the_items_have_them() {
        let items = [json!({"id": 1, "name": "A", "extra": 2})];
        assert_eq!(columns(&items, &[], &["id", "name"]), ["id", "name"]);
        assert_eq!(columns(&items, &[], &["nope"]), ["id", "name", "extra"]);
        assert_eq!(columns(&items, &["extra".into()], &["id"]), ["extra"]);
        assert_eq!(columns(&[json!("tag")], &[], &["id"]), ["value"]);
    }

    #[test]
    fn fields_are_checked() {
        assert_eq!(
            fields_arg("id, company.name").unwrap(),
            ["id", "company.name"]
        );
        assert!(fields_arg(" , ").is_err());
        assert!(fields_arg("a..b").is_err());
    }

    #[test]
    fn cells_escape_control_characters_and_csv_quotes() {
        assert_eq!(cell(Some(&json!("a\u{1b}[31mb"))), "a\\u{1b}[31mb");
        assert_eq!(cell(Some(&json!({"a": 1}))), "{\"a\":1}");
        assert_eq!(cell(None), "");
        assert_eq!(
            csv_line(&["a,b".into(), "say \"hi\"".into(), "c".into()]),
            b"\"a,b\",\"say \"\"hi\"\"\",c\n"
        );
    }

    #[test]
    fn fitted_tables_stay_within_the_width() {
        let items = [json!({"id": 1, "name": "x".repeat(200), "email": "ada@example.com"})];
        let cols = columns(&items, &[], &["id", "name", "email"]);
        let text = list_table(&items, &cols, Some(60));
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line}");
        }
        assert!(text.contains('…'), "{text}");
        assert_eq!(text.lines().count(), 5, "{text}");
    }
}
