//! `connector completions <shell>`.

use super::write_failed;
use crate::cli;
use crate::exit;
use std::io::Write;

pub fn run(m: &clap::ArgMatches) -> u8 {
    let Some(shell) = m.get_one::<clap_complete::Shell>("shell").copied() else {
        return exit::USAGE;
    };
    // Into a buffer: clap_complete panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cli::command(), "connector", &mut script);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        Ok(()) => exit::SUCCESS,
        Err(e) => write_failed(&e),
    }
}
