//! What a tool result may never show: the credentials of this process, the secret
//! parameters of the call, and the secrets APIs hand out in their answers (an agent
//! bot's access token, a webhook's signature key, an inbox's HMAC token). An agent
//! passes whatever it reads to a model, so masking happens before a result leaves.

use crate::redact::Redactor;
use connector_core::{ActionSpec, MASK, SecretString};
use serde_json::{Map, Value};

/// The secrets of one call, masked in its result: the server's credentials and the
/// call's secret inputs.
#[derive(Debug, Default)]
pub struct Masker {
    secrets: Redactor,
}

impl Masker {
    /// Masks the credentials `redactor` knows (the server's clients').
    pub fn new(redactor: &Redactor) -> Masker {
        Masker {
            secrets: redactor.clone(),
        }
    }

    /// Masks those and the values this input gives to the action's secret parameters.
    pub fn for_input(redactor: &Redactor, spec: &ActionSpec, input: &Map<String, Value>) -> Masker {
        let mut secrets = redactor.clone();
        spec.params
            .iter()
            .filter(|p| p.secret)
            .filter_map(|p| input.get(p.name))
            .filter_map(Value::as_str)
            .for_each(|s| secrets.add(&SecretString::from(s.to_owned())));
        Masker { secrets }
    }

    /// Masks, in place: every credential of this process and every secret of the call
    /// wherever it appears in a string, and the text of every field whose name says
    /// it holds a secret.
    pub fn mask(&self, value: &mut Value) {
        self.secrets.value(value);
        mask_secret_fields(value);
    }
}

fn mask_secret_fields(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mask_secret_fields),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_secret_field(key) && !s.is_empty() => {
                        *s = MASK.to_owned();
                    }
                    _ => mask_secret_fields(v),
                }
            }
        }
        _ => {}
    }
}

/// Field names that hold credentials in the APIs' answers: `access_token`,
/// `hmac_token`, `pubsub_token`, `signature_key`, `api_key`, `secret`, `password`, ...
/// (`attribute_key` and the like name things, not secrets).
pub fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "password"]
        .iter()
        .any(|word| name.contains(word))
        || [
            "api_key",
            "apikey",
            "signature_key",
            "private_key",
            "access_key",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_core::{Method, ParamSpec, ParamType};
    use serde_json::json;

    #[test]
    fn secret_fields_are_masked_and_names_are_not() {
        let mut v = json!({
            "id": 1,
            "access_token": "abcdef123456",
            "nested": [{"signature_key": "f00f00f00", "attribute_key": "tier", "hmac_token": ""}],
            "token_count": 3,
        });
        Masker::default().mask(&mut v);
        assert_eq!(v["access_token"], MASK);
        assert_eq!(v["nested"][0]["signature_key"], MASK);
        assert_eq!(v["nested"][0]["attribute_key"], "tier");
        assert_eq!(v["nested"][0]["hmac_token"], "", "nothing to hide");
        assert_eq!(v["token_count"], 3, "only text is masked");
    }

    #[test]
    fn secret_inputs_are_masked_wherever_an_answer_echoes_them() {
        static SPEC: ActionSpec = ActionSpec {
            params: &[
                ParamSpec::body("password", ParamType::Password),
                ParamSpec::body("name", ParamType::String),
            ],
            ..ActionSpec::new("users.create", Method::Post, "/users")
        };
        let input = json!({"password": "Sup3r-Secret!", "name": "Ada"});
        let masker = Masker::for_input(&Redactor::default(), &SPEC, input.as_object().unwrap());
        let mut answer = json!({"errors": ["Sup3r-Secret! is too common"], "name": "Ada"});
        masker.mask(&mut answer);
        assert_eq!(answer["errors"][0], "*** is too common");
        assert_eq!(answer["name"], "Ada");
    }

    #[test]
    fn the_servers_credentials_are_masked_in_every_result() {
        let redactor = Redactor::default().with(&SecretString::from("server-token-123"));
        let mut answer = json!({"note": "Bearer server-token-123", "name": "Ada"});
        Masker::new(&redactor).mask(&mut answer);
        assert_eq!(answer["note"], "Bearer ***");
        let mut unmasked = json!({"note": "Bearer server-token-123"});
        Masker::default().mask(&mut unmasked);
        assert_eq!(
            unmasked["note"], "Bearer server-token-123",
            "no global list"
        );
    }
}
