//! `connector completions <shell>`: a few lines that register `connector` itself as the
//! shell's completer (clap's completion engine), instead of a script of every action and
//! flag (megabytes, slow to source). The completions come from the same command tree,
//! asked for at each TAB.

use super::context::write_failed;
use crate::exit;
use clap_complete::env::Shells;
use std::io::Write;

/// The environment variable under which the shell asks `connector` for completions.
pub const VAR: &str = "COMPLETE";

pub fn run(m: &clap::ArgMatches) -> u8 {
    let Some(shell) = m.get_one::<clap_complete::Shell>("shell").copied() else {
        return exit::USAGE;
    };
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(&shell.to_string()) else {
        crate::output::error(format!("no completion for {shell}"));
        return exit::USAGE;
    };
    let mut script = Vec::new();
    if let Err(e) =
        completer.write_registration(VAR, "connector", "connector", "connector", &mut script)
    {
        return write_failed(&e);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        Ok(()) => exit::SUCCESS,
        Err(e) => write_failed(&e),
    }
}
