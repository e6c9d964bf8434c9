//! The files waiting in the composer's tray, as plain data: what each one is, whether it may go
//! (the company's size limit, checked before any upload), its caption, and the order they are
//! sent in. Nothing here touches the browser, so it is tested on the host.

use crate::i18n::{Key, Locale};

/// How a staged file is previewed. Only raster images get a thumbnail (an SVG is sent as a
/// document, so it is shown as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    Image,
    Video,
    Audio,
    File,
}

impl Preview {
    /// From the type the browser reports (the server decides from the bytes; this is only the look).
    pub fn of(mime: &str) -> Self {
        let mime = mime.trim().to_ascii_lowercase();
        match mime.as_str() {
            "image/png" | "image/jpeg" | "image/gif" | "image/webp" => Preview::Image,
            m if m.starts_with("video/") => Preview::Video,
            m if m.starts_with("audio/") => Preview::Audio,
            _ => Preview::File,
        }
    }

    /// Whether the preview needs an object URL of the file.
    pub fn needs_url(self) -> bool {
        matches!(self, Preview::Image | Preview::Video)
    }
}

/// The file's extension as a short label for its icon (`PDF`), when it has a plausible one.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    let fits =
        !stem.is_empty() && (1..=5).contains(&ext.chars().count()) && ext.chars().all(|c| c.is_ascii_alphanumeric());
    fits.then(|| ext.to_ascii_uppercase())
}

/// Why a file is refused in the tray, before anything is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge { limit_mb: u32 },
}

impl Refusal {
    pub fn text(self, locale: Locale) -> String {
        match self {
            Refusal::Empty => Key::EmptyFile.text(locale).to_owned(),
            Refusal::TooLarge { limit_mb } => format!("{} {limit_mb} MB.", Key::FileOverLimit.text(locale)),
        }
    }
}

/// The rule the server applies to the file's bytes (`bytes > max_upload_mb MiB` is refused), so a
/// file the tray accepts is not refused for its size afterwards.
pub fn check_size(size: u64, limit_mb: u32) -> Result<(), Refusal> {
    if size == 0 {
        return Err(Refusal::Empty);
    }
    if size > u64::from(limit_mb) * 1024 * 1024 {
        return Err(Refusal::TooLarge { limit_mb });
    }
    Ok(())
}

/// A file size as people read it: `512 B`, `1,5 KB` (one decimal below 10), `12 MB`.
pub fn format_size(bytes: u64, locale: Locale) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = if value < 10.0 {
        let tenths = (value * 10.0).round() / 10.0;
        if tenths.fract() == 0.0 { format!("{tenths:.0}") } else { format!("{tenths:.1}") }
    } else {
        format!("{:.0}", value.round())
    };
    let text = match locale {
        Locale::Pt => text.replace('.', ","),
        Locale::En => text,
    };
    format!("{text} {}", UNITS[unit])
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ready,
    Refused(Refusal),
    /// The fraction sent so far, 0.0 to 1.0.
    Uploading(f64),
    /// The server (or the network) said no. `retry`: worth sending again as it is (the network, the
    /// server's own trouble); a refusal of the file itself is not.
    Failed {
        message: String,
        retry: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: u64,
    pub name: String,
    pub size: u64,
    pub preview: Preview,
    /// The object URL of the preview (revoked by whoever removes the entry).
    pub url: Option<String>,
    pub caption: String,
    pub status: Status,
}

impl Entry {
    fn sendable(&self) -> bool {
        matches!(self.status, Status::Ready | Status::Failed { retry: true, .. })
    }
}

/// A file picked, pasted or dropped, as the tray is told about it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub name: String,
    pub size: u64,
    pub mime: String,
}

/// The tray's files, in the order they were added (the order they are sent in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Staging {
    entries: Vec<Entry>,
    next_key: u64,
}

/// What [`Staging::add`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The new entries' keys, in order, with whether each needs a preview URL.
    pub keys: Vec<(u64, bool)>,
    /// The typed text became the first new file's caption (the text field is to be emptied).
    pub took_text: bool,
}

impl Staging {
    /// Stages files: each is checked against the limit; the text typed so far becomes the caption
    /// of the first file that may go, when nothing in the tray had a caption to carry it yet.
    pub fn add(&mut self, incoming: Vec<Incoming>, limit_mb: u32, typed: &str) -> Added {
        let typed = typed.trim();
        let mut take_text = !typed.is_empty() && !self.entries.iter().any(Entry::sendable);
        let mut keys = Vec::with_capacity(incoming.len());
        let mut took_text = false;
        for file in incoming {
            let key = self.next_key;
            self.next_key += 1;
            let preview = Preview::of(&file.mime);
            let status = match check_size(file.size, limit_mb) {
                Ok(()) => Status::Ready,
                Err(refusal) => Status::Refused(refusal),
            };
            let caption = if take_text && status == Status::Ready {
                take_text = false;
                took_text = true;
                typed.to_owned()
            } else {
                String::new()
            };
            keys.push((key, status == Status::Ready && preview.needs_url()));
            self.entries.push(Entry { key, name: file.name, size: file.size, preview, url: None, caption, status });
        }
        Added { keys, took_text }
    }

    pub fn keys(&self) -> Vec<u64> {
        self.entries.iter().map(|e| e.key).collect()
    }

    pub fn get(&self, key: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn get_mut(&mut self, key: u64) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether Send has something to upload.
    pub fn sendable(&self) -> bool {
        self.entries.iter().any(Entry::sendable)
    }

    pub fn set_url(&mut self, key: u64, url: String) {
        if let Some(entry) = self.get_mut(key) {
            entry.url = Some(url);
        }
    }

    pub fn set_caption(&mut self, key: u64, caption: String) {
        if let Some(entry) = self.get_mut(key) {
            entry.caption = caption;
        }
    }

    pub fn set_status(&mut self, key: u64, status: Status) {
        if let Some(entry) = self.get_mut(key) {
            entry.status = status;
        }
    }

    /// Takes the entry out (its URL is the caller's to revoke).
    pub fn remove(&mut self, key: u64) -> Option<Entry> {
        let at = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(at))
    }

    pub fn clear(&mut self) -> Vec<Entry> {
        std::mem::take(&mut self.entries)
    }

    /// The next file to upload in this round: the first in tray order that may go and was not
    /// tried yet (so a file that fails is not retried in a loop).
    pub fn next_to_send(&self, tried: &[u64]) -> Option<u64> {
        self.entries.iter().find(|e| e.sendable() && !tried.contains(&e.key)).map(|e| e.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    fn file(name: &str, size: u64, mime: &str) -> Incoming {
        Incoming { name: name.into(), size, mime: mime.into() }
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        let cases = [
            (0, "0 B", "0 B"),
            (1023, "1023 B", "1023 B"),
            (1024, "1 KB", "1 KB"),
            (1536, "1,5 KB", "1.5 KB"),
            (12 * 1024 + 300, "12 KB", "12 KB"),
            (MB + 1, "1 MB", "1 MB"),
            (5 * MB / 2, "2,5 MB", "2.5 MB"),
            (16 * MB, "16 MB", "16 MB"),
            (3 * 1024 * MB, "3 GB", "3 GB"),
        ];
        for (bytes, pt, en) in cases {
            assert_eq!(format_size(bytes, Locale::Pt), pt, "{bytes}");
            assert_eq!(format_size(bytes, Locale::En), en, "{bytes}");
        }
    }

    #[test]
    fn the_limit_is_the_servers_rule() {
        assert_eq!(check_size(MB, 1), Ok(()));
        assert_eq!(check_size(MB + 1, 1), Err(Refusal::TooLarge { limit_mb: 1 }));
        assert_eq!(check_size(0, 16), Err(Refusal::Empty));
        assert_eq!(check_size(100 * MB, 100), Ok(()));
        assert_eq!(Refusal::TooLarge { limit_mb: 16 }.text(Locale::Pt), "Arquivo acima do limite de 16 MB.");
        assert_eq!(Refusal::TooLarge { limit_mb: 16 }.text(Locale::En), "The file is over the limit of 16 MB.");
    }

    #[test]
    fn previews_follow_the_reported_type() {
        assert_eq!(Preview::of("image/png"), Preview::Image);
        assert_eq!(Preview::of("IMAGE/JPEG"), Preview::Image);
        assert_eq!(Preview::of("image/svg+xml"), Preview::File, "sent as a document, shown as one");
        assert_eq!(Preview::of("video/mp4"), Preview::Video);
        assert_eq!(Preview::of("audio/ogg"), Preview::Audio);
        assert_eq!(Preview::of(""), Preview::File);
        assert!(Preview::Video.needs_url() && !Preview::File.needs_url());
    }

    #[test]
    fn icons_show_the_extension() {
        assert_eq!(extension("relatorio.pdf").as_deref(), Some("PDF"));
        assert_eq!(extension("backup.tar.gz").as_deref(), Some("GZ"));
        for none in ["LEIAME", ".bashrc", "nota.", "x.muito-longa", "a.pdf "] {
            assert_eq!(extension(none), None, "{none}");
        }
    }

    #[test]
    fn files_are_refused_before_upload_and_the_rest_keep_their_order() {
        let mut tray = Staging::default();
        let added = tray.add(
            vec![
                file("a.png", 10, "image/png"),
                file("grande.mp4", 2 * MB, "video/mp4"),
                file("vazio.txt", 0, "text/plain"),
                file("b.pdf", 20, "application/pdf"),
            ],
            1,
            "",
        );
        assert_eq!(added.keys, vec![(0, true), (1, false), (2, false), (3, false)], "no preview for a refused video");
        assert_eq!(tray.get(1).map(|e| &e.status), Some(&Status::Refused(Refusal::TooLarge { limit_mb: 1 })));
        assert_eq!(tray.get(2).map(|e| &e.status), Some(&Status::Refused(Refusal::Empty)));

        // Sent in tray order, skipping the refused, each tried once per round.
        let mut tried = Vec::new();
        let mut order = Vec::new();
        while let Some(key) = tray.next_to_send(&tried) {
            tried.push(key);
            order.push(key);
            if key == 0 {
                tray.remove(key);
            } else {
                tray.set_status(key, Status::Failed { message: "não".into(), retry: false });
            }
        }
        assert_eq!(order, vec![0, 3]);
        assert!(!tray.sendable(), "a refused file is not sent again as it is");
        tray.set_status(3, Status::Failed { message: "rede".into(), retry: true });
        assert_eq!(tray.next_to_send(&[]), Some(3), "a network failure may be retried");

        // Files added later go after the ones already there.
        tray.add(vec![file("c.png", 5, "image/png")], 1, "");
        assert_eq!(tray.keys(), vec![1, 2, 3, 4]);
        assert_eq!(tray.clear().len(), 4);
        assert!(tray.is_empty());
    }

    #[test]
    fn the_typed_text_becomes_the_first_caption() {
        let mut tray = Staging::default();
        let added = tray.add(
            vec![file("grande.bin", 5 * MB, ""), file("a.png", 1, "image/png"), file("b.png", 1, "image/png")],
            1,
            "  segue o comprovante ",
        );
        assert!(added.took_text);
        let captions: Vec<&str> = tray.entries.iter().map(|e| e.caption.as_str()).collect();
        assert_eq!(captions, ["", "segue o comprovante", ""], "the first file that may go carries it");

        // A tray already holding a file that goes keeps the typed text where it is.
        let added = tray.add(vec![file("c.png", 1, "image/png")], 1, "outra coisa");
        assert!(!added.took_text);
        tray.set_caption(3, "legenda".into());
        assert_eq!(tray.get(3).map(|e| e.caption.as_str()), Some("legenda"));

        let mut only_refused = Staging::default();
        let added = only_refused.add(vec![file("vazio", 0, "")], 1, "texto");
        assert!(!added.took_text, "no file to carry it: the text stays typed");
    }
}
