//! `maya-cli backup ...` and the product description's backup script, run as
//! an operator runs them: spawned processes, exit codes, output.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_maya-cli");

fn maya(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("MAYA_DATA_DIR")
        .env_remove("RUST_LOG")
        .output()
        .expect("maya-cli runs")
}

fn ok(args: &[&str]) -> String {
    let out = maya(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "maya-cli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exit code and stderr of a command expected to fail.
fn fails(args: &[&str]) -> (i32, String) {
    let out = maya(args);
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn import(db: &str, dir: &Path, name: &str, lines: &str) {
    let file = dir.join(name);
    std::fs::write(&file, lines).unwrap();
    ok(&["--data-dir", db, "import", file.to_str().unwrap()]);
}

fn node_count(db: &str) -> u64 {
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["--data-dir", db, "stats", "--json"])).unwrap();
    stats["nodes"].as_u64().expect("stats has nodes")
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

const FIRST: &str = r#"{"type":"node","id":"alice","label":"Person","properties":{"age":30}}
{"type":"node","id":"bob","label":"Person"}
{"type":"edge","source":"alice","target":"bob","label":"KNOWS"}
"#;
const SECOND: &str = r#"{"type":"node","id":"carol","label":"Person"}
"#;
const THIRD: &str = r#"{"type":"node","id":"dave","label":"Person"}
{"type":"edge","source":"dave","target":"carol","label":"KNOWS"}
"#;

#[test]
fn backup_commands_have_help_with_exit_codes() {
    for command in ["create", "incremental", "verify", "restore"] {
        let help = ok(&["backup", command, "--help"]);
        assert!(help.contains("Exit codes"), "backup {command}: {help}");
    }
    assert!(ok(&["--help"]).contains("backup"));
}

#[test]
fn full_and_incremental_backups_restore_to_a_point_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "db");
    import(&db, dir.path(), "first.jsonl", FIRST);
    let full = path(dir.path(), "full");
    let out = ok(&["--data-dir", &db, "backup", "create", "--path", &full]);
    assert!(out.contains("full backup of 2 nodes and 1 edges"), "{out}");
    let out = ok(&[
        "--data-dir",
        &db,
        "backup",
        "incremental",
        "--path",
        &path(dir.path(), "none"),
    ]);
    assert!(out.contains("nothing written"), "{out}");

    import(&db, dir.path(), "second.jsonl", SECOND);
    std::thread::sleep(Duration::from_millis(30));
    let between = chrono::Utc::now().to_rfc3339();
    std::thread::sleep(Duration::from_millis(30));
    import(&db, dir.path(), "third.jsonl", THIRD);
    let inc = path(dir.path(), "inc");
    let out = ok(&["--data-dir", &db, "backup", "incremental", "--path", &inc]);
    assert!(out.contains("(2 commits)"), "{out}");
    let out = ok(&["backup", "verify", &full, "--incremental", &inc]);
    assert!(
        out.contains("full backup: 2 nodes") && out.contains("incremental backup"),
        "{out}"
    );

    let everything = path(dir.path(), "everything");
    ok(&[
        "--data-dir",
        &everything,
        "backup",
        "restore",
        &full,
        "--incremental",
        &inc,
    ]);
    assert_eq!(node_count(&everything), 4);
    let until = path(dir.path(), "until");
    let out = ok(&[
        "--data-dir",
        &until,
        "backup",
        "restore",
        &full,
        "--incremental",
        &inc,
        "--until",
        &between,
    ]);
    assert!(out.contains("replayed 1 commits"), "{out}");
    assert_eq!(node_count(&until), 3);
    ok(&["--data-dir", &until, "verify"]);

    // Restoring over a database refuses and leaves it as it was.
    let (code, err) = fails(&["--data-dir", &until, "backup", "restore", &full]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(node_count(&until), 3);
    // An incremental without its base leaves a gap.
    let (code, err) = fails(&["backup", "verify", &inc, "--incremental", &full]);
    assert_eq!(code, 1, "{err}");
    let (code, err) = fails(&[
        "--data-dir",
        &path(dir.path(), "x"),
        "backup",
        "restore",
        &full,
        "--until",
        "soon",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn damaged_backups_fail_verify_and_restore_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "db");
    import(&db, dir.path(), "first.jsonl", FIRST);
    let full = path(dir.path(), "full");
    ok(&["--data-dir", &db, "backup", "create", "--path", &full]);
    let packed = path(dir.path(), "full.tar.gz");
    let tar = Command::new("tar")
        .args(["-czf", &packed, "-C", &full, "."])
        .status()
        .unwrap();
    assert!(tar.success());
    ok(&["backup", "verify", &packed]);

    let snapshot = dir.path().join("full").join("graph.mayakgs");
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&snapshot, &bytes).unwrap();
    let (code, err) = fails(&["backup", "verify", &full]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("graph.mayakgs"), "{err}");
    let target = dir.path().join("restored");
    let (code, err) = fails(&[
        "--data-dir",
        target.to_str().unwrap(),
        "backup",
        "restore",
        &full,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(!target.exists(), "a failed restore leaves nothing behind");

    let packed_bytes = std::fs::read(&packed).unwrap();
    std::fs::write(&packed, &packed_bytes[..packed_bytes.len() / 2]).unwrap();
    let (code, err) = fails(&["backup", "verify", &packed]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("full.tar.gz"), "{err}");
}

#[test]
fn the_automated_backup_script_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "db");
    import(&db, dir.path(), "first.jsonl", FIRST);
    let backups = dir.path().join("backups");
    let bin_dir = Path::new(BIN).parent().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/maya-backup.sh");
    let run = || {
        Command::new("bash")
            .arg(&script)
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("BACKUP_DIR", &backups)
            .env("DATA_DIR", &db)
            .env_remove("SLACK_WEBHOOK_URL")
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Backup successful: "), "{stdout}");
    let archives: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archives.len(), 1, "only the .tar.gz stays: {archives:?}");
    let archive = archives[0].display().to_string();
    assert!(archive.ends_with(".tar.gz"));
    let restored = path(dir.path(), "restored");
    ok(&["--data-dir", &restored, "backup", "restore", &archive]);
    assert_eq!(node_count(&restored), 2);

    // A database that cannot be backed up fails the script (exit 1).
    let locked_out = Command::new("bash")
        .arg(&script)
        .env(
            "PATH",
            format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
        )
        .env("BACKUP_DIR", &backups)
        .env("DATA_DIR", dir.path().join("missing"))
        .env_remove("SLACK_WEBHOOK_URL")
        .output()
        .unwrap();
    assert_eq!(locked_out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&locked_out.stderr).contains("Backup verification failed"));
}
