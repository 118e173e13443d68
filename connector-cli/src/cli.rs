//! The command tree, built at run time from every backend's declarations.
//!
//! `connector <backend> <resource> <verb> --<wire_name> VALUE ...` has one flag per
//! parameter. Required parameters are marked in the help but not enforced by clap:
//! the core's validation names the missing field (exit 2) exactly as it would for
//! `connector run`.

use crate::backend::Backend;
use crate::commands::{download, mcp};
use crate::exit;
use crate::options::{RESERVED, Takes, connection_args, request_args, request_args_for};
use crate::params::{
    POSITIONAL_ID, ParamFlag, YES, deletes, flag_name, positional_id, unique_params,
};
use clap::builder::{PossibleValue, PossibleValuesParser, StringValueParser, TypedValueParser};
use clap::{Arg, ArgAction, Command, ValueHint, value_parser};
use connector_core::{ActionSpec, ParamSpec, ParamType, ResponseKind};
use std::collections::HashSet;
use std::ffi::OsStr;

/// The heading of the flags every command takes.
const GLOBAL: &str = "Global options";

const VERB_TEMPLATE: &str =
    "{about-with-newline}\n{before-help}{usage-heading} {usage}\n\n{all-args}{after-help}";

/// The whole `connector` command.
pub fn command() -> Command {
    let mut root = Command::new("connector")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every Konverte Digital and MOCO action from the shell")
        .long_about(
            "Every Konverte Digital (Chatwoot) and MOCO action from the shell.\n\n\
             stdout carries data only (JSON, or JSON Lines for batches and --all); \
             messages, warnings and the progress bar go to stderr.",
        )
        .after_help(exit::help_text())
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .global(true)
                .help_heading(GLOBAL)
                .help("Log what happens to stderr (-v: info, -vv: debug); tokens are never logged"),
        )
        .arg(
            Arg::new("quiet")
                .short('q')
                .long("quiet")
                .action(ArgAction::SetTrue)
                .global(true)
                .help_heading(GLOBAL)
                .help("No progress bar, summary or warnings on stderr (errors, a batch's per-item errors included, still show)"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .env("CONNECTOR_PROFILE")
                .global(true)
                .help_heading(GLOBAL)
                .help("Profile of the config file ($CONNECTOR_CONFIG or <config dir>/connector/config.toml), used alone: KONVERTE_*/MOCO_* variables are then not read [default: the environment, else the default profile]"),
        );
    for backend in Backend::ALL {
        root = root.subcommand(backend_command(backend));
    }
    root.subcommand(run_command())
        .subcommand(api_command())
        .subcommand(actions_command())
        .subcommand(auth_command())
        .subcommand(sandbox_command())
        .subcommand(mcp::command())
        .subcommand(completions_command())
}

/// Resources of a backend in declaration order, each with its actions.
pub fn resources(actions: &'static [ActionSpec]) -> Vec<(&'static str, Vec<&'static ActionSpec>)> {
    let mut out: Vec<(&'static str, Vec<&'static ActionSpec>)> = Vec::new();
    for action in actions {
        match out.iter_mut().find(|(r, _)| *r == action.resource) {
            Some((_, list)) => list.push(action),
            None => out.push((action.resource, vec![action])),
        }
    }
    out
}

fn backend_command(backend: Backend) -> Command {
    let actions = backend.actions();
    let groups = resources(actions);
    let mut cmd = Command::new(backend.name())
        .about(format!(
            "{}: {} actions in {} resources",
            backend.about(),
            actions.len(),
            groups.len()
        ))
        .after_help(format!(
            "Connection, request and output flags go after the verb \
             (see `connector {} RESOURCE VERB --help`).\n\n{}\n\n{}",
            backend.name(),
            backend.credentials_help(),
            exit::help_text()
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand_help_heading("Resources")
        .subcommand_value_name("RESOURCE");
    let added = backend.added();
    for (resource, list) in groups {
        let verbs: Vec<&str> = list.iter().map(|a| a.verb).collect();
        let mut res = Command::new(resource)
            .about(format!(
                "{} action{}: {}",
                list.len(),
                if list.len() == 1 { "" } else { "s" },
                verbs.join(", ")
            ))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommand_help_heading("Actions")
            .subcommand_value_name("VERB");
        for action in list {
            res = res.subcommand(action_command(backend, action));
        }
        for more in added.iter().filter(|a| a.resource == resource) {
            res = res.subcommands((more.commands)());
        }
        cmd = cmd.subcommand(res);
    }
    cmd = cmd.subcommand(download::command(backend));
    for more in added {
        if actions.iter().all(|a| a.resource != more.resource) {
            cmd = cmd.subcommand(
                Command::new(more.resource)
                    .about(more.about)
                    .subcommand_required(true)
                    .arg_required_else_help(true)
                    .subcommand_value_name("VERB")
                    .subcommands((more.commands)()),
            );
        }
    }
    cmd
}

/// The kebab-case spelling of a snake_case flag (`account_id` -> `account-id`), when it
/// differs and clashes with no other flag of the command.
fn kebab_alias(long: &str, taken: &HashSet<String>) -> Option<String> {
    let kebab = long.replace('_', "-");
    (kebab != long && !taken.contains(&kebab) && !RESERVED.contains(&kebab.as_str()))
        .then_some(kebab)
}

fn value_name(p: &ParamSpec) -> &'static str {
    if p.reference.is_some() {
        return match p.ty {
            ParamType::Array { .. } => "ID|NAME,...",
            _ => "ID|NAME",
        };
    }
    match &p.ty {
        ParamType::String => "TEXT",
        ParamType::Integer => "INT",
        ParamType::Number => "NUMBER",
        ParamType::Boolean => "BOOL",
        ParamType::Date => "DATE",
        ParamType::DateTime => "DATETIME",
        ParamType::Enum { .. } => "VALUE",
        ParamType::Object => "JSON|@FILE",
        ParamType::Array { items } => match items {
            ParamType::Integer => "INT,...",
            ParamType::Enum { .. } => "VALUE,...",
            ParamType::File => "@PATH",
            _ => "LIST",
        },
        ParamType::Json => "JSON|@FILE",
        ParamType::Email => "EMAIL",
        ParamType::Password => "PASSWORD|@FILE",
        ParamType::File => "@PATH",
    }
}

fn param_help(f: &ParamFlag) -> String {
    let p = f.spec;
    let mut help = p.help.trim().to_owned();
    let mut notes: Vec<String> = Vec::new();
    match p.ty {
        ParamType::Object => notes.push("JSON object, or @FILE".into()),
        ParamType::Json => notes.push("JSON, or @FILE".into()),
        ParamType::Date => notes.push("YYYY-MM-DD".into()),
        ParamType::DateTime => notes.push("RFC 3339, e.g. 2024-05-01T12:00:00Z".into()),
        ParamType::File => notes.push("a file: @PATH".into()),
        ParamType::Array { items } if items.is_file() => {
            notes.push("files: @PATH; repeatable".into())
        }
        ParamType::Array { .. } => notes.push("comma-separated or a JSON array; repeatable".into()),
        ParamType::Password => {
            notes.push("upper, lower, digit and special character; or @FILE".into())
        }
        _ => {}
    }
    if p.secret && !matches!(p.ty, ParamType::Password) {
        notes.push("secret; or @FILE".into());
    }
    if let Some(reference) = p.reference {
        notes.push(connector_core::resolve::describe_ref(reference));
    }
    let wire = flag_name(p.name);
    if wire != p.name {
        notes.push(format!("wire name `{}`", p.name));
    }
    if !notes.is_empty() {
        if !help.is_empty() {
            help.push(' ');
        }
        help.push_str(&format!("({})", notes.join("; ")));
    }
    if f.required {
        if !help.is_empty() {
            help.push(' ');
        }
        help.push_str("[required]");
    }
    help
}

fn param_arg(f: &ParamFlag, taken: &HashSet<String>) -> Arg {
    let p = f.spec;
    let long = f.long();
    let mut arg = Arg::new(f.id())
        .value_name(value_name(p))
        .help(param_help(f))
        .required(false);
    if let Some(kebab) = kebab_alias(&long, taken) {
        arg = arg.visible_alias(kebab);
    }
    let mut arg = arg.long(long);
    arg = match p.ty {
        ParamType::Enum { values } => arg.value_parser(DeclaredWords(values)),
        ParamType::Boolean => arg
            .num_args(0..=1)
            .default_missing_value("true")
            .value_parser(PossibleValuesParser::new(["true", "false"])),
        ParamType::Array { items } => {
            let arg = arg.action(ArgAction::Append);
            match items.enum_values() {
                Some(values) => arg.value_delimiter(',').value_parser(DeclaredWords(values)),
                None => arg,
            }
        }
        ParamType::Integer | ParamType::Number => arg.allow_negative_numbers(true),
        ParamType::Object | ParamType::Json | ParamType::Password | ParamType::File => {
            arg.value_hint(ValueHint::FilePath)
        }
        ParamType::Email => arg.value_hint(ValueHint::EmailAddress),
        _ => arg,
    };
    arg
}

/// An enum parameter's words: listed in `--help` and offered by shell completion, but not
/// enforced here: the core refuses a word outside the list (exit 2, the field named, a
/// close word suggested) unless `--lenient` lets it through.
#[derive(Debug, Clone, Copy)]
struct DeclaredWords(&'static [&'static str]);

impl TypedValueParser for DeclaredWords {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|w| PossibleValue::new(*w))))
    }
}

/// The connection and request flags of a generated command, by what it can use:
/// impersonation where the backend has it, `--all`/`--limit` on paged lists, and no
/// batch flags (its input is one item).
fn shared_args(impersonation: bool, list: bool) -> Vec<Arg> {
    let mut args = connection_args(impersonation);
    args.extend(request_args_for(Takes::action(list)));
    args
}

/// As [`shared_args`] for an action answering a file (never a paged list): its bytes go to
/// `--out` or stdout, so there is no `-o`, `--fields` or `--jq` to pick from them.
fn file_args(impersonation: bool) -> Vec<Arg> {
    let mut args = connection_args(impersonation);
    args.extend(request_args_for(Takes {
        output: false,
        view: false,
        ..Takes::action(false)
    }));
    args
}

fn action_command(backend: Backend, action: &'static ActionSpec) -> Command {
    let params = unique_params(action);
    // Deferred: clap builds these only for the command line's own verb, not for
    // every action of the tree at each start (a closure cannot capture, hence one arm each).
    let cmd = Command::new(action.verb);
    let file = action.response == ResponseKind::Bytes;
    let cmd = match (backend.impersonation(), action.pagination.is_paged()) {
        (true, _) if file => cmd.defer(|c| c.args(file_args(true))),
        (false, _) if file => cmd.defer(|c| c.args(file_args(false))),
        (true, true) => cmd.defer(|c| c.args(shared_args(true, true))),
        (true, false) => cmd.defer(|c| c.args(shared_args(true, false))),
        (false, true) => cmd.defer(|c| c.args(shared_args(false, true))),
        (false, false) => cmd.defer(|c| c.args(shared_args(false, false))),
    };
    let mut cmd = cmd
        .about(action.summary)
        .before_help(format!("{} {}", action.method.as_str(), action.path))
        .help_template(VERB_TEMPLATE)
        .next_help_heading("Parameters");
    let taken: HashSet<String> = params.iter().map(ParamFlag::long).collect();
    if let Some(id) = positional_id(action) {
        let flag = params
            .iter()
            .find(|f| f.spec.name == id.name)
            .map(ParamFlag::id)
            .unwrap_or_default();
        cmd = cmd.arg(
            Arg::new(POSITIONAL_ID)
                .value_name("ID")
                .index(1)
                .conflicts_with(flag)
                .help(format!(
                    "The record's `{}` (or --{})",
                    id.name,
                    flag_name(id.name)
                )),
        );
    }
    for f in &params {
        cmd = cmd.arg(param_arg(f, &taken));
    }
    if deletes(action) {
        cmd = cmd.arg(
            Arg::new(YES)
                .long(YES)
                .short('y')
                .action(ArgAction::SetTrue)
                .help_heading("Running and output")
                .help("Delete without asking (it asks only when stdin and stderr are a terminal)"),
        );
    }
    if action.response == ResponseKind::Bytes {
        cmd = cmd.args(crate::files::args());
    }
    let mut notes = vec![format!(
        "Action id: {} (connector run <backend> {} --input JSON)",
        action.id, action.id
    )];
    if action.response == ResponseKind::Bytes {
        notes.push(
            "The answer is a file: --out FILE, or stdout when it is not a terminal; --out-dir DIR for many inputs."
                .into(),
        );
    }
    if action.pagination.is_paged() {
        notes.push(
            "Paged list: --all streams every item (JSON Lines), --limit N stops after N.".into(),
        );
    }
    cmd.after_help(notes.join("\n"))
}

fn run_command() -> Command {
    Command::new("run")
        .about("Run any action by id, once or for every line of a JSON Lines input")
        .long_about(
            "Run any action by id. --input takes one JSON object inline: one call, whose \
             response is printed as is (like the action's own command). @FILE or - (stdin) \
             hold one JSON object per line (JSON Lines), and an inline JSON array is a batch \
             too: each input gives one outcome line \
             {\"index\":..,\"ok\":..,\"response\"|\"error\"|\"skipped\":..} on stdout, in input order; \
             a line that is not a JSON object (or not UTF-8) becomes a validation outcome and \
             nothing is sent for it. Ctrl-C or SIGTERM during a batch stops reading inputs, \
             lets the requests in flight finish and prints their outcomes and the summary.",
        )
        .after_help(exit::help_text())
        .arg(
            Arg::new("backend")
                .value_name("BACKEND")
                .required(true)
                .value_parser(PossibleValuesParser::new(Backend::ALL.map(Backend::name))),
        )
        .arg(
            Arg::new("action")
                .value_name("ACTION_ID")
                .required(true)
                .help("Action id, e.g. contacts.create (see `connector actions`)"),
        )
        .arg(
            Arg::new("input")
                .long("input")
                .short('i')
                .value_name("JSON|@FILE|-")
                .allow_hyphen_values(true)
                .help("Input: a JSON object, @FILE of JSON Lines, or - for JSON Lines on stdin [default: {}]"),
        )
        .arg(
            Arg::new("max-line-size")
                .long("max-line-size")
                .value_name("SIZE")
                .value_parser(crate::input::parse_size)
                .help("Longest JSON Lines line, e.g. 64M or 1G; a longer line is that item's error and the batch goes on [default: 16M]"),
        )
        .arg(
            Arg::new("key")
                .long("key")
                .value_name("FIELD")
                .help("In a batch, each outcome line also carries this field of its input as `key` (every line carries `line`, the input's line number)"),
        )
        .arg(
            Arg::new("retry-failed")
                .long("retry-failed")
                .value_name("OUTCOMES.jsonl")
                .value_hint(ValueHint::FilePath)
                .value_parser(value_parser!(std::path::PathBuf))
                .help("With the same --input: run only the inputs whose outcome in this file failed or was skipped (matched by `line`)"),
        )
        .args(connection_args(true))
        .args(request_args())
        .args(crate::files::args())
}

fn api_command() -> Command {
    Command::new("api")
        .about("Call any route of a backend, with the same credentials and options as its actions")
        .long_about(
            "Call any route of a backend, declared or not, through the same pipeline as its \
             actions: credentials, retries, rate limit, timeouts, proxy and TLS options. \
             Fields (-f key=value, and --input) go in the query for GET and DELETE, else in \
             the JSON body; a value that parses as JSON is sent as JSON (-f per_page=5). \
             PATH is relative to the base URL (/contacts?page=2), or a full URL below it; \
             a URL to another origin is refused. --all pages in the backend's style \
             (Konverte: page=N, items under payload; MOCO: Link headers).",
        )
        .after_help(exit::help_text())
        .arg(
            Arg::new("backend")
                .value_name("BACKEND")
                .required(true)
                .value_parser(PossibleValuesParser::new(Backend::ALL.map(Backend::name))),
        )
        .arg(
            Arg::new("method")
                .value_name("METHOD")
                .required(true)
                .help("GET, POST, PUT, PATCH or DELETE"),
        )
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .required(true)
                .help("The route below the base URL, e.g. /api/v1/accounts/1/contacts"),
        )
        .arg(
            Arg::new("field")
                .short('f')
                .long("field")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help("A field of the request; repeatable"),
        )
        .arg(
            Arg::new("input")
                .long("input")
                .short('i')
                .value_name("JSON|@FILE")
                .help("The request's fields as one JSON object (-f adds to them)"),
        )
        .args(connection_args(true))
        .args(request_args_for(Takes::action(true)))
}

fn actions_command() -> Command {
    Command::new("actions")
        .about("List every action (id, method, path, summary)")
        .arg(
            Arg::new("backend")
                .value_name("BACKEND")
                .value_parser(PossibleValuesParser::new(Backend::ALL.map(Backend::name))),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .action(ArgAction::SetTrue)
                .help("A JSON array with each action's parameters"),
        )
}

fn auth_command() -> Command {
    let backend = || {
        Arg::new("backend")
            .value_name("BACKEND")
            .value_parser(PossibleValuesParser::new(Backend::ALL.map(Backend::name)))
    };
    Command::new("auth")
        .about("Where credentials come from, whether they work; store a token")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("status")
                .about("Show where each credential comes from and try it (one read call)")
                .long_about(
                    "Show, for each backend (or BACKEND), the base URL, where each credential \
                     comes from (a flag, a profile key, an environment variable, the keyring) \
                     and whether the token works: one read call (Konverte: profile.get, MOCO: \
                     session.get). Tokens are never printed.",
                )
                .after_help(
                    "Exit status: 0 when every backend checked answered, 1 when a token was \
                     refused, a server could not be reached, or nothing is configured.",
                )
                .arg(backend())
                .args(connection_args(false)),
        )
        .subcommand(
            Command::new("login")
                .about("Store a backend's token for the profile (OS keyring, else a 0600 file)")
                .long_about(
                    "Ask for BACKEND's token (not echoed; from stdin when it is not a terminal) \
                     and store it for the profile (--profile, else default): in the OS keyring, \
                     or where there is none (or CONNECTOR_KEYRING=off) in a file only you can \
                     read, <config dir>/connector/tokens/<profile>.<VARIABLE>. The profile uses \
                     it when its section has no token or token_file of its own; its address \
                     (base_url / subdomain) still comes from the profile.",
                )
                .arg(backend().required(true)),
        )
}

fn sandbox_command() -> Command {
    Command::new("sandbox")
        .about("Run local fake Konverte and MOCO servers and print their credentials")
        .long_about(
            "Run local fake Konverte (on PORT) and MOCO (on PORT+1) servers until Ctrl-C. \
             stdout gets `export KONVERTE_BASE_URL=...`, `export KONVERTE_API_TOKEN=...`, `export KONVERTE_PLATFORM_TOKEN=...` (the sandbox takes its one token for every kind), \
             `export MOCO_BASE_URL=...`, `export MOCO_API_KEY=...`. In a shell: \
             `connector sandbox > sandbox.env &`, then, once it says it is running, \
             `source sandbox.env`.",
        )
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("PORT")
                .value_parser(value_parser!(u16))
                .default_value("0")
                .help("Konverte's port (MOCO gets PORT+1); 0 picks free ports"),
        )
        .arg(
            Arg::new("host")
                .long("host")
                .value_name("ADDR")
                .default_value("127.0.0.1")
                .help("Address to listen on"),
        )
        .arg(
            Arg::new("rate-limit")
                .long("rate-limit")
                .value_name("N/DURATION")
                .help("Answer 429 past this many requests per sliding window, e.g. 120/2m"),
        )
        .arg(
            Arg::new("latency")
                .long("latency")
                .value_name("DURATION")
                .help("Delay before every answer, e.g. 50ms"),
        )
        .arg(
            Arg::new("error-rate")
                .long("error-rate")
                .value_name("RATIO")
                .value_parser(value_parser!(f64))
                .help("Share of requests answered 503 (0.0-1.0)"),
        )
        .arg(
            Arg::new("drop-rate")
                .long("drop-rate")
                .value_name("RATIO")
                .value_parser(value_parser!(f64))
                .help("Share of connections closed without an answer (0.0-1.0)"),
        )
        .arg(
            Arg::new("throttle-rate")
                .long("throttle-rate")
                .value_name("RATIO")
                .value_parser(value_parser!(f64))
                .help("Share of requests answered 429 (0.0-1.0)"),
        )
        .arg(
            Arg::new("seed")
                .long("seed")
                .value_name("N")
                .value_parser(value_parser!(u64))
                .help("Seed of the fault generator"),
        )
        .arg(
            Arg::new("data")
                .long("data")
                .value_name("SET")
                .value_parser(["minimal", "demo", "empty"])
                .conflicts_with("empty")
                .help("Records to start with: minimal (the documented seed records, default), demo (a small agency and support team), empty"),
        )
        .arg(
            Arg::new("empty")
                .long("empty")
                .action(ArgAction::SetTrue)
                .help("Start without the seed records (as --data empty)"),
        )
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Load the records from FILE at start (if it exists) and write them back on Ctrl-C / SIGTERM"),
        )
}

fn completions_command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(clap_complete::Shell)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn flag_names() {
        assert_eq!(flag_name("labels[]"), "labels");
        assert_eq!(flag_name("limit"), "param-limit");
        assert_eq!(flag_name("user_id"), "user_id");
    }

    #[test]
    fn every_action_has_a_command() {
        let root = command();
        for backend in Backend::ALL {
            let b = root.find_subcommand(backend.name()).unwrap();
            for action in backend.actions() {
                let r = b.find_subcommand(action.resource).unwrap();
                assert!(r.find_subcommand(action.verb).is_some(), "{}", action.id);
            }
        }
    }
}
