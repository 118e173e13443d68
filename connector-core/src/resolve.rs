//! Names for ids: a parameter that refers to another record (declared with a `ref`) takes
//! an id or a name; a name is looked up through the declared list action, in the same
//! pipeline (auth, limits, retries, every page), before anything is written.
//!
//! A whole number is an id; `id:12` and `name:12` force either reading. A name must match
//! exactly one candidate (case-insensitive, surrounding blanks ignored) on one of the
//! declared fields; none or several is a validation error listing candidates with their
//! ids. Lookups are cached per (list action, scope) for the life of a client, so a batch
//! naming the same team makes one lookup, also when its items run concurrently.

use crate::action::{ActionSpec, ParamSpec, ParamType, RefSpec};
use crate::error::Error;
use crate::options::RequestOptions;
use crate::pipeline::HttpConnector;
use futures::StreamExt;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// How many close candidates an unknown name's error lists.
const CLOSE: usize = 5;

/// One lookup a call made (or found in the cache), for `--dry-run`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lookup {
    /// The parameter whose name was looked up.
    pub field: String,
    /// The name as given.
    pub name: String,
    /// The id it resolved to.
    pub id: Value,
    /// The action that listed the candidates.
    pub via: String,
    /// Whether this call fetched the candidates (else they came from the cache).
    pub fetched: bool,
}

/// An input with every name replaced by its id, and the lookups that made it so.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub input: Map<String, Value>,
    pub lookups: Vec<Lookup>,
}

type Candidates = Arc<Vec<Value>>;
/// A list action's id and its scope (as JSON text).
type ListKey = (String, String);

/// Candidate lists per (action, scope), each fetched at most once.
#[derive(Default)]
pub(crate) struct LookupCache {
    entries: Mutex<HashMap<ListKey, Arc<OnceCell<Candidates>>>>,
    fetches: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for LookupCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("LookupCache").field("lists", &n).finish()
    }
}

impl LookupCache {
    pub(crate) fn fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What a reference parameter's value asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// Send as it is.
    Id(Value),
    /// Look this up.
    Name(String),
}

/// Reads a value of a reference parameter: numbers and digit strings are ids of integer
/// parameters; `id:` and `name:` force a reading; other text is a name. For text
/// parameters (slugs, keys), text that could be a key is sent as given.
pub fn classify(spec: &ParamSpec, value: &Value) -> Given {
    let integer = matches!(scalar(spec), ParamType::Integer);
    match value {
        Value::String(text) => {
            let t = text.trim();
            // Empty clears the field; never a name to look up.
            if t.is_empty() {
                return Given::Id(value.clone());
            }
            if let Some(id) = t.strip_prefix("id:") {
                let id = id.trim();
                return Given::Id(match id.parse::<i64>() {
                    Ok(n) if integer => Value::from(n),
                    _ => Value::String(id.to_owned()),
                });
            }
            if let Some(name) = t.strip_prefix("name:") {
                return Given::Name(name.trim().to_owned());
            }
            if integer && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                return Given::Id(value.clone());
            }
            // A slug or key (`help-center`, `dialogflow`) is sent as it is; text that cannot
            // be one (blanks, other characters) is a name.
            let key_like = !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !integer && key_like {
                Given::Id(value.clone())
            } else {
                Given::Name(t.to_owned())
            }
        }
        other => Given::Id(other.clone()),
    }
}

/// The values of an array parameter given as one text (`"3,4"` or JSON `"[3, 4]"`), as
/// validation reads them; other values as they are.
fn spread(spec: &ParamSpec, value: &Value) -> Value {
    match (&spec.ty, value) {
        (ParamType::Array { .. }, Value::String(text)) => {
            let t = text.trim();
            if t.starts_with('[') {
                serde_json::from_slice::<Value>(t.as_bytes()).unwrap_or_else(|_| value.clone())
            } else if t.is_empty() {
                Value::Array(Vec::new())
            } else {
                Value::Array(
                    t.split(',')
                        .map(|s| Value::String(s.trim().to_owned()))
                        .collect(),
                )
            }
        }
        _ => value.clone(),
    }
}

fn scalar(spec: &ParamSpec) -> &ParamType {
    match &spec.ty {
        ParamType::Array { items } => items,
        other => other,
    }
}

/// Does the input name a record by name, or mark an id with `id:`?
pub fn needs_resolving(action: &ActionSpec, input: &Map<String, Value>) -> bool {
    let marked = |spec: &ParamSpec, v: &Value| {
        matches!(classify(spec, v), Given::Name(_))
            || v.as_str()
                .is_some_and(|s| s.trim_start().starts_with("id:"))
    };
    refs(action).any(|(spec, _)| {
        input.get(spec.name).is_some_and(|v| match spread(spec, v) {
            Value::Array(items) => items.iter().any(|i| marked(spec, i)),
            Value::Null => false,
            one => marked(spec, &one),
        })
    })
}

fn refs(action: &ActionSpec) -> impl Iterator<Item = (&'static ParamSpec, &'static RefSpec)> + '_ {
    // One entry per name: a parameter declared in the path and the body is looked up once.
    let mut seen = Vec::new();
    action.params.iter().filter_map(move |p| {
        let r = p.reference?;
        if seen.contains(&p.name) {
            return None;
        }
        seen.push(p.name);
        Some((p, r))
    })
}

/// The input with placeholder ids where names are, so every other field can be checked
/// before any lookup is made.
pub fn with_placeholders(action: &ActionSpec, input: &Map<String, Value>) -> Map<String, Value> {
    let mut out = input.clone();
    for (spec, _) in refs(action) {
        let placeholder = |v: &Value| match classify(spec, v) {
            Given::Name(_) => match scalar(spec) {
                ParamType::Integer => Value::from(1),
                _ => Value::String("placeholder".into()),
            },
            Given::Id(id) => id,
        };
        if let Some(v) = out.get_mut(spec.name) {
            let replaced = match &spread(spec, v) {
                Value::Array(items) => Value::Array(items.iter().map(placeholder).collect()),
                Value::Null => Value::Null,
                one => placeholder(one),
            };
            *v = replaced;
        }
    }
    out
}

impl HttpConnector {
    /// Replaces every name in `input` by the id it stands for (see the module docs).
    pub async fn resolve_names(
        &self,
        action: &'static ActionSpec,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Resolved, Error> {
        let mut input = input;
        let mut lookups = Vec::new();
        // Scope parameters are resolved first: a task is looked up within its project.
        let mut pending: Vec<(&'static ParamSpec, &'static RefSpec)> = refs(action).collect();
        pending.sort_by_key(|(_, r)| !r.scope.is_empty());
        for (spec, reference) in pending {
            let Some(value) = input.get(spec.name).map(|v| spread(spec, v)) else {
                continue;
            };
            let resolved = match value {
                Value::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in &items {
                        out.push(
                            self.resolve_one(spec, reference, item, &input, options, &mut lookups)
                                .await?,
                        );
                    }
                    Value::Array(out)
                }
                Value::Null => Value::Null,
                one => {
                    self.resolve_one(spec, reference, &one, &input, options, &mut lookups)
                        .await?
                }
            };
            input.insert(spec.name.to_owned(), resolved);
        }
        Ok(Resolved { input, lookups })
    }

    async fn resolve_one(
        &self,
        spec: &'static ParamSpec,
        reference: &'static RefSpec,
        value: &Value,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
        lookups: &mut Vec<Lookup>,
    ) -> Result<Value, Error> {
        let name = match classify(spec, value) {
            Given::Id(id) => return Ok(id),
            Given::Name(name) => name,
        };
        let (candidates, fetched) = self.candidates(reference, input, options).await?;
        let id =
            pick(&name, reference, &candidates).map_err(|why| Error::validation(spec.name, why))?;
        lookups.push(Lookup {
            field: spec.name.to_owned(),
            name,
            id: id.clone(),
            via: reference.action.to_owned(),
            fetched,
        });
        Ok(id)
    }

    /// The candidates of a reference in this scope, fetched once per client.
    async fn candidates(
        &self,
        reference: &'static RefSpec,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<(Candidates, bool), Error> {
        let mut scope = Map::new();
        for (theirs, ours) in reference.scope {
            match input.get(*ours) {
                Some(v) if !v.is_null() => {
                    scope.insert((*theirs).to_owned(), v.clone());
                }
                _ => {
                    return Err(Error::validation(
                        *ours,
                        format!(
                            "is needed to look up a name (through `{}`); give it as well",
                            reference.action
                        ),
                    ));
                }
            }
        }
        let key = (
            reference.action.to_owned(),
            Value::Object(scope.clone()).to_string(),
        );
        let cell = {
            let mut entries = self
                .lookups()
                .entries
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            Arc::clone(entries.entry(key).or_default())
        };
        let mut fetched = false;
        let list = cell
            .get_or_try_init(|| async {
                fetched = true;
                self.lookups()
                    .fetches
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.fetch_candidates(reference, scope, options)
                    .await
                    .map(Arc::new)
            })
            .await?;
        Ok((Arc::clone(list), fetched))
    }

    async fn fetch_candidates(
        &self,
        reference: &'static RefSpec,
        scope: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Vec<Value>, Error> {
        let action = self.action(reference.action)?;
        if !reference.items.is_empty() {
            // A record that embeds its candidates (a project and its tasks).
            // Scope values are ids already: no lookup within a lookup.
            let request = crate::request::prepare(action, self.base_url(), &scope)?;
            let value = self.send_prepared(&request, options).await?.json()?;
            return match value.pointer(reference.items) {
                Some(Value::Array(items)) => Ok(items.clone()),
                _ => Err(Error::Decode {
                    context: reference.items.to_owned(),
                    message: format!("`{}` has no list there", action.id),
                }),
            };
        }
        let mut stream = crate::paginate::stream(self, action, scope, options, None);
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

/// The id of the one candidate `name` matches, or why there is none.
pub fn pick(name: &str, reference: &RefSpec, candidates: &[Value]) -> Result<Value, String> {
    let id_path = pointer(reference.id);
    let wanted = fold(name);
    let mut hits: Vec<&Value> = Vec::new();
    for c in candidates {
        let matched = reference
            .matches
            .iter()
            .any(|m| render(c, m).is_some_and(|text| fold(&text) == wanted));
        if matched
            && !hits
                .iter()
                .any(|h| h.pointer(&id_path) == c.pointer(&id_path))
        {
            hits.push(c);
        }
    }
    match hits.as_slice() {
        [one] => one.pointer(&id_path).cloned().ok_or_else(|| {
            format!(
                "the record {name:?} names has no `{}` in `{}`'s answer",
                reference.id, reference.action
            )
        }),
        [] => Err(not_found(name, reference, candidates)),
        many => Err(format!(
            "{name:?} matches {} records: {}; give the id instead",
            many.len(),
            many.iter()
                .map(|c| describe(c, reference))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Case and surrounding blanks do not count.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

fn pointer(path: &str) -> String {
    format!("/{}", path.replace('.', "/"))
}

/// A field path's value as text (`name`, `customer.name`).
fn field(candidate: &Value, path: &str) -> Option<String> {
    match candidate.pointer(&pointer(path))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A match entry: a field path, or a template of paths in braces (`{firstname} {lastname}`).
fn render(candidate: &Value, template: &str) -> Option<String> {
    if !template.contains('{') {
        return field(candidate, template);
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')? + start;
        out.push_str(&rest[..start]);
        out.push_str(&field(candidate, &rest[start + 1..end]).unwrap_or_default());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn describe(candidate: &Value, reference: &RefSpec) -> String {
    let label = reference
        .matches
        .iter()
        .find_map(|m| render(candidate, m).filter(|t| !t.trim().is_empty()))
        .unwrap_or_else(|| "?".into());
    let id = field(candidate, reference.id).unwrap_or_else(|| "?".into());
    format!("{label:?} (id {id})")
}

fn not_found(name: &str, reference: &RefSpec, candidates: &[Value]) -> String {
    let wanted = fold(name);
    let mut scored: Vec<(f64, &Value)> = candidates
        .iter()
        .filter_map(|c| {
            let best = reference
                .matches
                .iter()
                .filter_map(|m| render(c, m))
                .map(|t| strsim::jaro_winkler(&fold(&t), &wanted))
                .fold(0.0, f64::max);
            (best > 0.7).then_some((best, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let close: Vec<String> = scored
        .iter()
        .take(CLOSE)
        .map(|(_, c)| describe(c, reference))
        .collect();
    let what = reference.matches.join(" or ");
    if close.is_empty() {
        format!(
            "no record has {what} {name:?} ({} looked at through `{}`)",
            candidates.len(),
            reference.action
        )
    } else {
        format!("no record has {what} {name:?}; close: {}", close.join(", "))
    }
}

/// Which input fields name another record, for help texts: the fields a name may match.
pub fn describe_ref(reference: &RefSpec) -> String {
    let fields: Vec<String> = reference
        .matches
        .iter()
        .map(|m| m.replace(['{', '}'], ""))
        .collect();
    format!("id, or {}", fields.join(" / "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    static REF: RefSpec = RefSpec {
        action: "teams.list",
        scope: &[],
        items: "",
        id: "id",
        matches: &["name", "{firstname} {lastname}"],
    };
    static INT: ParamSpec = ParamSpec::body("team_id", ParamType::Integer).reference(&REF);

    #[test]
    fn whole_numbers_are_ids_and_prefixes_force_a_reading() {
        assert_eq!(classify(&INT, &json!(5)), Given::Id(json!(5)));
        assert_eq!(classify(&INT, &json!("12")), Given::Id(json!("12")));
        assert_eq!(classify(&INT, &json!("id:12")), Given::Id(json!(12)));
        assert_eq!(classify(&INT, &json!("name:12")), Given::Name("12".into()));
        assert_eq!(
            classify(&INT, &json!("  Support ")),
            Given::Name("Support".into())
        );
    }

    #[test]
    fn templates_join_fields() {
        let c =
            json!({"id": 1, "firstname": "Ada", "lastname": "Lovelace", "unit": {"name": "Ops"}});
        assert_eq!(
            render(&c, "{firstname} {lastname}").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(render(&c, "unit.name").as_deref(), Some("Ops"));
        assert_eq!(render(&c, "missing"), None);
    }

    #[test]
    fn none_or_several_matches_list_candidates_with_ids() {
        let list = vec![
            json!({"id": 1, "name": "Support"}),
            json!({"id": 2, "name": "Sales"}),
            json!({"id": 3, "name": "support "}),
        ];
        let many = pick("SUPPORT", &REF, &list).unwrap_err();
        assert!(
            many.contains("2 records") && many.contains("(id 1)") && many.contains("(id 3)"),
            "{many}"
        );
        let none = pick("Supprot", &REF, &list).unwrap_err();
        assert!(none.contains("close") && none.contains("(id 1)"), "{none}");
        assert_eq!(pick("sales", &REF, &list).unwrap(), json!(2));
    }

    proptest! {
        #[test]
        fn an_exact_unique_name_always_resolves(
            names in proptest::collection::btree_set("[A-Za-z][A-Za-z0-9 ]{0,15}", 1..20),
            pick_at in any::<prop::sample::Index>(),
            upper: bool,
        ) {
            // Names that fold to the same text are one name to a person; keep one of each.
            let mut seen = std::collections::BTreeSet::new();
            let names: Vec<String> = names.into_iter().filter(|n| seen.insert(fold(n))).collect();
            let list: Vec<Value> = names.iter().enumerate().map(|(i, n)| json!({"id": i, "name": n})).collect();
            let i = pick_at.index(names.len());
            let asked = if upper { names[i].to_uppercase() } else { format!("  {}  ", names[i]) };
            prop_assert_eq!(pick(&asked, &REF, &list).unwrap(), json!(i));
        }

        #[test]
        fn an_id_looking_value_is_never_looked_up(n in 0u64..u64::MAX / 2) {
            prop_assert!(matches!(classify(&INT, &json!(n)), Given::Id(_)));
            prop_assert!(matches!(classify(&INT, &json!(n.to_string())), Given::Id(_)));
        }

        #[test]
        fn folding_ignores_case_and_blanks(name in "[A-Za-z][A-Za-z ]{0,20}", pad in " {0,3}") {
            prop_assert_eq!(fold(&format!("{pad}{}{pad}", name.to_uppercase())), fold(&name));
        }
    }
}
