//! Names decided once for a backend: which generated enum each enum parameter uses, and
//! which model names exist, so every renderer agrees.

use super::names::pascal;
use crate::manifest::{Loaded, Type};
use indexmap::IndexMap;
use std::collections::{BTreeSet, HashMap};

pub struct Plan {
    /// Enum name → its values, in first-seen order.
    pub enums: IndexMap<String, Vec<String>>,
    /// (action index, parameter index) → the enum its values are typed as.
    pub param_enum: HashMap<(usize, usize), String>,
    pub model_names: BTreeSet<String>,
    pub model_count: usize,
    /// Enum name → its documentation, where a manifest gives one.
    pub enum_docs: HashMap<String, String>,
}

/// What a model field, an `output` or an `item` names.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Integer,
    Number,
    Text,
    Boolean,
    Object,
    Json,
    Model(String),
    Enum(String),
}

impl Plan {
    pub fn new(m: &Loaded) -> Result<Plan, String> {
        let mut model_names = BTreeSet::new();
        let mut model_count = 0;
        for r in &m.resources {
            for name in r.models.keys() {
                model_count += 1;
                if !model_names.insert(name.clone()) {
                    return Err(format!("{}: model `{name}` is declared twice", m.name()));
                }
                if !name.starts_with(|c: char| c.is_ascii_uppercase())
                    || !name.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    return Err(format!(
                        "{}: model `{name}`: model names are PascalCase",
                        m.name()
                    ));
                }
            }
        }

        // Default enum names: <Resource><Param>; where one resource uses one parameter name
        // with different value lists, each action gets <Resource><Verb><Param>.
        let mut by_default: HashMap<String, BTreeSet<Vec<String>>> = HashMap::new();
        for r in &m.actions {
            for p in &r.params {
                if p.scalar() == Type::Enum && p.enum_name.is_none() {
                    by_default
                        .entry(default_name(&r.resource, "", p.name()))
                        .or_default()
                        .insert(p.values.clone());
                }
            }
        }
        let mut enums: IndexMap<String, Vec<String>> = IndexMap::new();
        let mut param_enum = HashMap::new();
        for (ai, r) in m.actions.iter().enumerate() {
            for (pi, p) in r.params.iter().enumerate() {
                if p.scalar() != Type::Enum {
                    continue;
                }
                let name = match &p.enum_name {
                    Some(n) => n.clone(),
                    None => {
                        let plain = default_name(&r.resource, "", p.name());
                        if by_default.get(&plain).is_some_and(|v| v.len() > 1) {
                            default_name(&r.resource, &r.verb, p.name())
                        } else {
                            plain
                        }
                    }
                };
                match enums.get(&name) {
                    Some(values) if values != &p.values => {
                        return Err(format!(
                            "{}: `{}`: parameter `{}`: enum `{name}` is used with other values elsewhere; give it another `enum` name",
                            r.file.display(),
                            r.action.id,
                            p.name()
                        ));
                    }
                    Some(_) => {}
                    None => {
                        enums.insert(name.clone(), p.values.clone());
                    }
                }
                param_enum.insert((ai, pi), name);
            }
        }
        let mut enum_docs = HashMap::new();
        for r in &m.resources {
            for (name, decl) in &r.enums {
                if !decl.doc.is_empty() {
                    enum_docs.insert(name.clone(), decl.doc.clone());
                }
                if enums.get(name).is_some_and(|v| v != &decl.values) {
                    return Err(format!(
                        "{}: enum `{name}` is declared with other values than a parameter's",
                        m.name()
                    ));
                }
                enums
                    .entry(name.clone())
                    .or_insert_with(|| decl.values.clone());
            }
        }
        for name in enums.keys() {
            if model_names.contains(name) {
                return Err(format!(
                    "{}: `{name}` is both a model and an enum",
                    m.name()
                ));
            }
        }
        let plan = Plan {
            enums,
            param_enum,
            model_names,
            model_count,
            enum_docs,
        };
        plan.check_types(m)?;
        Ok(plan)
    }

    /// A type as written in a manifest (`integer`, `Team`, `enum:X`, `Label[]`): the scalar
    /// or named type and whether it is a list.
    pub fn field_type(&self, written: &str) -> Result<(FieldType, bool), String> {
        let (base, list) = match written.strip_suffix("[]") {
            Some(b) => (b, true),
            None => (written, false),
        };
        let t = match base {
            "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "string" | "date" | "date-time" => FieldType::Text,
            "boolean" => FieldType::Boolean,
            "object" => FieldType::Object,
            "json" => FieldType::Json,
            other => {
                if let Some(e) = other.strip_prefix("enum:") {
                    if !self.enums.contains_key(e) {
                        return Err(format!("`{written}`: there is no enum `{e}`"));
                    }
                    FieldType::Enum(e.to_owned())
                } else if self.model_names.contains(other) {
                    FieldType::Model(other.to_owned())
                } else {
                    return Err(format!(
                        "`{written}` is neither a type (integer, number, string, boolean, date, date-time, object, json) nor a model nor `enum:Name`"
                    ));
                }
            }
        };
        Ok((t, list))
    }

    fn check_types(&self, m: &Loaded) -> Result<(), String> {
        for r in &m.resources {
            for (name, model) in &r.models {
                for (field, ty) in &model.fields {
                    self.field_type(ty.ty()).map_err(|e| {
                        format!("{}: model `{name}`, field `{field}`: {e}", m.name())
                    })?;
                }
            }
        }
        for r in &m.actions {
            if r.action.item.as_deref() == Some(super::typed::NO_CONTENT) {
                return Err(format!(
                    "{}: `{}`: an `item` cannot be `{}`",
                    r.file.display(),
                    r.action.id,
                    super::typed::NO_CONTENT
                ));
            }
            for written in [&r.action.output, &r.action.item].into_iter().flatten() {
                if written == super::typed::NO_CONTENT {
                    continue;
                }
                match self.field_type(written) {
                    Ok(_) => {}
                    Err(e) => {
                        return Err(format!("{}: `{}`: {e}", r.file.display(), r.action.id));
                    }
                }
            }
        }
        Ok(())
    }
}

fn default_name(resource: &str, verb: &str, param: &str) -> String {
    format!("{}{}{}", pascal(resource), pascal(verb), pascal(param))
}
