//! Collects validation errors and output fields of one body.

use super::*;

/// Collects validation errors and output fields.
pub(super) struct V<'a> {
    pub(super) body: &'a Map<String, Value>,
    pub(super) creating: bool,
    pub(super) errors: BTreeMap<String, Vec<String>>,
    pub(super) out: Map<String, Value>,
}

impl<'a> V<'a> {
    pub(super) fn new(body: &'a Map<String, Value>, ctx: &BuildCtx<'_>) -> Self {
        Self {
            body,
            creating: ctx.existing.is_none(),
            errors: BTreeMap::new(),
            out: ctx.existing.cloned().unwrap_or_default(),
        }
    }

    pub(super) fn err(&mut self, field: &str, message: &str) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    pub(super) fn given(&self, key: &str) -> bool {
        self.body.contains_key(key)
    }

    pub(super) fn filled(&self, key: &str) -> bool {
        match self.body.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        }
    }

    /// Mandatory fields: must be given when creating, must not be blanked when updating.
    pub(super) fn required(&mut self, keys: &[&str]) {
        for key in keys {
            let missing = if self.creating {
                !self.filled(key)
            } else {
                self.given(key) && !self.filled(key)
            };
            if missing {
                self.err(key, BLANK);
            }
        }
    }

    pub(super) fn set(&mut self, key: &str, value: Value) {
        self.out.insert(key.to_owned(), value);
    }

    pub(super) fn default(&mut self, key: &str, value: Value) {
        if self.creating {
            self.out.entry(key.to_owned()).or_insert(value);
        }
    }

    pub(super) fn string_as(&mut self, key: &str, out_key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(out_key, Value::Null),
            Some(Value::String(s)) => self.set(out_key, json!(s)),
            Some(Value::Number(n)) => self.set(out_key, json!(n.to_string())),
            Some(_) => self.err(key, "is invalid"),
        }
    }

    pub(super) fn strings(&mut self, keys: &[&str]) {
        for key in keys {
            self.string_as(key, key);
        }
    }

    pub(super) fn boolean_as(&mut self, key: &str, out_key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(out_key, Value::Null),
            Some(v) => match as_bool(v) {
                Some(b) => self.set(out_key, json!(b)),
                None => self.err(key, "is not a boolean"),
            },
        }
    }

    pub(super) fn booleans(&mut self, keys: &[&str]) {
        for key in keys {
            self.boolean_as(key, key);
        }
    }

    pub(super) fn number(&mut self, key: &str) -> Option<f64> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(key, Value::Null);
                None
            }
            Some(v) => match as_f64(v) {
                Some(n) if n.is_finite() => {
                    self.set(key, number_value(n));
                    Some(n)
                }
                _ => {
                    self.err(key, "is not a number");
                    None
                }
            },
        }
    }

    pub(super) fn numbers(&mut self, keys: &[&str]) {
        for key in keys {
            self.number(key);
        }
    }

    pub(super) fn integer_as(&mut self, key: &str, out_key: &str) -> Option<i64> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(out_key, Value::Null);
                None
            }
            Some(v) => match v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(i) => {
                    self.set(out_key, json!(i));
                    Some(i)
                }
                None => {
                    self.err(key, "is not an integer");
                    None
                }
            },
        }
    }

    pub(super) fn date_as(&mut self, key: &str, out_key: &str) -> Option<NaiveDate> {
        match self.body.get(key) {
            None => None,
            Some(Value::Null) => {
                self.set(out_key, Value::Null);
                None
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.set(out_key, Value::Null);
                None
            }
            Some(Value::String(s)) => match parse_date(s) {
                Some(d) => {
                    self.set(out_key, json!(s));
                    Some(d)
                }
                None => {
                    self.err(key, "is not a valid date (use YYYY-MM-DD)");
                    None
                }
            },
            Some(_) => {
                self.err(key, "is not a valid date (use YYYY-MM-DD)");
                None
            }
        }
    }

    pub(super) fn date(&mut self, key: &str) -> Option<NaiveDate> {
        self.date_as(key, key)
    }

    pub(super) fn choice(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        match self.body.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => {
                self.set(key, json!(s));
                Some(s.clone())
            }
            Some(Value::String(s)) if s.is_empty() => None,
            Some(_) => {
                self.err(
                    key,
                    &format!("is not included in the list ({})", allowed.join(", ")),
                );
                None
            }
        }
    }

    pub(super) fn tags(&mut self) {
        match self.body.get("tags") {
            None => {}
            Some(Value::Null) => self.set("tags", json!([])),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                self.set("tags", Value::Array(items.clone()));
            }
            Some(Value::String(s)) => {
                let tags: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect();
                self.set("tags", json!(tags));
            }
            Some(_) => self.err("tags", "must be a list of strings"),
        }
    }

    pub(super) fn object(&mut self, key: &str) {
        match self.body.get(key) {
            None => {}
            Some(Value::Null) => self.set(key, json!({})),
            Some(Value::Object(map)) => {
                let mut merged = self
                    .out
                    .get(key)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                merged.extend(map.clone());
                self.set(key, Value::Object(merged));
            }
            Some(_) => self.err(key, "must be a JSON object"),
        }
    }

    /// An id field: `Ok(None)` when absent, `Err(())` when invalid (error recorded), and
    /// `Ok(Some(None))` when explicitly cleared.
    pub(super) fn id(&mut self, key: &str) -> Result<Option<Option<u64>>, ()> {
        match self.body.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
            Some(v) => match as_id(v) {
                Some(id) => Ok(Some(Some(id))),
                None => {
                    self.err(key, "is not a valid id");
                    Err(())
                }
            },
        }
    }

    /// A reference to another entity, rendered with `render` under `out_key`.
    pub(super) fn reference(
        &mut self,
        key: &str,
        out_key: &str,
        render: impl Fn(u64) -> Option<Value>,
    ) -> Option<u64> {
        match self.id(key) {
            Ok(Some(Some(id))) => match render(id) {
                Some(value) => {
                    self.set(out_key, value);
                    Some(id)
                }
                None => {
                    self.err(key, "does not exist");
                    None
                }
            },
            Ok(Some(None)) => {
                self.set(out_key, Value::Null);
                None
            }
            _ => None,
        }
    }

    pub(super) fn finish(self) -> Result<Map<String, Value>, Fail> {
        if self.errors.is_empty() {
            Ok(self.out)
        } else {
            Err(unprocessable(self.errors))
        }
    }
}
