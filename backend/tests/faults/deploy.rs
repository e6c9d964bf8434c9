//! What docs/deploy.md ships, checked by real tools: the systemd unit by `systemd-analyze verify`,
//! the container recipe by BuildKit's parser plus the build's rules (scripts/check-containerfile.py,
//! PyPI's `dockerfile` in the project's virtualenv), and backup and restore by
//! scripts/backup-restore-check.sh against PostgreSQL. Each also fails on a broken copy, so a
//! validator that accepts anything is caught.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `systemd-analyze verify` on a copy of `unit` whose binary path points at the binary just built
/// (verify insists that ExecStart exists); anything it says is a problem.
fn verify_unit(unit: &str) -> Output {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("atende.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/atende", env!("CARGO_BIN_EXE_atende"))).expect("write");
    Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze runs (apt-get install systemd; the Makefile does)")
}

#[test]
fn the_systemd_unit_verifies() {
    let unit = std::fs::read_to_string(repo().join("deploy/atende.service")).expect("deploy/atende.service");
    assert!(unit.lines().any(|l| l == "ExecStart=/usr/local/bin/atende serve"), "the unit starts the installed binary");
    for key in ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "KillSignal=SIGTERM"] {
        assert!(unit.lines().any(|l| l == key), "{key}");
    }
    let output = verify_unit(&unit);
    assert!(output.status.success() && said(&output).trim().is_empty(), "systemd-analyze: {}", said(&output));
    let broken = verify_unit(&unit.replace("ProtectSystem=strict", "ProtectSistem=strict"));
    assert!(said(&broken).contains("ProtectSistem"), "a misspelt key is reported: {}", said(&broken));
}

fn check_containerfile(file: &Path) -> Output {
    let venv = std::env::var("ATENDE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/atende-venv"));
    Command::new(venv.join("bin/python"))
        .arg(repo().join("scripts/check-containerfile.py"))
        .arg(file)
        .arg(repo())
        .output()
        .expect("the virtualenv's python runs (make faults installs `dockerfile` into it)")
}

#[test]
fn the_container_recipe_is_valid() {
    let path = repo().join("deploy/Containerfile");
    let output = check_containerfile(&path);
    assert!(output.status.success(), "{}", said(&output));
    let recipe = std::fs::read_to_string(&path).expect("read");
    let dir = tempfile::tempdir().expect("dir");
    let broken = dir.path().join("Containerfile");
    std::fs::write(
        &broken,
        recipe.replace(r#"ENTRYPOINT ["/usr/local/bin/atende"]"#, "ENTRYPOINT /usr/local/bin/atende"),
    )
    .expect("write");
    let output = check_containerfile(&broken);
    assert!(!output.status.success() && said(&output).contains("shell form"), "{}", said(&output));
}

#[test]
fn a_backup_restores_into_a_fresh_database_with_the_data() {
    let postgres = std::env::var("ATENDE_TEST_DATABASE_URL")
        .expect("ATENDE_TEST_DATABASE_URL is not set: run through `make faults` (scripts/test-services.sh)");
    let output = Command::new("bash")
        .arg(repo().join("scripts/backup-restore-check.sh"))
        .arg(env!("CARGO_BIN_EXE_atende"))
        .arg(&postgres)
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{}", said(&output));
    eprintln!("{}", said(&output).trim());
}
