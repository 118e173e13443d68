//! `connector completions <shell>`.

use crate::cli;
use crate::exit;

pub fn run(m: &clap::ArgMatches) -> u8 {
    let Some(shell) = m.get_one::<clap_complete::Shell>("shell").copied() else {
        return exit::USAGE;
    };
    let mut cmd = cli::command();
    clap_complete::generate(shell, &mut cmd, "connector", &mut std::io::stdout());
    exit::SUCCESS
}
