//! A throwaway PostgreSQL cluster: `initdb` in a temporary directory, the
//! server on 127.0.0.1 and a free port, trust authentication, stopped
//! (immediate) and removed on drop.
//!
//! Binaries come from `$PG_BIN_DIR` or the newest
//! `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package). As root
//! they run as the `postgres` user through `runuser`, since PostgreSQL
//! refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct PgServer {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl PgServer {
    /// The directory holding `initdb` and `pg_ctl`, if any.
    pub fn find_bin_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("PG_BIN_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let version = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("pg_ctl").is_file().then_some((version, bin))
            })
            .collect();
        dirs.sort();
        dirs.pop().map(|(_, bin)| bin)
    }

    /// Starts a server for a test (see [`super::missing`] when there is no
    /// PostgreSQL).
    pub fn start_for_test() -> Option<PgServer> {
        let Some(bin) = Self::find_bin_dir() else {
            super::missing("PostgreSQL (initdb, pg_ctl)");
            return None;
        };
        match Self::start(&bin) {
            Ok(server) => Some(server),
            Err(e) => panic!("start PostgreSQL from {}: {e}", bin.display()),
        }
    }

    /// Creates a cluster and starts it; `pg_ctl -w` waits until it accepts
    /// connections.
    pub fn start(bin: &Path) -> std::io::Result<PgServer> {
        let dir = tempfile::Builder::new().prefix("nodectl-pg").tempdir()?;
        let as_postgres = super::is_root();
        let data = dir.path().join("data");
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()))?;
        }
        let mut server = PgServer {
            bin: bin.to_owned(),
            data,
            port: 0,
            as_postgres,
            _dir: dir,
        };
        let data = server.data.to_string_lossy().into_owned();
        run(&mut server.command(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        ))?;
        let mut last = None;
        for _ in 0..3 {
            server.port = super::free_port()?;
            let options = format!(
                "-p {} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
                server.port
            );
            let log = format!("{data}/server.log");
            match run(&mut server.command(
                "pg_ctl",
                &[
                    "-D", &data, "-o", &options, "-l", &log, "-w", "-t", "60", "start",
                ],
            )) {
                Ok(_) => return Ok(server),
                // Most likely the port was taken meanwhile: another one.
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("not started")))
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args).current_dir("/");
        command
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection string for database `postgres` as user `postgres`.
    pub fn url(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    /// A client connection driven by a background task.
    pub async fn connect(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) =
            tokio_postgres::connect(&self.url(), tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        Ok(client)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data.to_string_lossy().into_owned();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(command: &mut Command) -> std::io::Result<Output> {
    let output = command.output()?;
    if output.status.success() {
        return Ok(output);
    }
    Err(std::io::Error::other(format!(
        "{:?} failed ({}): {}{}",
        command.get_program(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )))
}
