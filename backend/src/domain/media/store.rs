//! Where media files live: under the data dir (the default, one machine) or in an S3-compatible
//! object store shared by every instance (`ATENDE_MEDIA_URL=s3://bucket/prefix`). Either way a file
//! is named by the same relative key, `media/<company>/<uuid>`, which is what the rows keep; in a
//! bucket it sits at `prefix/media/<company>/<uuid>`.
//!
//! Uploads arrive spooled to a temporary file (`spool`): kept in the data dir by a rename, sent to
//! a bucket as one PUT up to `PART_BYTES` and as a multipart upload read part by part beyond. A
//! file copied for another message (a quick reply's, a sticker's) is copied by the store itself.
//! Downloads stream from either backend to the response, never read whole.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use crate::config::{Config, MediaStorage, S3Storage};
use crate::error::{AppError, AppResult};

/// The size of each part of a multipart upload. S3 wants at least 5 MiB for every part but the last.
pub const PART_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct MediaStore(Backend);

#[derive(Clone)]
enum Backend {
    Local(PathBuf),
    Bucket { store: Arc<dyn ObjectStore>, prefix: String },
}

/// A stored file on its way out: its length and its bytes as they arrive.
pub struct MediaStream {
    pub len: u64,
    pub body: BoxStream<'static, std::io::Result<Bytes>>,
}

impl MediaStream {
    /// Bytes already in memory, as a stream (tests, small files).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let len = bytes.len() as u64;
        Self { len, body: futures_util::stream::once(async move { Ok(Bytes::from(bytes)) }).boxed() }
    }
}

impl MediaStore {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(match &config.media {
            MediaStorage::DataDir => Self(Backend::Local(config.data_dir.clone())),
            MediaStorage::S3(s3) => {
                Self(Backend::Bucket { store: Arc::new(s3_client(s3)?), prefix: s3.prefix.clone() })
            }
        })
    }

    /// Keeps the bytes under `media/<company>/` with a random name and returns that name. Nothing
    /// half-stored: a file that cannot be written whole is removed again (a multipart upload is
    /// aborted), so no row ever points at a truncated file.
    pub async fn save(&self, company_id: i64, bytes: &[u8]) -> AppResult<String> {
        let relative = format!("media/{company_id}/{}", uuid::Uuid::new_v4());
        match &self.0 {
            Backend::Local(dir) => save_file(&dir.join(&relative), bytes).await?,
            Backend::Bucket { store, prefix } => {
                put(store.as_ref(), &key(prefix, &relative), bytes).await.map_err(|e| bucket_error(e, "writing"))?
            }
        }
        Ok(relative)
    }

    /// Keeps an upload spooled to a temporary file under `media/<company>/`, without reading it
    /// into memory: a rename in the data dir, a streamed (multipart) upload to a bucket.
    pub async fn save_spooled(&self, company_id: i64, file: super::spool::Spooled) -> AppResult<String> {
        let relative = format!("media/{company_id}/{}", uuid::Uuid::new_v4());
        match &self.0 {
            Backend::Local(dir) => {
                let path = dir.join(&relative);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(write_error)?;
                }
                // The spool is synced already; a rename within the data dir moves no bytes.
                if tokio::fs::rename(file.path(), &path).await.is_err() {
                    copy_file(file.path(), &path).await?;
                }
            }
            Backend::Bucket { store, prefix } => {
                put_file(store.as_ref(), &key(prefix, &relative), &file)
                    .await
                    .map_err(|e| bucket_error(e, "writing"))?;
            }
        }
        Ok(relative)
    }

    /// A copy of a stored file under a new name (for a message that sends a quick reply's or a
    /// sticker's file), made by the store; `None` when the original is gone.
    pub async fn copy(&self, company_id: i64, relative: &str) -> AppResult<Option<String>> {
        let copy = format!("media/{company_id}/{}", uuid::Uuid::new_v4());
        match &self.0 {
            Backend::Local(dir) => {
                let from = dir.join(relative);
                if !tokio::fs::try_exists(&from).await.map_err(|e| AppError::Internal(e.into()))? {
                    return Ok(None);
                }
                let to = dir.join(&copy);
                if let Some(parent) = to.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(write_error)?;
                }
                copy_file(&from, &to).await?;
            }
            Backend::Bucket { store, prefix } => match store.copy(&key(prefix, relative), &key(prefix, &copy)).await {
                Ok(()) => {}
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(error) => return Err(bucket_error(error, "copying")),
            },
        }
        Ok(Some(copy))
    }

    /// A stored file's size and its first `max` bytes (to sniff it), or `None` when it is gone.
    pub async fn head(&self, relative: &str, max: usize) -> AppResult<Option<(u64, Vec<u8>)>> {
        use tokio::io::AsyncReadExt;
        match &self.0 {
            Backend::Local(dir) => {
                let file = match tokio::fs::File::open(dir.join(relative)).await {
                    Ok(file) => file,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(error) => return Err(AppError::Internal(error.into())),
                };
                let len = file.metadata().await.map_err(|e| AppError::Internal(e.into()))?.len();
                let mut head = Vec::with_capacity(max.min(len as usize));
                file.take(max as u64).read_to_end(&mut head).await.map_err(|e| AppError::Internal(e.into()))?;
                Ok(Some((len, head)))
            }
            Backend::Bucket { store, prefix } => {
                let key = key(prefix, relative);
                let len = match store.head(&key).await {
                    Ok(meta) => meta.size,
                    Err(object_store::Error::NotFound { .. }) => return Ok(None),
                    Err(error) => return Err(bucket_error(error, "reading")),
                };
                if len == 0 {
                    return Ok(Some((0, Vec::new())));
                }
                let head =
                    store.get_range(&key, 0..len.min(max as u64)).await.map_err(|e| bucket_error(e, "reading"))?;
                Ok(Some((len, head.to_vec())))
            }
        }
    }

    /// The whole file (to send it to a provider, or copy it), or `None` when it is gone.
    pub async fn read(&self, relative: &str) -> AppResult<Option<Vec<u8>>> {
        match &self.0 {
            Backend::Local(dir) => match tokio::fs::read(dir.join(relative)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => {
                    Err(AppError::Internal(anyhow::Error::from(error).context(format!("reading {relative}"))))
                }
            },
            Backend::Bucket { store, prefix } => {
                let got = async { store.get(&key(prefix, relative)).await?.bytes().await }.await;
                match got {
                    Ok(bytes) => Ok(Some(bytes.to_vec())),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(error) => Err(bucket_error(error, "reading")),
                }
            }
        }
    }

    /// The file as a stream, for a download, or `None` when it is gone.
    pub async fn open(&self, relative: &str) -> AppResult<Option<MediaStream>> {
        match &self.0 {
            Backend::Local(dir) => {
                let file = match tokio::fs::File::open(dir.join(relative)).await {
                    Ok(file) => file,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(error) => return Err(AppError::Internal(error.into())),
                };
                let len = file.metadata().await.map_err(|e| AppError::Internal(e.into()))?.len();
                let body = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024).boxed();
                Ok(Some(MediaStream { len, body }))
            }
            Backend::Bucket { store, prefix } => match store.get(&key(prefix, relative)).await {
                Ok(got) => {
                    let len = got.meta.size;
                    Ok(Some(MediaStream { len, body: got.into_stream().map_err(std::io::Error::other).boxed() }))
                }
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(error) => Err(bucket_error(error, "reading")),
            },
        }
    }

    /// Removes one file; a file already gone is fine, and a failure is only logged (the row is
    /// gone already, and a leftover file harms nobody but the bill).
    pub async fn remove(&self, relative: &str) {
        self.remove_all(std::slice::from_ref(&relative.to_owned())).await;
    }

    /// Removes the files of rows that no longer exist (a message, a contact, a connection…): a
    /// customer's documents and photos do not outlive their conversation.
    pub async fn remove_all(&self, relatives: &[String]) {
        match &self.0 {
            Backend::Local(dir) => {
                for relative in relatives {
                    let _ = tokio::fs::remove_file(dir.join(relative)).await;
                }
            }
            Backend::Bucket { store, prefix } => {
                if relatives.is_empty() {
                    return;
                }
                // DeleteObjects in batches of a thousand keys, not one request per file.
                let keys: Vec<_> = relatives.iter().map(|r| Ok(key(prefix, r))).collect();
                let mut deleted = store.delete_stream(futures_util::stream::iter(keys).boxed());
                while let Some(outcome) = deleted.next().await {
                    match outcome {
                        Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(error) => tracing::warn!(%error, "a media object could not be removed"),
                    }
                }
            }
        }
    }
}

fn key(prefix: &str, relative: &str) -> Key {
    if prefix.is_empty() { Key::from(relative) } else { Key::from(format!("{prefix}/{relative}")) }
}

fn s3_client(s3: &S3Storage) -> anyhow::Result<impl ObjectStore> {
    // A download streams at the client's pace: the whole request may take minutes, connecting may not.
    let options = ClientOptions::new()
        .with_allow_http(s3.allow_http)
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(600));
    // A request waits for the store at most this long before its caller is told to try later
    // (503), instead of the crate's three minutes.
    let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(15), ..RetryConfig::default() };
    // `from_env` picks up what a role needs (web identity, container credentials); what the
    // configuration names wins.
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_allow_http(s3.allow_http)
        .with_client_options(options)
        .with_retry(retry);
    if let Some(endpoint) = &s3.endpoint {
        // Path-style requests (`endpoint/bucket/key`): what MinIO and most S3-compatible stores answer.
        builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
    }
    if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
        builder = builder.with_access_key_id(id).with_secret_access_key(secret);
    }
    if let Some(token) = &s3.session_token {
        builder = builder.with_token(token);
    }
    Ok(builder.build()?)
}

/// One PUT for a small file; parts of `PART_BYTES` for a large one, aborted if any fails.
async fn put(store: &dyn ObjectStore, key: &Key, bytes: &[u8]) -> object_store::Result<()> {
    if bytes.len() <= PART_BYTES {
        store.put(key, PutPayload::from(Bytes::copy_from_slice(bytes))).await?;
        return Ok(());
    }
    let mut upload = store.put_multipart(key).await?;
    let mut sent = Ok(());
    for part in bytes.chunks(PART_BYTES) {
        sent = upload.put_part(PutPayload::from(Bytes::copy_from_slice(part))).await;
        if sent.is_err() {
            break;
        }
    }
    let completed = match sent {
        Ok(()) => upload.complete().await.map(|_| ()),
        Err(error) => Err(error),
    };
    if completed.is_err() {
        let _ = upload.abort().await;
    }
    completed
}

/// A spooled file to a bucket: one PUT when it fits in a part, else read and sent a part at a
/// time (aborted if any fails), so at most one part is in memory.
async fn put_file(store: &dyn ObjectStore, key: &Key, file: &super::spool::Spooled) -> object_store::Result<()> {
    use tokio::io::AsyncReadExt;
    let io = |error: std::io::Error| object_store::Error::Generic { store: "spool", source: Box::new(error) };
    if file.len() <= PART_BYTES as u64 {
        let bytes = tokio::fs::read(file.path()).await.map_err(io)?;
        store.put(key, PutPayload::from(Bytes::from(bytes))).await?;
        return Ok(());
    }
    let mut reader = tokio::fs::File::open(file.path()).await.map_err(io)?;
    let mut upload = store.put_multipart(key).await?;
    let sent = async {
        loop {
            let mut part = Vec::with_capacity(PART_BYTES);
            (&mut reader).take(PART_BYTES as u64).read_to_end(&mut part).await.map_err(io)?;
            if part.is_empty() {
                return Ok(());
            }
            upload.put_part(PutPayload::from(Bytes::from(part))).await?;
        }
    }
    .await;
    let completed = match sent {
        Ok(()) => upload.complete().await.map(|_| ()),
        Err(error) => Err(error),
    };
    if completed.is_err() {
        let _ = upload.abort().await;
    }
    completed
}

/// A copy written and synced, or removed again.
async fn copy_file(from: &Path, to: &Path) -> AppResult<()> {
    let copied = async {
        tokio::fs::copy(from, to).await?;
        tokio::fs::File::open(to).await?.sync_all().await
    }
    .await;
    if let Err(error) = copied {
        let _ = tokio::fs::remove_file(to).await;
        return Err(write_error(error));
    }
    Ok(())
}

/// The store could not be reached or refused us. Unreachable or failing: 503 `unavailable`, so
/// the client (or the provider delivering a webhook) tries again later; refused credentials or a
/// missing bucket are a configuration fault of ours.
fn bucket_error(error: object_store::Error, doing: &str) -> AppError {
    match error {
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. }
        | object_store::Error::NotFound { .. } => {
            AppError::Internal(anyhow::Error::from(error).context(format!("{doing} a media object")))
        }
        other => {
            tracing::error!(error = %other, "the media store did not answer while {doing} a file");
            AppError::Unavailable
        }
    }
}

/// Written and synced to the disk, or removed again.
async fn save_file(path: &Path, bytes: &[u8]) -> AppResult<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(write_error)?;
    }
    if let Err(error) = write_whole(path, bytes).await {
        let _ = tokio::fs::remove_file(path).await;
        return Err(write_error(error));
    }
    Ok(())
}

/// tokio's `File` writes in the background: a failed write (the disk full) surfaces only at
/// `flush`, and `sync_all` alone would not report it.
async fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(path).await?;
    file.write_all(bytes).await?;
    file.flush().await?;
    file.sync_all().await
}

/// A full disk (or a file larger than the process may write) is 507 `insufficient_storage`, which
/// tells the client, and a provider delivering a webhook, to try again later; anything else is a
/// fault of ours.
pub(super) fn write_error(error: std::io::Error) -> AppError {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => AppError::InsufficientStorage,
        _ => AppError::Internal(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_the_relative_name_under_the_prefix() {
        assert_eq!(key("", "media/1/abc").as_ref(), "media/1/abc");
        assert_eq!(key("prod/atende", "media/1/abc").as_ref(), "prod/atende/media/1/abc");
    }

    #[tokio::test]
    async fn the_data_dir_keeps_files_whole_and_streams_them_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = MediaStore::new(&Config::with_data_dir(dir.path())).expect("local store");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let relative = store.save(7, &bytes).await.expect("saved");
        assert!(relative.starts_with("media/7/"), "{relative}");
        assert!(dir.path().join(&relative).is_file());
        let opened = store.open(&relative).await.expect("opened").expect("there");
        assert_eq!(opened.len, bytes.len() as u64);
        let streamed: Vec<Bytes> = opened.body.try_collect().await.expect("streamed");
        assert_eq!(streamed.concat(), bytes);
        assert_eq!(store.read(&relative).await.expect("read"), Some(bytes));
        store.remove(&relative).await;
        assert!(store.open(&relative).await.expect("no error").is_none());
        assert_eq!(store.read(&relative).await.expect("no error"), None);
    }
}
