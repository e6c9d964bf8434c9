//! The company's sticker library (figurinhas), and what WhatsApp accepts as a sticker: a WebP image
//! of 512×512 pixels, at most 100 KB still or 500 KB animated. The checks read the WebP headers
//! only, so the browser can run them before uploading and the server runs the same.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{MessageId, StickerId};
use crate::validate::Invalid;

/// The side of a sticker's square canvas, in pixels.
pub const STICKER_SIDE: u32 = 512;
/// WhatsApp's limit for a still sticker.
pub const MAX_STATIC_KB: u32 = 100;
/// WhatsApp's limit for an animated sticker.
pub const MAX_ANIMATED_KB: u32 = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sticker {
    pub id: StickerId,
    pub name: String,
    /// The image (`GET`, with the bearer token): `image/webp`.
    pub url: String,
    pub animated: bool,
    /// In bytes.
    pub size: u64,
    pub created_at: DateTime<Utc>,
}

/// `POST /stickers` as JSON: keep the sticker a customer sent (an inbound `sticker` message).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StickerFromMessage {
    pub message_id: MessageId,
    /// Defaults to "Figurinha".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSticker {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a WebP file's headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebpHeader {
    pub width: u32,
    pub height: u32,
    /// The extended format's animation flag.
    pub animated: bool,
}

impl WebpHeader {
    /// Reads a RIFF/WEBP container's first chunk: `VP8 ` (lossy), `VP8L` (lossless) or `VP8X`
    /// (extended: canvas size and the animation flag). `None` when the bytes are not WebP.
    pub fn read(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < 20 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
            return None;
        }
        // A truncated file (the RIFF size says more than there is) is not a picture.
        if le(&bytes[4..8]) as usize + 8 > bytes.len() {
            return None;
        }
        let size = le(&bytes[16..20]) as usize;
        let payload = bytes.get(20..20usize.checked_add(size)?)?;
        match &bytes[12..16] {
            b"VP8 " if payload.len() >= 10 && payload[3..6] == [0x9d, 0x01, 0x2a] => {
                Some(Self { width: le(&payload[6..8]) & 0x3fff, height: le(&payload[8..10]) & 0x3fff, animated: false })
            }
            b"VP8L" if payload.len() >= 5 && payload[0] == 0x2f => {
                let bits = le(&payload[1..5]);
                Some(Self { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, animated: false })
            }
            b"VP8X" if payload.len() >= 10 => Some(Self {
                width: le(&payload[4..7]) + 1,
                height: le(&payload[7..10]) + 1,
                animated: payload[0] & 0x02 != 0,
            }),
            _ => None,
        }
    }
}

/// Little-endian, up to four bytes.
fn le(bytes: &[u8]) -> u32 {
    bytes.iter().rev().fold(0, |value, byte| (value << 8) | u32::from(*byte))
}

/// A file WhatsApp takes as a sticker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StickerImage {
    pub animated: bool,
}

impl StickerImage {
    pub fn parse(bytes: &[u8]) -> Result<Self, Invalid> {
        if bytes.is_empty() {
            return Err(Invalid::EmptyFile);
        }
        let header = WebpHeader::read(bytes).ok_or(Invalid::StickerNotWebp)?;
        if (header.width, header.height) != (STICKER_SIDE, STICKER_SIDE) {
            return Err(Invalid::StickerDimensions { width: header.width, height: header.height });
        }
        let max_kb = if header.animated { MAX_ANIMATED_KB } else { MAX_STATIC_KB };
        if bytes.len() > max_kb as usize * 1024 {
            return Err(Invalid::StickerTooLarge { max_kb });
        }
        Ok(Self { animated: header.animated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riff(chunk: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(chunk);
        body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        body.extend_from_slice(payload);
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    fn lossless(width: u32, height: u32) -> Vec<u8> {
        let bits = (width - 1) | ((height - 1) << 14);
        let mut payload = vec![0x2f];
        payload.extend_from_slice(&bits.to_le_bytes());
        riff(b"VP8L", &payload)
    }

    fn extended(width: u32, height: u32, flags: u8) -> Vec<u8> {
        let mut payload = vec![flags, 0, 0, 0];
        payload.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        payload.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        riff(b"VP8X", &payload)
    }

    #[test]
    fn the_three_webp_headers_are_read() {
        assert_eq!(
            WebpHeader::read(&lossless(512, 300)),
            Some(WebpHeader { width: 512, height: 300, animated: false })
        );
        assert_eq!(WebpHeader::read(&extended(512, 512, 0x02)).map(|h| h.animated), Some(true));
        assert_eq!(
            WebpHeader::read(&extended(640, 480, 0x10)),
            Some(WebpHeader { width: 640, height: 480, animated: false })
        );
        // Lossy: frame tag, start code, 14-bit sizes (the top bits are the scale).
        let lossy = riff(b"VP8 ", &[0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x42, 0x00, 0x02]);
        assert_eq!(WebpHeader::read(&lossy), Some(WebpHeader { width: 512, height: 512, animated: false }));
    }

    #[test]
    fn other_files_are_not_webp() {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
        let mut truncated = lossless(512, 512);
        truncated.truncate(22);
        let mut wave = lossless(512, 512);
        wave[8..12].copy_from_slice(b"WAVE");
        for bad in [PNG.to_vec(), truncated, wave, riff(b"ALPH", &[0; 10]), b"RIFF".to_vec()] {
            assert_eq!(StickerImage::parse(&bad), Err(Invalid::StickerNotWebp), "{bad:?}");
        }
        assert_eq!(StickerImage::parse(b""), Err(Invalid::EmptyFile));
    }

    #[test]
    fn stickers_are_512_square_and_small() {
        assert_eq!(StickerImage::parse(&lossless(512, 512)), Ok(StickerImage { animated: false }));
        assert_eq!(StickerImage::parse(&extended(512, 512, 0x02)), Ok(StickerImage { animated: true }));
        assert_eq!(
            StickerImage::parse(&lossless(256, 512)),
            Err(Invalid::StickerDimensions { width: 256, height: 512 })
        );
        let mut big_still = lossless(512, 512);
        big_still.resize(100 * 1024 + 1, 0);
        assert_eq!(StickerImage::parse(&big_still), Err(Invalid::StickerTooLarge { max_kb: 100 }));
        let mut animated = extended(512, 512, 0x02);
        animated.resize(100 * 1024 + 1, 0);
        assert!(StickerImage::parse(&animated).is_ok(), "animated stickers may be up to 500 KB");
        animated.resize(500 * 1024 + 1, 0);
        assert_eq!(StickerImage::parse(&animated), Err(Invalid::StickerTooLarge { max_kb: 500 }));
    }
}
