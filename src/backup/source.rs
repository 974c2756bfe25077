//! Reading a backup's files from a directory or from the `.tar.gz` of one,
//! and writing files crash-safely.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::format::io;

/// Where a backup's files are read from.
pub(crate) enum Source {
    Dir(PathBuf),
    TarGz(PathBuf),
}

impl Source {
    /// A backup directory, or a gzip file taken to be a `.tar.gz` of one.
    pub fn open(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        let meta = fs::metadata(path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => Error::Backup {
                path: name.clone(),
                detail: "does not exist".into(),
            },
            _ => io("read", &name, err),
        })?;
        if meta.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let mut magic = [0u8; 2];
        let read = File::open(path)
            .and_then(|mut f| f.read(&mut magic))
            .map_err(|err| io("read", &name, err))?;
        if read == 2 && magic == [0x1f, 0x8b] {
            Ok(Source::TarGz(path.to_path_buf()))
        } else {
            Err(Error::Backup {
                path: name,
                detail: "is neither a backup directory nor a .tar.gz of one".into(),
            })
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Source::Dir(p) | Source::TarGz(p) => p,
        }
    }

    /// Calls `visit(name, reader)` for each of `names` the backup holds: in
    /// the order given for a directory, in archive order for a `.tar.gz`
    /// (whose members may sit in a subdirectory, as `tar -czf x.tar.gz dir`
    /// makes them). Returns the names found.
    pub fn visit(
        &self,
        names: &[&'static str],
        visit: &mut dyn FnMut(&'static str, &mut dyn Read) -> Result<()>,
    ) -> Result<Vec<&'static str>> {
        let mut found = Vec::new();
        match self {
            Source::Dir(dir) => {
                for &name in names {
                    let path = dir.join(name);
                    let file = match File::open(&path) {
                        Ok(file) => file,
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(err) => return Err(io("read", &path.display().to_string(), err)),
                    };
                    found.push(name);
                    visit(name, &mut BufReader::with_capacity(1 << 16, file))?;
                }
            }
            Source::TarGz(path) => {
                let shown = path.display().to_string();
                let archive_error = |err: std::io::Error| Error::Backup {
                    path: shown.clone(),
                    detail: alloc::format!("cannot be read as a .tar.gz: {err}"),
                };
                let file = File::open(path).map_err(|err| io("read", &shown, err))?;
                let gz = flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 16, file));
                let mut archive = tar::Archive::new(gz);
                for entry in archive.entries().map_err(archive_error)? {
                    let mut entry = entry.map_err(archive_error)?;
                    if entry.header().entry_type() != tar::EntryType::Regular {
                        continue;
                    }
                    let member = entry.path().map_err(archive_error)?;
                    let file_name = member
                        .file_name()
                        .and_then(|n| n.to_str())
                        .map(String::from);
                    let Some(name) = file_name.and_then(|n| names.iter().find(|&&w| w == n)) else {
                        continue;
                    };
                    if found.contains(name) {
                        return Err(Error::Backup {
                            path: shown,
                            detail: alloc::format!("holds more than one {name}"),
                        });
                    }
                    found.push(*name);
                    visit(name, &mut entry)?;
                }
            }
        }
        Ok(found)
    }

    /// The display form of a member, for messages: `dir/NAME` or `x.tar.gz:NAME`.
    pub fn member(&self, name: &str) -> String {
        match self {
            Source::Dir(dir) => dir.join(name).display().to_string(),
            Source::TarGz(path) => alloc::format!("{}:{name}", path.display()),
        }
    }
}

/// Makes `dir` an empty directory to write a backup into: refuses one that
/// holds anything.
pub(crate) fn prepare_empty_dir(dir: &Path) -> Result<()> {
    let name = dir.display().to_string();
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Backup {
                    path: name,
                    detail:
                        "already exists and is not empty: back up into a new or empty directory"
                            .into(),
                });
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|err| io("create the directory", &name, err))
        }
        Err(err) => Err(io("read the directory", &name, err)),
    }
}

/// Writes `bytes` to `dir/name` crash-safely: a temporary file, fsync, rename.
pub(crate) fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(alloc::format!("{name}.tmp"));
    let shown = tmp.display().to_string();
    let result = File::create(&tmp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .map_err(|err| io("write", &shown, err));
    if let Err(err) = result {
        let _ = fs::remove_file(&tmp);
        return Err(err);
    }
    publish(dir, name)
}

/// Renames `dir/name.tmp` to `dir/name` and makes the rename durable.
pub(crate) fn publish(dir: &Path, name: &str) -> Result<()> {
    let tmp = dir.join(alloc::format!("{name}.tmp"));
    let path = dir.join(name);
    fs::rename(&tmp, &path).map_err(|err| io("rename", &tmp.display().to_string(), err))?;
    sync_dir(dir)
}

/// fsyncs a directory, so renames in it survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|err| io("sync the directory", &dir.display().to_string(), err))
}
