//! Uploads on their way to the media store: written to a temporary file under the data dir as
//! they arrive, so a 100 MB document never sits whole in memory. The first bytes are kept aside
//! for sniffing the type; the size is checked against the company's limit while it arrives, so an
//! oversized upload stops at the limit instead of filling the disk.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::error::{AppError, AppResult};

/// How much of the start of a file is kept for sniffing: `infer` looks at a few hundred bytes at
/// most, an Ogg/Opus voice note's first packet sits in its first page.
pub const HEAD_BYTES: usize = 64 * 1024;

/// The directory under the data dir where uploads wait; on the same file system as local media,
/// so keeping one there is a rename.
pub fn spool_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp").join("uploads")
}

/// A file being received.
pub struct Spool {
    file: tokio::fs::File,
    spooled: Spooled,
    limit: u64,
}

/// A received file, complete on disk. Its temporary file is removed when this is dropped (after
/// the media store moved or copied it, or when the request failed).
#[derive(Debug)]
pub struct Spooled {
    path: PathBuf,
    len: u64,
    head: Vec<u8>,
}

impl Spool {
    /// A new temporary file for an upload of at most `limit` bytes.
    pub async fn create(data_dir: &Path, limit: u64) -> AppResult<Self> {
        let dir = spool_dir(data_dir);
        tokio::fs::create_dir_all(&dir).await.map_err(super::store::write_error)?;
        let path = dir.join(uuid::Uuid::new_v4().simple().to_string());
        let file = tokio::fs::File::create(&path).await.map_err(super::store::write_error)?;
        Ok(Self { file, spooled: Spooled { path, len: 0, head: Vec::new() }, limit })
    }

    /// Appends a chunk; 413 once the file passes the limit (what arrived so far is removed).
    pub async fn write(&mut self, chunk: &[u8]) -> AppResult<()> {
        let len = self.spooled.len + chunk.len() as u64;
        if len > self.limit {
            return Err(AppError::PayloadTooLarge);
        }
        let room = HEAD_BYTES.saturating_sub(self.spooled.head.len());
        self.spooled.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.file.write_all(chunk).await.map_err(super::store::write_error)?;
        self.spooled.len = len;
        Ok(())
    }

    /// The whole file, flushed and synced to the disk (a failed write surfaces here).
    pub async fn finish(mut self) -> AppResult<Spooled> {
        self.file.flush().await.map_err(super::store::write_error)?;
        self.file.sync_all().await.map_err(super::store::write_error)?;
        Ok(self.spooled)
    }
}

impl Spooled {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first `HEAD_BYTES` (or fewer) bytes.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole file in memory: only for what must be rewritten whole (a voice note's remux).
    pub async fn read_all(&self) -> AppResult<Vec<u8>> {
        tokio::fs::read(&self.path).await.map_err(|e| AppError::Internal(e.into()))
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        // Gone already when the media store renamed it into place.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Leftovers of uploads cut short by a crash, removed at start: those older than `age` (another
/// instance on the same data dir may be receiving one right now).
pub fn clear_leftovers(data_dir: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(spool_dir(data_dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|at| at.elapsed().is_ok_and(|e| e > age));
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_upload_is_kept_whole_with_its_head_and_removed_when_dropped() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut spool = Spool::create(dir.path(), 200_000).await?;
        let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        for chunk in bytes.chunks(7_000) {
            spool.write(chunk).await?;
        }
        let spooled = spool.finish().await?;
        assert_eq!(spooled.len(), bytes.len() as u64);
        assert_eq!(spooled.head(), &bytes[..HEAD_BYTES]);
        assert_eq!(spooled.read_all().await?, bytes);
        let path = spooled.path().to_owned();
        assert!(path.starts_with(spool_dir(dir.path())));
        drop(spooled);
        assert!(!path.exists(), "the temporary file goes with the upload");
        Ok(())
    }

    #[tokio::test]
    async fn an_upload_over_the_limit_stops_there_and_leaves_nothing() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut spool = Spool::create(dir.path(), 10).await?;
        spool.write(b"0123456789").await?;
        assert!(matches!(spool.write(b"x").await, Err(AppError::PayloadTooLarge)));
        drop(spool);
        assert_eq!(std::fs::read_dir(spool_dir(dir.path()))?.count(), 0);
        Ok(())
    }

    #[tokio::test]
    async fn leftovers_of_a_crash_are_cleared() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let spooled = {
            let mut spool = Spool::create(dir.path(), 10).await?;
            spool.write(b"abc").await?;
            spool.finish().await?
        };
        let path = spooled.path().to_owned();
        std::mem::forget(spooled);
        clear_leftovers(dir.path(), std::time::Duration::from_secs(3600));
        assert!(path.exists(), "a recent upload may be another instance's, still arriving");
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options().write(true).open(&path)?.set_modified(two_hours_ago)?;
        clear_leftovers(dir.path(), std::time::Duration::from_secs(3600));
        assert!(!path.exists());
        Ok(())
    }
}
