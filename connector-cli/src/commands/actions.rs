//! `connector actions [BACKEND] [--json]`.

use super::context::write_failed;
use crate::backend::Backend;
use crate::exit;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value};
use std::io::Write;

pub fn run(m: &clap::ArgMatches) -> u8 {
    let only = m
        .get_one::<String>("backend")
        .and_then(|b| Backend::from_name(b));
    let backends: Vec<Backend> = Backend::ALL
        .into_iter()
        .filter(|b| only.is_none_or(|o| o == *b))
        .collect();
    let text = if m.get_flag("json") {
        let mut list = Vec::new();
        for b in &backends {
            for action in b.actions() {
                let mut entry = Map::new();
                entry.insert("backend".into(), Value::from(b.name()));
                if let Ok(Value::Object(fields)) = serde_json::to_value(action) {
                    entry.extend(fields);
                }
                list.push(Value::Object(entry));
            }
        }
        let mut text = serde_json::to_string_pretty(&Value::Array(list)).unwrap_or_default();
        text.push('\n');
        text
    } else {
        let mut table = Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec!["BACKEND", "ID", "METHOD", "PATH", "SUMMARY"]);
        for b in &backends {
            for a in b.actions() {
                table.add_row(vec![b.name(), a.id, a.method.as_str(), a.path, a.summary]);
            }
        }
        let mut text = table.to_string();
        text.push('\n');
        text
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => exit::SUCCESS,
        Err(e) => write_failed(&e),
    }
}
