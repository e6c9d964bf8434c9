//! Media files: kept under the data dir, their type sniffed from the bytes (never trusted from the
//! client), their size bounded, and served only to users who may see the ticket.

use std::path::{Path, PathBuf};

use shared::tickets::MessageKind;

use crate::error::{AppError, AppResult};
use shared::validate::Invalid;

/// WhatsApp's own ceiling for media (documents may be larger there; 16 MiB keeps uploads cheap here).
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// What the bytes are, as sniffed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: MessageKind,
    pub mime: String,
}

/// Decides the message kind from the bytes. `hint` may ask for `audio` (a voice note), `sticker`
/// or `file` (send an image or video as a document); it cannot turn a PDF into an image.
pub fn sniff(bytes: &[u8], hint: Option<&str>) -> AppResult<Sniffed> {
    if bytes.is_empty() {
        return Err(crate::error::FieldErrors::one("file", Invalid::EmptyFile));
    }
    let detected = infer::get(bytes);
    let mime = detected.map(|t| t.mime_type()).unwrap_or("application/octet-stream");
    if let Some(t) = detected
        && matches!(t.matcher_type(), infer::MatcherType::App)
    {
        return Err(AppError::UnsupportedMediaType(format!("{mime} files cannot be sent")));
    }
    let natural = match detected.map(|t| t.matcher_type()) {
        Some(infer::MatcherType::Image) if matches!(mime, "image/jpeg" | "image/png" | "image/webp" | "image/gif") => {
            MessageKind::Image
        }
        Some(infer::MatcherType::Audio) => MessageKind::Audio,
        Some(infer::MatcherType::Video) => MessageKind::Video,
        _ => MessageKind::Document,
    };
    let kind = match hint {
        None | Some("") => natural,
        Some("file") => MessageKind::Document,
        Some("audio") if natural == MessageKind::Audio || mime == "video/webm" || mime == "audio/ogg" => {
            MessageKind::Audio
        }
        Some("sticker") if mime == "image/webp" => MessageKind::Sticker,
        Some("audio") => return Err(crate::error::FieldErrors::one("kind", Invalid::NotAudio)),
        Some("sticker") => return Err(crate::error::FieldErrors::one("kind", Invalid::StickerNotWebp)),
        Some(_) => return Err(crate::error::FieldErrors::one("kind", Invalid::UnknownFileKind)),
    };
    Ok(Sniffed { kind, mime: mime.to_owned() })
}

/// A file name safe to show and to put in a header: no path, no control characters, bounded.
pub fn clean_file_name(raw: Option<&str>, fallback: &str) -> String {
    let name = raw.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = name.chars().filter(|c| !c.is_control() && *c != '"').take(120).collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." { fallback.to_owned() } else { name.to_owned() }
}

/// Writes the bytes under `data_dir/media/<company>/` with a random name; returns the path
/// relative to the data dir, which is what the message row keeps.
pub async fn save(data_dir: &Path, company_id: i64, bytes: &[u8]) -> AppResult<String> {
    let relative = format!("media/{company_id}/{}", uuid::Uuid::new_v4());
    let path = data_dir.join(&relative);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(|e| AppError::Internal(e.into()))?;
    }
    tokio::fs::write(&path, bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(relative)
}

pub fn absolute(data_dir: &Path, relative: &str) -> PathBuf {
    data_dir.join(relative)
}

pub async fn remove(data_dir: &Path, relative: &str) {
    let _ = tokio::fs::remove_file(data_dir.join(relative)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    /// The start of a 64-bit ELF header, padded to the size infer wants to see.
    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    #[test]
    fn the_kind_comes_from_the_bytes() {
        assert_eq!(sniff(PNG, None).ok().map(|s| (s.kind, s.mime)), Some((MessageKind::Image, "image/png".into())));
        assert_eq!(sniff(PDF, None).ok().map(|s| s.kind), Some(MessageKind::Document));
        assert_eq!(sniff(b"plain words", None).ok().map(|s| s.kind), Some(MessageKind::Document));
        assert_eq!(sniff(PNG, Some("file")).ok().map(|s| s.kind), Some(MessageKind::Document));
    }

    #[test]
    fn executables_empty_files_and_false_hints_are_refused() {
        assert!(matches!(sniff(ELF, None), Err(AppError::UnsupportedMediaType(_))));
        assert!(sniff(b"", None).is_err());
        assert!(sniff(PDF, Some("audio")).is_err());
        assert!(sniff(PNG, Some("sticker")).is_err(), "stickers are WebP");
        assert!(sniff(PNG, Some("banana")).is_err());
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name(Some("../../etc/passwd"), "f"), "passwd");
        assert_eq!(clean_file_name(Some("C:\\x\\nota \"fiscal\".pdf"), "f"), "nota fiscal.pdf");
        assert_eq!(clean_file_name(Some("a\nb.txt"), "f"), "ab.txt");
        assert_eq!(clean_file_name(None, "arquivo"), "arquivo");
        assert_eq!(clean_file_name(Some(".."), "arquivo"), "arquivo");
    }
}
