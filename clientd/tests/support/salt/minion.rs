//! A salt-minion for tests, (re)started by a script.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Master, START_TIMEOUT, salt_cmd, stop_pidfile, user};

/// A salt-minion, started and restarted by a script the way a service
/// manager would (the script is clientd's restart command in the tests).
pub struct Minion {
    bin: PathBuf,
    /// Its id.
    pub id: String,
    /// Its configuration directory (`minion`, `minion.d/`).
    pub config_dir: PathBuf,
    /// Its key directory.
    pub pki_dir: PathBuf,
    restart_script: PathBuf,
    pidfile: PathBuf,
}

impl Minion {
    /// Configures a minion with id `id` under `root`, pointed at `master`
    /// by its main config file.
    pub fn new(bin: &Path, root: &Path, id: &str, master: &Master) -> Minion {
        let config_dir = root.join("etc/salt");
        std::fs::create_dir_all(config_dir.join("minion.d")).unwrap();
        let r = root.display();
        std::fs::write(
            config_dir.join("minion"),
            format!(
                "root_dir: {r}\n\
                 id: {id}\n\
                 master: {master}\n\
                 user: {user}\n\
                 pki_dir: {r}/etc/salt/pki/minion\n\
                 cachedir: {r}/var/cache/salt/minion\n\
                 sock_dir: {r}/var/run/salt/minion\n\
                 pidfile: {r}/var/run/salt-minion.pid\n\
                 log_file: {r}/var/log/salt/minion\n\
                 log_level_logfile: info\n\
                 acceptance_wait_time: 1\n\
                 random_reauth_delay: 0\n\
                 auth_timeout: 5\n",
                master = master.address(),
                user = user()
            ),
        )
        .unwrap();
        let pidfile = root.join("var/run/salt-minion.pid");
        let restart_script = root.join("restart-minion.sh");
        std::fs::write(
            &restart_script,
            format!(
                "#!/bin/sh\n\
                 # Restarts the test minion: stop the running one, start a new one.\n\
                 set -e\n\
                 pidfile={pidfile}\n\
                 if [ -f \"$pidfile\" ]; then\n\
                 \x20 pid=$(cat \"$pidfile\")\n\
                 \x20 kill -TERM \"$pid\" 2>/dev/null || true\n\
                 \x20 i=0\n\
                 \x20 while [ -d /proc/\"$pid\" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done\n\
                 \x20 [ -d /proc/\"$pid\" ] && kill -KILL \"$pid\" 2>/dev/null || true\n\
                 \x20 rm -f \"$pidfile\"\n\
                 fi\n\
                 exec {bin}/salt-minion -c {config} -d\n",
                pidfile = pidfile.display(),
                bin = bin.display(),
                config = config_dir.display(),
            ),
        )
        .unwrap();
        Minion {
            bin: bin.to_owned(),
            id: id.to_owned(),
            pki_dir: root.join("etc/salt/pki/minion"),
            config_dir,
            restart_script,
            pidfile,
        }
    }

    /// The command that (re)starts it.
    pub fn restart_command(&self) -> Vec<String> {
        vec!["sh".into(), self.restart_script.display().to_string()]
    }

    /// `salt-call test.ping` against the master its configuration names.
    pub fn check_command(&self) -> Vec<String> {
        vec![
            self.bin.join("salt-call").display().to_string(),
            "-c".into(),
            self.config_dir.display().to_string(),
            "--retcode-passthrough".into(),
            "test.ping".into(),
        ]
    }

    /// Starts it (through the restart script).
    pub async fn start(&self) {
        let script = self.restart_script.display().to_string();
        salt_cmd(Path::new("sh"), &[&script], START_TIMEOUT)
            .await
            .unwrap();
    }

    /// `salt-call --local key.finger`: the minion's own key fingerprint.
    pub async fn key_finger(&self) -> String {
        let config = self.config_dir.display().to_string();
        let out = salt_cmd(
            &self.bin.join("salt-call"),
            &["-c", &config, "--local", "key.finger", "--out=json"],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["local"].as_str().unwrap().to_owned()
    }
}

impl Drop for Minion {
    fn drop(&mut self) {
        stop_pidfile(&self.pidfile);
    }
}
