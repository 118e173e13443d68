//! In a real pseudo-terminal: a table is fitted to the terminal's width (no `COLUMNS`),
//! cut with `…`, and an escape sequence in server data reaches the terminal as text only;
//! messages are coloured there unless `NO_COLOR` is set.

mod common;

use common::*;
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;

const COLS: u16 = 64;

/// Runs `connector ARGS` in a pty `COLS` wide; what the terminal received.
fn in_pty(home: &std::path::Path, base_url: &str, args: &[&str]) -> String {
    let (text, success) = in_pty_coloured(home, base_url, args, false);
    assert!(success, "{text}");
    text
}

/// As [`in_pty`], with colours allowed when `colour` (no `NO_COLOR`); also whether it
/// exited 0.
fn in_pty_coloured(
    home: &std::path::Path,
    base_url: &str,
    args: &[&str],
    colour: bool,
) -> (String, bool) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_connector"));
    cmd.env_clear();
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join(".config"));
    // A terminal names itself in TERM; without it anstream assumes one without colours.
    cmd.env("TERM", "xterm-256color");
    if !colour {
        cmd.env("NO_COLOR", "1");
    }
    cmd.env("KONVERTE_BASE_URL", base_url);
    cmd.env("KONVERTE_API_TOKEN", TOKEN);
    cmd.args(args);
    let mut child = pair.slave.spawn_command(cmd).expect("connector starts");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("the pty reads");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Linux answers EIO once the child is gone and the pty drained.
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    let status = child.wait().expect("connector exits");
    let text = String::from_utf8_lossy(&seen).replace('\r', "");
    (text, status.success())
}

#[tokio::test]
async fn a_table_on_a_terminal_fits_and_shows_escapes_as_text() {
    let sandbox = KonverteSandbox::start(SandboxConfig {
        konverte_token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    for name in [
        "Eve \u{1b}]0;pwned\u{7}\u{1b}[2J",
        "Maximiliane Alexandra von Hohenzollern-Sigmaringen und Drumherum",
    ] {
        let mut cmd = konverte(home.path(), &sandbox.base_url());
        cmd.args([
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--name",
            name,
        ]);
        assert_eq!(code(&run(cmd).await), 0);
    }
    let base_url = sandbox.base_url();
    let home_path = home.path().to_path_buf();
    let text = tokio::task::spawn_blocking(move || {
        in_pty(
            &home_path,
            &base_url,
            &[
                "konverte",
                "contacts",
                "list",
                "--account_id",
                "1",
                "-o",
                "table",
                "--fields",
                "id,name",
            ],
        )
    })
    .await
    .unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("\\u{1b}]0;pwned"), "{text}");
    assert!(text.contains('…'), "{text}");
    let table: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert!(table.len() >= 5, "{text}");
    for line in table {
        assert!(
            line.chars().count() <= usize::from(COLS),
            "wider than the pty: {line}"
        );
    }
}

#[tokio::test]
async fn an_error_is_red_on_a_terminal_and_plain_with_no_color_and_server_text_stays_text() {
    let sandbox = KonverteSandbox::start(SandboxConfig {
        konverte_token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let base_url = sandbox.base_url();
    let home_path = home.path().to_path_buf();
    let (coloured, plain) = tokio::task::spawn_blocking(move || {
        let args = ["konverte", "contacts", "get", "987654", "--account_id", "1"];
        let coloured = in_pty_coloured(&home_path, &base_url, &args, true);
        let plain = in_pty_coloured(&home_path, &base_url, &args, false);
        (coloured, plain)
    })
    .await
    .unwrap();
    assert!(!coloured.1 && !plain.1, "a missing contact fails");
    assert!(
        coloured.0.contains("\u{1b}[1;31merror:\u{1b}[0m"),
        "{:?}",
        coloured.0
    );
    assert!(plain.0.contains("error:"), "{:?}", plain.0);
    assert!(!plain.0.contains('\u{1b}'), "NO_COLOR: {:?}", plain.0);
    let without_colour = coloured
        .0
        .replace("\u{1b}[1;31m", "")
        .replace("\u{1b}[0m", "");
    assert!(
        !without_colour.contains('\u{1b}'),
        "only the colour codes: {:?}",
        coloured.0
    );
}
