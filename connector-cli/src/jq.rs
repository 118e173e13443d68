//! `--jq EXPR`: a jq filter run in process by the jaq crates (no `jq` binary needed).
//! It is compiled while the flags are read, so a bad expression is a usage error
//! (exit 2) before any request is sent.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

type Program = jaq_core::Filter<data::JustLut<Val>>;

/// A compiled jq filter.
pub struct Jq {
    program: Program,
}

impl std::fmt::Debug for Jq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jq")
    }
}

/// At most this much of the expression is quoted in an error.
const QUOTE: usize = 24;

fn near(rest: &str) -> String {
    let cut: String = rest.chars().take(QUOTE).collect();
    if cut.is_empty() {
        "at the end".to_owned()
    } else {
        format!("at `{cut}`")
    }
}

impl Jq {
    /// Compiles `code` with jq's standard library.
    pub fn compile(code: &str) -> Result<Jq, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let mut messages = Vec::new();
                for (_, error) in errors {
                    match error {
                        jaq_core::load::Error::Io(list) => {
                            messages.extend(list.into_iter().map(|(_, m)| m));
                        }
                        jaq_core::load::Error::Lex(list) => messages
                            .extend(list.into_iter().map(|(e, rest)| {
                                format!("expected {} {}", e.as_str(), near(rest))
                            })),
                        jaq_core::load::Error::Parse(list) => messages
                            .extend(list.into_iter().map(|(e, rest)| {
                                format!("expected {} {}", e.as_str(), near(rest))
                            })),
                    }
                }
                messages.join("; ")
            })?;
        let program = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                errors
                    .into_iter()
                    .flat_map(|(_, list)| list)
                    .map(|(name, what)| {
                        let kind = match what {
                            jaq_core::compile::Undefined::Var => "variable",
                            jaq_core::compile::Undefined::Mod => "module",
                            jaq_core::compile::Undefined::Label => "label",
                            _ => "filter",
                        };
                        format!("undefined {kind} `{name}`")
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        Ok(Jq { program })
    }

    /// The filter's outputs for one input, in order; the first runtime error ends them.
    pub fn run(&self, input: &Value) -> Result<Vec<Value>, String> {
        let bytes = serde_json::to_vec(input).map_err(|e| e.to_string())?;
        let input = jaq_json::read::parse_single(&bytes).map_err(|e| e.to_string())?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.program.lut, Vars::new([]));
        let mut out = Vec::new();
        for result in self.program.id.run((ctx, input)).map(unwrap_valr) {
            let value = result.map_err(|e| e.to_string())?;
            let text = value.to_string();
            // jq's numbers and strings print as JSON; anything else is shown as text.
            out.push(serde_json::from_str(&text).unwrap_or(Value::String(text)));
        }
        Ok(out)
    }
}

/// The clap value parser of `--jq`: the expression compiles, else a usage error.
pub fn arg(code: &str) -> Result<String, String> {
    Jq::compile(code).map(|_| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_run_on_json() {
        let jq = Jq::compile(".name, (.tags | length)").unwrap();
        assert_eq!(
            jq.run(&json!({"name": "Ada", "tags": [1, 2]})).unwrap(),
            vec![json!("Ada"), json!(2)]
        );
        let jq = Jq::compile("select(.id > 1) | {id}").unwrap();
        assert_eq!(jq.run(&json!({"id": 1})).unwrap(), Vec::<Value>::new());
        assert_eq!(jq.run(&json!({"id": 2})).unwrap(), vec![json!({"id": 2})]);
    }

    #[test]
    fn bad_expressions_are_refused_with_a_reason() {
        let e = Jq::compile(".name |").unwrap_err();
        assert!(e.contains("expected"), "{e}");
        let e = Jq::compile("nosuchfilter").unwrap_err();
        assert!(e.contains("nosuchfilter"), "{e}");
        assert!(Jq::compile(".a[").is_err());
    }

    #[test]
    fn runtime_errors_are_reported() {
        let jq = Jq::compile(".a + 1").unwrap();
        assert!(jq.run(&json!({"a": "x"})).is_err());
    }
}
