//! Property tests: each validator accepts everything valid and refuses the rest.

use connector_core::validate;
use proptest::prelude::*;
use serde_json::{Value, json};

fn has_all_classes(s: &str) -> bool {
    s.chars().any(char::is_uppercase)
        && s.chars().any(char::is_lowercase)
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

proptest! {
    #[test]
    fn passwords_with_every_class_and_a_fair_length_pass(
        upper in "[A-Z]{1,5}", lower in "[a-z]{1,5}", digit in "[0-9]{1,5}",
        special in "[!@#$%^&*_.,;:?-]{1,5}", rest in "[A-Za-z0-9!@#]{0,40}",
    ) {
        let p = format!("{lower}{special}{upper}{rest}{digit}");
        prop_assume!(p.chars().count() >= validate::PASSWORD_MIN_LEN);
        prop_assert!(validate::password("password", &p).is_ok());
    }

    #[test]
    fn passwords_missing_a_class_fail_and_never_echo(p in "\\PC{0,40}") {
        let result = validate::password("password", &p);
        let len = p.chars().count();
        let valid = has_all_classes(&p) && (validate::PASSWORD_MIN_LEN..=validate::PASSWORD_MAX_LEN).contains(&len);
        prop_assert_eq!(result.is_ok(), valid);
        if let Err(e) = result {
            prop_assert_eq!(e.field(), Some("password"));
            if len >= 4 { prop_assert!(!e.to_string().contains(&p)); }
        }
    }

    #[test]
    fn any_i64_is_an_integer_as_number_or_text(n: i64) {
        prop_assert_eq!(validate::integer("id", &json!(n)).unwrap(), n);
        prop_assert_eq!(validate::integer("id", &json!(n.to_string())).unwrap(), n);
    }

    #[test]
    fn text_with_anything_but_digits_is_not_an_integer(s in "[0-9]{0,3}[^0-9]+[0-9]{0,3}") {
        prop_assume!(s != "-" && !(s.starts_with('-') && s[1..].bytes().all(|b| b.is_ascii_digit()) && s.len() > 1));
        prop_assert!(validate::integer("id", &json!(s)).is_err());
    }

    #[test]
    fn every_calendar_date_passes_and_its_mangled_forms_fail(days in 0i64..200_000) {
        let d = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        let text = d.format("%Y-%m-%d").to_string();
        prop_assert!(validate::date("date", &text).is_ok());
        prop_assert!(validate::date("date", &text.replace('-', "/")).is_err());
        let with_time = format!("{text}T00:00:00Z");
        prop_assert!(validate::date("date", &with_time).is_err());
        prop_assert!(validate::date("date", &d.format("%d.%m.%Y").to_string()).is_err());
    }

    #[test]
    fn rfc3339_date_times_pass(secs in 0i64..4_000_000_000, offset_h in -12i32..=12) {
        let tz = chrono::FixedOffset::east_opt(offset_h * 3600).unwrap();
        let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&tz);
        prop_assert!(validate::date_time("at", &t.to_rfc3339()).is_ok());
        prop_assert!(validate::date_time("at", &t.format("%Y-%m-%d %H:%M").to_string()).is_err());
    }

    #[test]
    fn objects_pass_as_values_and_as_text(map in proptest::collection::btree_map("[a-z_]{1,8}", any::<i32>(), 0..6)) {
        let v: Value = serde_json::to_value(&map).unwrap();
        prop_assert_eq!(validate::json_object("custom_attributes", &v).unwrap(), v.as_object().unwrap().clone());
        prop_assert!(validate::json_object("custom_attributes", &json!(v.to_string())).is_ok());
    }

    #[test]
    fn json_that_is_not_an_object_fails_naming_the_field(v in prop_oneof![
        any::<i64>().prop_map(Value::from), any::<bool>().prop_map(Value::from),
        "[a-z]{0,8}".prop_map(|s| Value::from(vec![s])), Just(Value::Null),
    ]) {
        let e = validate::json_object("custom_properties", &json!(v.to_string())).unwrap_err();
        prop_assert_eq!(e.field(), Some("custom_properties"));
        prop_assert!(validate::json_object("custom_properties", &v).is_err());
    }

    #[test]
    fn emails_need_exactly_one_at_with_text_around(local in "[a-z0-9._+-]{1,12}", domain in "[a-z0-9-]{1,12}(\\.[a-z]{2,5})?") {
        let (good, no_at) = (format!("{local}@{domain}"), format!("{local}{domain}"));
        let (two_ats, spaced) = (format!("{local}@@{domain}"), format!("{local} @{domain}"));
        prop_assert!(validate::email("email", &good).is_ok());
        prop_assert!(validate::email("email", &no_at).is_err());
        prop_assert!(validate::email("email", &two_ats).is_err());
        prop_assert!(validate::email("email", &spaced).is_err());
    }

    #[test]
    fn enums_take_exactly_their_values(v in "[a-z]{1,8}") {
        let allowed = ["customer", "supplier", "organization"];
        prop_assert_eq!(validate::one_of("type", &v, &allowed).is_ok(), allowed.contains(&v.as_str()));
    }

    #[test]
    fn booleans_are_true_false_or_their_text(b: bool, junk in "[a-z0-9]{1,6}") {
        prop_assert_eq!(validate::boolean("active", &json!(b)).unwrap(), b);
        prop_assert_eq!(validate::boolean("active", &json!(b.to_string())).unwrap(), b);
        prop_assume!(junk != "true" && junk != "false");
        prop_assert!(validate::boolean("active", &json!(junk)).is_err());
    }
}
