//! One tool call: the call's own arguments (`dry_run`, `limit`, `offset`) taken off
//! the input, then the same pipeline as every other command (validation before
//! anything is sent), and the answer or the error as a tool result, secrets masked.

use super::masking::Masker;
use super::tools::{DEFAULT_LIMIT, DRY_RUN, LIMIT, MAX_LIMIT, OFFSET, Offered};
use crate::files::Target;
use crate::redact::Redactor;
use connector_core::futures::StreamExt;
use connector_core::{Connector, Error, Options, validate};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value, json};

/// What the caller asked of the call itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub dry_run: bool,
    pub limit: usize,
    pub offset: usize,
}

impl Control {
    /// Takes `dry_run`, `limit` and `offset` out of `args` (unless the action declares
    /// a parameter of that name), checked: `dry_run` only for a write, `limit` and
    /// `offset` only for a read that answers JSON.
    pub fn take(offered: &Offered, args: &mut Map<String, Value>) -> Result<Control, Error> {
        let mut control = Control {
            dry_run: false,
            limit: DEFAULT_LIMIT,
            offset: 0,
        };
        let mut take = |name: &str| {
            if offered.spec.param(name).is_some() {
                None
            } else {
                args.remove(name).filter(|v| !v.is_null())
            }
        };
        let (dry_run, limit, offset) = (take(DRY_RUN), take(LIMIT), take(OFFSET));
        let id = offered.qualified_id();
        if let Some(v) = dry_run {
            if offered.reads() {
                return Err(Error::validation(
                    DRY_RUN,
                    format!("`{id}` only reads; dry_run is for actions that write"),
                ));
            }
            control.dry_run = validate::boolean(DRY_RUN, &v)?;
        }
        for (name, value) in [(LIMIT, limit), (OFFSET, offset)] {
            let Some(v) = value else { continue };
            if !offered.lists() {
                let what = if offered.reads() {
                    "answers with a file"
                } else {
                    "writes"
                };
                return Err(Error::validation(
                    name,
                    format!("`{id}` {what}; {name} is for actions that read lists"),
                ));
            }
            let n = validate::integer(name, &v)?;
            if name == LIMIT {
                if !(1..=MAX_LIMIT as i64).contains(&n) {
                    return Err(Error::validation(
                        LIMIT,
                        format!("must be between 1 and {MAX_LIMIT}"),
                    ));
                }
                control.limit = n as usize;
            } else {
                control.offset = usize::try_from(n)
                    .map_err(|_| Error::validation(OFFSET, "must be 0 or more"))?;
            }
        }
        Ok(control)
    }
}

/// Runs one action and turns its outcome into a tool result; a file the API answers
/// with is saved in `files`.
pub async fn run(
    connector: &dyn Connector,
    options: &Options,
    files: &Target,
    offered: &Offered,
    input: Map<String, Value>,
    control: Control,
    redactor: &Redactor,
) -> CallToolResult {
    let masker = Masker::for_input(redactor, offered.spec, &input);
    let outcome = if control.dry_run {
        connector
            .prepare(offered.spec.id, &input)
            .and_then(|request| connector.describe(&request, options))
            .map(|request| json!({"dry_run": true, "sent": false, "request": request}))
    } else if offered.downloads() {
        match connector.download(offered.spec.id, input, options).await {
            Ok(download) => files.save(download).await,
            Err(e) => Err(e),
        }
    } else if offered.lists() && offered.spec.pagination.is_paged() {
        page_of_stream(connector, options, offered, input, control).await
    } else {
        let answer = connector.execute(offered.spec.id, input, options).await;
        answer.map(|v| {
            if offered.lists() {
                page_of_answer(offered, v, control)
            } else {
                v
            }
        })
    };
    tracing::info!(
        tool = %offered.tool_name(),
        ok = outcome.is_ok(),
        dry_run = control.dry_run,
        "tool call"
    );
    match outcome {
        Ok(value) => success(value, &masker),
        Err(e) => failure(&e, &masker),
    }
}

/// A paged list: `offset + limit + 1` items at most are fetched (the last only to
/// know that more follow), so one call never walks the whole list.
async fn page_of_stream(
    connector: &dyn Connector,
    options: &Options,
    offered: &Offered,
    input: Map<String, Value>,
    control: Control,
) -> Result<Value, Error> {
    let wanted = control
        .offset
        .saturating_add(control.limit)
        .saturating_add(1);
    let mut items = connector.stream(offered.spec.id, input, options, Some(wanted));
    let mut page = Vec::with_capacity(control.limit.min(DEFAULT_LIMIT));
    let mut seen = 0usize;
    let mut more = false;
    while let Some(item) = items.next().await {
        let item = item?;
        seen += 1;
        if seen <= control.offset {
            continue;
        }
        if page.len() == control.limit {
            more = true;
            break;
        }
        page.push(item);
    }
    Ok(list(page, control, more, None))
}

/// An answer that holds its whole list (no paging): the slice asked for, when the
/// record at the declared envelope is a list; any other answer as it is.
fn page_of_answer(offered: &Offered, mut answer: Value, control: Control) -> Value {
    let envelope = offered.spec.envelope;
    let at = if envelope.is_empty() {
        Some(&mut answer)
    } else {
        answer.pointer_mut(envelope)
    };
    let Some(Value::Array(items)) = at else {
        return answer;
    };
    let all = std::mem::take(items);
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(control.offset)
        .take(control.limit)
        .collect();
    let more = control.offset.saturating_add(page.len()) < total;
    list(page, control, more, Some(total))
}

fn list(items: Vec<Value>, control: Control, more: bool, total: Option<usize>) -> Value {
    let count = items.len();
    let mut out = json!({
        "items": items,
        "count": count,
        "offset": control.offset,
        "more": more,
    });
    if let Some(total) = total {
        out["total"] = total.into();
    }
    if more {
        let next = control.offset + count;
        out["next"] = json!({OFFSET: next, LIMIT: control.limit});
        out["note"] = format!(
            "More items follow: call again with the same arguments and offset {next} \
             (or a larger limit, at most {MAX_LIMIT})."
        )
        .into();
    }
    out
}

/// An answer: structured when it is an object (MCP's structured content is one), as
/// JSON text otherwise.
pub fn success(mut value: Value, masker: &Masker) -> CallToolResult {
    masker.mask(&mut value);
    if value.is_object() {
        CallToolResult::structured(value)
    } else {
        CallToolResult::success(vec![ContentBlock::text(value.to_string())])
    }
}

/// An error as a tool error the agent can read: kind, message, the field for a
/// validation error, the status for an API error, and whether anything was sent.
pub fn failure(error: &Error, masker: &Masker) -> CallToolResult {
    let mut details = error.to_json();
    details["sent"] = (!error.nothing_sent()).into();
    let mut value = json!({ "error": details });
    masker.mask(&mut value);
    CallToolResult::structured_error(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Backend;
    use connector_core::{ActionSpec, Method};

    fn offered(backend: Backend, id: &str) -> Offered {
        let spec = backend.actions().iter().find(|a| a.id == id).unwrap();
        Offered { backend, spec }
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn control_arguments_are_taken_off_and_checked() {
        let list = offered(Backend::Moco, "activities.list");
        let mut a = args(json!({"limit": 5, "offset": "10", "from": "2026-01-01"}));
        let c = Control::take(&list, &mut a).unwrap();
        assert_eq!((c.limit, c.offset, c.dry_run), (5, 10, false));
        assert_eq!(a, args(json!({"from": "2026-01-01"})));

        for (bad, field) in [
            (json!({"limit": 0}), LIMIT),
            (json!({"limit": MAX_LIMIT + 1}), LIMIT),
            (json!({"offset": -1}), OFFSET),
            (json!({"limit": "many"}), LIMIT),
            (json!({"dry_run": true}), DRY_RUN),
        ] {
            let e = Control::take(&list, &mut args(bad.clone())).unwrap_err();
            assert_eq!(e.field(), Some(field), "{bad}");
        }

        let create = offered(Backend::Moco, "activities.create");
        let c = Control::take(&create, &mut args(json!({"dry_run": true}))).unwrap();
        assert!(c.dry_run);
        let e = Control::take(&create, &mut args(json!({"limit": 3}))).unwrap_err();
        assert_eq!(e.field(), Some(LIMIT));
    }

    #[test]
    fn a_whole_list_answer_is_cut_to_the_page_asked_for() {
        static LIST: ActionSpec = ActionSpec {
            envelope: "/payload",
            ..ActionSpec::new("teams.list", Method::Get, "/teams")
        };
        let o = Offered {
            backend: Backend::Konverte,
            spec: &LIST,
        };
        let items: Vec<Value> = (0..7).map(|i| json!({"id": i})).collect();
        let answer = json!({"payload": items, "meta": {}});
        let control = Control {
            dry_run: false,
            limit: 3,
            offset: 3,
        };
        let page = page_of_answer(&o, answer, control);
        assert_eq!(page["items"], json!([{"id": 3}, {"id": 4}, {"id": 5}]));
        assert_eq!(page["more"], true);
        assert_eq!(page["next"]["offset"], 6);
        assert_eq!(page["total"], 7);
        let last = page_of_answer(
            &o,
            json!({"id": 1}),
            Control {
                offset: 0,
                ..control
            },
        );
        assert_eq!(last, json!({"id": 1}), "a record stays a record");
    }

    #[tokio::test]
    async fn a_file_answer_is_saved_and_the_result_names_it() {
        use connector_core::{HttpConnector, ResponseKind};
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        static PDF: [ActionSpec; 1] = [ActionSpec {
            response: ResponseKind::Bytes,
            ..ActionSpec::new("invoices.pdf", Method::Get, "/invoices/7.pdf")
        }];
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/invoices/7.pdf"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/pdf")
                    .insert_header(
                        "content-disposition",
                        "attachment; filename=\"invoice-7.pdf\"",
                    )
                    .set_body_bytes(b"%PDF-1.4 seven".to_vec()),
            )
            .mount(&server)
            .await;
        let connector = HttpConnector::builder("demo", &PDF)
            .base_url(server.uri())
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = Target {
            out: None,
            out_dir: Some(dir.path().to_path_buf()),
        };
        let o = Offered {
            backend: Backend::Moco,
            spec: &PDF[0],
        };
        let control = Control::take(&o, &mut Map::new()).unwrap();
        let e = Control::take(&o, &mut args(json!({"limit": 2}))).unwrap_err();
        assert_eq!(e.field(), Some(LIMIT), "a file is not a list");
        let result = run(
            &connector,
            &Options::default(),
            &files,
            &o,
            Map::new(),
            control,
            &Redactor::default(),
        )
        .await;
        let saved = result.structured_content.unwrap();
        let file = saved["file"].as_str().unwrap();
        assert!(file.ends_with("invoice-7.pdf"), "{saved}");
        assert_eq!(std::fs::read(file).unwrap(), b"%PDF-1.4 seven");
        assert_eq!(saved["bytes"], 14);
        assert_eq!(saved["content_type"], "application/pdf");
    }
}
