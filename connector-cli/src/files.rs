//! Files on the command line: `--<param> @PATH` (or `-` for stdin) for file parameters, and
//! where an answer that is a file goes (`--out FILE`, stdout when it is not a terminal, one
//! file per item with `--out-dir DIR`).

use clap::{Arg, ArgMatches, ValueHint};
use connector_core::{Download, Error};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const FILES: &str = "Files";

/// `--out` and `--out-dir`, for actions that answer with a file (and `run`).
pub fn args() -> Vec<Arg> {
    vec![
        Arg::new("out")
            .long("out")
            .value_name("FILE")
            .value_hint(ValueHint::FilePath)
            .value_parser(clap::value_parser!(PathBuf))
            .conflicts_with("out-dir")
            .help("Write the file the API answers with here (default: stdout, when it is not a terminal)")
            .help_heading(FILES),
        Arg::new("out-dir")
            .long("out-dir")
            .value_name("DIR")
            .value_hint(ValueHint::DirPath)
            .value_parser(clap::value_parser!(PathBuf))
            .help("With many inputs: one file per item in DIR, named by the server or <action>-<id>.<ext>")
            .help_heading(FILES),
    ]
}

/// Where downloaded files go.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub out: Option<PathBuf>,
    pub out_dir: Option<PathBuf>,
}

impl Target {
    pub fn from_matches(m: &ArgMatches) -> Target {
        Target {
            out: get::<PathBuf>(m, "out"),
            out_dir: get::<PathBuf>(m, "out-dir"),
        }
    }

    /// Refuses, before anything is sent, a destination that cannot work: binary on a
    /// terminal, a directory that is not one.
    pub fn check_single(&self) -> Result<(), Error> {
        if let Some(dir) = &self.out_dir {
            return check_dir(dir);
        }
        if self.out.is_none() && std::io::stdout().is_terminal() {
            return Err(Error::validation(
                "out",
                "the answer is a file and stdout is a terminal: give --out FILE (or redirect stdout, e.g. > file.pdf)",
            ));
        }
        Ok(())
    }

    /// A batch of downloads needs `--out-dir`: one stream on stdout cannot hold several files.
    pub fn check_many(&self) -> Result<&Path, Error> {
        match &self.out_dir {
            Some(dir) => check_dir(dir).map(|()| dir.as_path()),
            None => Err(Error::validation(
                "out-dir",
                "each input's answer is a file: give --out-dir DIR to write one file per item",
            )),
        }
    }

    /// Writes one download where this target says; the outcome names the file.
    pub async fn save(&self, download: Download) -> Result<Value, Error> {
        let content_type = download.content_type.clone();
        let (file, bytes) = match (&self.out, &self.out_dir) {
            (Some(path), _) => {
                let n = download.write_to(path).await?;
                (Some(path.clone()), n)
            }
            (None, Some(dir)) => {
                let path = unique_path(dir, &download.filename);
                let n = download.write_to(&path).await?;
                (Some(path), n)
            }
            (None, None) => {
                let mut stdout = tokio::io::stdout();
                (None, download.write_into(&mut stdout).await?)
            }
        };
        Ok(json!({
            "file": file.map(|p| p.display().to_string()),
            "bytes": bytes,
            "content_type": content_type,
        }))
    }
}

fn check_dir(dir: &Path) -> Result<(), Error> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::validation(
            "out-dir",
            format!("{} is not a directory", dir.display()),
        )),
        Err(e) => Err(Error::validation(
            "out-dir",
            format!("{}: {e}", dir.display()),
        )),
    }
}

/// Names taken in this run, so that two items whose server names agree get two files
/// (`a.pdf`, `a-2.pdf`) even while both are still being written.
fn taken() -> &'static Mutex<std::collections::HashSet<PathBuf>> {
    static TAKEN: OnceLock<Mutex<std::collections::HashSet<PathBuf>>> = OnceLock::new();
    TAKEN.get_or_init(Mutex::default)
}

fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let name = if name.is_empty() { "download" } else { name };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.to_owned(), String::new()),
    };
    let mut taken = taken().lock().unwrap_or_else(|e| e.into_inner());
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{n}{ext}"))
        };
        if !candidate.exists() && taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// The value a file parameter's flag gives the input: `@PATH` and a bare path name a file,
/// `@@x` the file `@x`, and `-` stdin (spooled to a temporary file first, so the upload
/// still streams from disk and a retry can send it again).
pub fn flag_value(field: &str, raw: &str) -> Result<Value, Error> {
    if raw == "-" || raw == "@-" {
        return Ok(Value::String(format!("@{}", spool_stdin(field)?.display())));
    }
    if raw.starts_with('@') {
        return Ok(Value::String(raw.to_owned()));
    }
    Ok(Value::String(format!("@{raw}")))
}

/// Temporary copies of stdin, removed by [`cleanup`].
static SPOOLED: OnceLock<Mutex<Vec<tempfile::TempPath>>> = OnceLock::new();

/// Removes the temporary copies of stdin (statics are not dropped at exit).
pub fn cleanup() {
    if let Some(spooled) = SPOOLED.get() {
        spooled.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

fn spool_stdin(field: &str) -> Result<PathBuf, Error> {
    let mut tmp = tempfile::NamedTempFile::new()
        .map_err(|e| Error::validation(field, format!("cannot buffer stdin: {e}")))?;
    std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut())
        .map_err(|e| Error::validation(field, format!("cannot read stdin: {e}")))?;
    let path = tmp.into_temp_path();
    let shown = path.to_path_buf();
    SPOOLED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path);
    Ok(shown)
}

/// A value of an argument that may not exist on this command.
fn get<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Option<T> {
    m.try_get_one::<T>(id).ok().flatten().cloned()
}
