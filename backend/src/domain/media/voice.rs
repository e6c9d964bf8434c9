//! Voice notes. WhatsApp plays a file as a voice note only when it is Opus in an Ogg container
//! (`audio/ogg; codecs=opus`). Firefox records that directly; Chromium records Opus in WebM, so the
//! Opus packets are moved, untouched, from the WebM blocks into Ogg pages (RFC 7845): no decoding,
//! no quality lost, no native codec library.

use std::io::Cursor;

use matroska_demuxer::{Frame, MatroskaFile, TrackType};
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::Sniffed;
use crate::error::{AppResult, FieldErrors};
use shared::tickets::MessageKind;
use shared::validate::Invalid;

/// The type a voice note is stored and sent with.
pub const OGG_OPUS: &str = "audio/ogg; codecs=opus";

/// Why some bytes could not become a voice note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotVoice {
    #[error("not a readable WebM file: {0}")]
    Unreadable(String),
    #[error("the file has a video track")]
    HasVideo,
    #[error("the file has no Opus audio track")]
    NoOpus,
    #[error("the Opus header is malformed")]
    BadHeader,
    #[error("the recording is empty")]
    Empty,
}

/// An agent's audio as it will be stored: a WebM/Opus recording (sent with `kind=audio`) becomes
/// Ogg/Opus named `<name>.ogg`; an Ogg/Opus file keeps its bytes and is typed as a voice note; any
/// other file is left as it is (an MP3 stays an ordinary audio file). A WebM sent as audio that
/// holds video or no Opus is refused: it would not play as a voice note.
pub fn prepare(bytes: Vec<u8>, name: String, sniffed: Sniffed, hint: Option<&str>) -> AppResult<Prepared> {
    if needs_remux(&sniffed, hint) {
        let ogg = webm_to_ogg(&bytes).map_err(|why| {
            tracing::info!(%why, "a WebM sent as a voice note was refused");
            FieldErrors::one("kind", Invalid::NotAudio)
        })?;
        return Ok(Prepared {
            bytes: ogg,
            name: with_ogg_extension(&name),
            sniffed: Sniffed { kind: MessageKind::Audio, mime: OGG_OPUS.to_owned() },
        });
    }
    let sniffed = typed(sniffed, &bytes);
    Ok(Prepared { bytes, name, sniffed })
}

/// Whether a file must be rewritten whole before it is kept: a WebM recording sent as a voice note.
pub fn needs_remux(sniffed: &Sniffed, hint: Option<&str>) -> bool {
    hint == Some("audio") && sniffed.mime == "video/webm"
}

/// An Ogg/Opus file typed as a voice note, judged from its first bytes (the Opus header is the
/// first packet); any other file keeps its type.
pub fn typed(sniffed: Sniffed, head: &[u8]) -> Sniffed {
    // infer names Ogg/Opus `audio/opus`, other Ogg audio `audio/ogg`.
    if matches!(sniffed.mime.as_str(), "audio/opus" | "audio/ogg") && is_ogg_opus(head) {
        return Sniffed { kind: sniffed.kind, mime: OGG_OPUS.to_owned() };
    }
    sniffed
}

/// What `prepare` hands back to be stored.
#[derive(Debug)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub name: String,
    pub sniffed: Sniffed,
}

fn with_ogg_extension(name: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.ogg")
}

/// Whether the bytes are an Ogg stream whose first packet is an Opus identification header.
pub fn is_ogg_opus(bytes: &[u8]) -> bool {
    let mut reader = ogg::PacketReader::new(Cursor::new(bytes));
    matches!(reader.read_packet(), Ok(Some(packet)) if packet.data.starts_with(b"OpusHead"))
}

/// Page an Ogg stream about once a second, as opusenc does: players seek by page, and a page
/// holding the whole note would make that coarse.
const SAMPLES_PER_PAGE: u64 = 48_000;
/// Any serial number will do for a file with one logical stream.
const SERIAL: u32 = 0x4174_656e;

/// Moves the Opus packets of a WebM (Matroska) file into an Ogg/Opus stream: the identification
/// header from the track's `CodecPrivate` (or built from the track when it has none), a comment
/// header, then the packets, each page's granule position the 48 kHz sample count at its end.
pub fn webm_to_ogg(webm: &[u8]) -> Result<Vec<u8>, NotVoice> {
    let unreadable = |e: matroska_demuxer::DemuxError| NotVoice::Unreadable(e.to_string());
    let mut file = MatroskaFile::open(Cursor::new(webm)).map_err(unreadable)?;
    if file.tracks().iter().any(|t| t.track_type() == TrackType::Video) {
        return Err(NotVoice::HasVideo);
    }
    let track = file
        .tracks()
        .iter()
        .find(|t| t.track_type() == TrackType::Audio && t.codec_id() == "A_OPUS")
        .ok_or(NotVoice::NoOpus)?;
    let number = track.track_number().get();
    let head = match track.codec_private() {
        Some(private) => checked_head(private)?,
        None => built_head(track)?,
    };

    let mut packets = Vec::new();
    let mut frame = Frame::default();
    while file.next_frame(&mut frame).map_err(unreadable)? {
        if frame.track == number && !frame.data.is_empty() {
            packets.push(std::mem::take(&mut frame.data));
        }
    }
    if packets.is_empty() {
        return Err(NotVoice::Empty);
    }

    let mut out = PacketWriter::new(Vec::with_capacity(webm.len() + 4096));
    let write = |e: std::io::Error| NotVoice::Unreadable(e.to_string());
    // RFC 7845 §3: each header packet alone on its page, granule position 0.
    out.write_packet(head, SERIAL, PacketWriteEndInfo::EndPage, 0).map_err(write)?;
    out.write_packet(opus_tags(), SERIAL, PacketWriteEndInfo::EndPage, 0).map_err(write)?;
    let (mut granule, mut page_start) = (0_u64, 0_u64);
    let last = packets.len() - 1;
    for (i, packet) in packets.into_iter().enumerate() {
        granule += packet_samples(&packet).ok_or(NotVoice::Unreadable("a malformed Opus packet".into()))?;
        let end = if i == last {
            PacketWriteEndInfo::EndStream
        } else if granule - page_start >= SAMPLES_PER_PAGE {
            page_start = granule;
            PacketWriteEndInfo::EndPage
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        out.write_packet(packet, SERIAL, end, granule).map_err(write)?;
    }
    Ok(out.into_inner())
}

/// The track's own `OpusHead` (Chromium and libwebm store the whole header there), checked.
fn checked_head(private: &[u8]) -> Result<Vec<u8>, NotVoice> {
    // Magic, version (major 0), channels (1+), pre-skip, input rate, gain, mapping family.
    let [b'O', b'p', b'u', b's', b'H', b'e', b'a', b'd', version, channels, _, _, _, _, _, _, _, _, family, ..] =
        *private
    else {
        return Err(NotVoice::BadHeader);
    };
    // Mapping family 0 (mono or stereo) carries no table; the others need theirs.
    let complete = family == 0 || private.len() >= 21 + usize::from(channels);
    if version & 0xF0 == 0 && channels > 0 && complete { Ok(private.to_vec()) } else { Err(NotVoice::BadHeader) }
}

/// An `OpusHead` from the track's fields, for a file without `CodecPrivate`.
fn built_head(track: &matroska_demuxer::TrackEntry) -> Result<Vec<u8>, NotVoice> {
    let audio = track.audio().ok_or(NotVoice::BadHeader)?;
    let channels = u8::try_from(audio.channels().get()).map_err(|_| NotVoice::BadHeader)?;
    if channels > 2 {
        return Err(NotVoice::BadHeader);
    }
    // CodecDelay is in nanoseconds; pre-skip is in 48 kHz samples.
    let pre_skip = track.codec_delay().unwrap_or(0).saturating_mul(48_000) / 1_000_000_000;
    let pre_skip = u16::try_from(pre_skip).map_err(|_| NotVoice::BadHeader)?;
    let rate = audio.sampling_frequency() as u32;
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(channels);
    head.extend_from_slice(&pre_skip.to_le_bytes());
    head.extend_from_slice(&rate.to_le_bytes());
    head.extend_from_slice(&0_i16.to_le_bytes());
    head.push(0);
    Ok(head)
}

/// The comment header: a vendor string and no comments.
fn opus_tags() -> Vec<u8> {
    let vendor = b"Atende";
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0_u32.to_le_bytes());
    tags
}

/// How many 48 kHz samples an Opus packet decodes to, from its TOC byte (RFC 6716 §3.1); `None`
/// for a packet that cannot be Opus (a code 3 packet without its frame count, or over 120 ms).
pub fn packet_samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame = match config {
        // SILK: 10, 20, 40, 60 ms.
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        // Hybrid: 10, 20 ms.
        12..=15 => [480, 960][usize::from(config % 2)],
        // CELT: 2.5, 5, 10, 20 ms.
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let frames = match toc & 0b11 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3F),
    };
    let samples = frame * frames;
    (frames > 0 && samples <= 5760).then_some(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1.2 s of Chromium's fake microphone (a beep), recorded by its MediaRecorder as
    /// `audio/webm;codecs=opus` at 16 kbit/s: live WebM, unknown-size segment and clusters.
    const CHROMIUM_WEBM: &[u8] = include_bytes!("fixtures/chromium-opus.webm");
    /// Half a second of a canvas, recorded by Chromium as `video/webm;codecs=vp8`.
    const VP8_WEBM: &[u8] = include_bytes!("fixtures/chromium-vp8.webm");

    fn packets(ogg: &[u8]) -> Vec<ogg::Packet> {
        let mut reader = ogg::PacketReader::new(Cursor::new(ogg));
        let mut all = Vec::new();
        while let Some(packet) = reader.read_packet().expect("a valid Ogg stream") {
            all.push(packet);
        }
        all
    }

    #[test]
    fn a_chromium_recording_becomes_ogg_opus() {
        let ogg = webm_to_ogg(CHROMIUM_WEBM).expect("remuxed");
        assert!(ogg.starts_with(b"OggS"));
        assert!(is_ogg_opus(&ogg));
        let packets = packets(&ogg);
        let (head, tags, audio) = (&packets[0], &packets[1], &packets[2..]);
        assert!(head.data.starts_with(b"OpusHead") && head.first_in_stream() && head.last_in_page());
        assert_eq!(head.data[9], 1, "Chromium records mono");
        assert!(tags.data.starts_with(b"OpusTags") && tags.last_in_page());
        assert_eq!(head.absgp_page(), 0);
        assert_eq!(tags.absgp_page(), 0);
        // Every packet of the recording moved, byte for byte, in order.
        let mut file = MatroskaFile::open(Cursor::new(CHROMIUM_WEBM)).expect("webm");
        let mut frame = Frame::default();
        let mut expected = Vec::new();
        while file.next_frame(&mut frame).expect("frame") {
            expected.push(frame.data.clone());
        }
        assert_eq!(audio.iter().map(|p| p.data.clone()).collect::<Vec<_>>(), expected);
        // The last granule position is the length: 20 ms packets, about 1.2 s.
        let last = audio.last().expect("audio");
        assert!(last.last_in_stream());
        let seconds = last.absgp_page() as f64 / 48_000.0;
        assert!((1.0..1.6).contains(&seconds), "{seconds} s");
        assert_eq!(last.absgp_page(), audio.iter().map(|p| packet_samples(&p.data).expect("opus")).sum::<u64>());
    }

    #[test]
    fn long_notes_are_paged_about_once_a_second() {
        // Thirty copies of the recording's packets: about 36 s.
        let mut file = MatroskaFile::open(Cursor::new(CHROMIUM_WEBM)).expect("webm");
        let mut frame = Frame::default();
        let mut one = Vec::new();
        while file.next_frame(&mut frame).expect("frame") {
            one.push(frame.data.clone());
        }
        let many: Vec<Vec<u8>> = std::iter::repeat_n(one, 30).flatten().collect();
        let webm = minimal_webm(Some(&CHROMIUM_HEAD), &many);
        let ogg = webm_to_ogg(&webm).expect("remuxed");
        let pages = ogg.windows(4).filter(|w| *w == b"OggS").count();
        assert!((34..=42).contains(&pages), "{pages} pages");
        let audio = &packets(&ogg)[2..];
        assert_eq!(audio.len(), many.len());
        let granules: Vec<u64> = audio.iter().filter(|p| p.last_in_page()).map(|p| p.absgp_page()).collect();
        assert!(granules.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 48_000 + 960), "{granules:?}");
    }

    const CHROMIUM_HEAD: [u8; 19] = *b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0";

    #[test]
    fn a_track_without_codec_private_gets_a_built_header() {
        let silence = vec![0xF8, 0xFF, 0xFE]; // CELT 20 ms, one frame.
        let webm = minimal_webm(None, &[silence.clone(), silence]);
        let ogg = webm_to_ogg(&webm).expect("remuxed");
        let packets = packets(&ogg);
        let head = &packets[0].data;
        assert_eq!(&head[..10], b"OpusHead\x01\x01");
        assert_eq!(u16::from_le_bytes([head[10], head[11]]), 312, "6.5 ms of codec delay");
        assert_eq!(u32::from_le_bytes([head[12], head[13], head[14], head[15]]), 48_000);
        assert_eq!(packets.last().map(|p| p.absgp_page()), Some(1920));
    }

    #[test]
    fn video_non_opus_and_garbage_are_not_voice_notes() {
        assert_eq!(webm_to_ogg(VP8_WEBM), Err(NotVoice::HasVideo));
        assert!(matches!(webm_to_ogg(b"OggS not webm"), Err(NotVoice::Unreadable(_))));
        assert_eq!(webm_to_ogg(&minimal_webm(Some(&CHROMIUM_HEAD), &[])), Err(NotVoice::Empty));
        assert_eq!(webm_to_ogg(&minimal_webm(Some(b"OpusHead\x01"), &[vec![0xF8]])), Err(NotVoice::BadHeader));
        let vorbis = minimal_webm(Some(&CHROMIUM_HEAD), &[vec![0xF8]]);
        let vorbis = replace(&vorbis, b"A_OPUS", b"A_VORB");
        assert_eq!(webm_to_ogg(&vorbis), Err(NotVoice::NoOpus));
        // Cut anywhere, the recording is refused or shortened, never a panic.
        for cut in (0..CHROMIUM_WEBM.len()).step_by(37) {
            let _ = webm_to_ogg(&CHROMIUM_WEBM[..cut]);
        }
    }

    #[test]
    fn ogg_opus_is_recognised_and_other_ogg_is_not() {
        let ogg = webm_to_ogg(CHROMIUM_WEBM).expect("remuxed");
        assert!(is_ogg_opus(&ogg));
        let vorbis = replace(&ogg, b"OpusHead", b"\x01vorbis\0");
        assert!(!is_ogg_opus(&vorbis), "the checksum no longer matches, or the header is not Opus");
        assert!(!is_ogg_opus(CHROMIUM_WEBM));
        assert!(!is_ogg_opus(b""));
    }

    #[test]
    fn opus_packet_lengths_come_from_the_toc_byte() {
        assert_eq!(packet_samples(&[0xF8]), Some(960), "CELT 20 ms");
        assert_eq!(packet_samples(&[0x08]), Some(960), "SILK 20 ms");
        assert_eq!(packet_samples(&[0x18]), Some(2880), "SILK 60 ms");
        assert_eq!(packet_samples(&[0x79]), Some(1920), "hybrid 20 ms, two frames");
        assert_eq!(packet_samples(&[0x1B, 0x02]), Some(5760), "SILK 60 ms, code 3, two frames");
        assert_eq!(packet_samples(&[0x1B, 0x03]), None, "over 120 ms");
        assert_eq!(packet_samples(&[0xFB]), None, "code 3 without its count");
        assert_eq!(packet_samples(&[]), None);
    }

    #[test]
    fn a_webm_sent_as_audio_is_stored_as_a_voice_note() {
        let webm = Sniffed { kind: MessageKind::Audio, mime: "video/webm".into() };
        let prepared =
            prepare(CHROMIUM_WEBM.to_vec(), "gravação.webm".into(), webm.clone(), Some("audio")).expect("prepared");
        assert_eq!((prepared.sniffed.kind, prepared.sniffed.mime.as_str()), (MessageKind::Audio, OGG_OPUS));
        assert_eq!(prepared.name, "gravação.ogg");
        assert!(is_ogg_opus(&prepared.bytes));
        // An Ogg/Opus file keeps its bytes; an MP3 stays an ordinary audio file.
        assert_eq!(infer::get(&prepared.bytes).map(|t| t.mime_type()), Some("audio/opus"));
        let ogg = Sniffed { kind: MessageKind::Audio, mime: "audio/opus".into() };
        let kept = prepare(prepared.bytes.clone(), "nota".into(), ogg, None).expect("prepared");
        assert_eq!((&kept.bytes, kept.name.as_str(), kept.sniffed.mime.as_str()), (&prepared.bytes, "nota", OGG_OPUS));
        let vorbis = Sniffed { kind: MessageKind::Audio, mime: "audio/ogg".into() };
        let vorbis_bytes = replace(&prepared.bytes, b"OpusHead", b"\x01vorbis\0");
        assert_eq!(prepare(vorbis_bytes, "v.ogg".into(), vorbis.clone(), None).expect("kept").sniffed, vorbis);
        let mp3 = Sniffed { kind: MessageKind::Audio, mime: "audio/mpeg".into() };
        let kept = prepare(b"ID3".to_vec(), "a.mp3".into(), mp3.clone(), Some("audio")).expect("prepared");
        assert_eq!(kept.sniffed, mp3);
        // A video sent as a voice note is refused; the same file without the hint is left alone.
        let video = Sniffed { kind: MessageKind::Audio, mime: "video/webm".into() };
        assert!(prepare(VP8_WEBM.to_vec(), "v.webm".into(), video, Some("audio")).is_err());
        let video = Sniffed { kind: MessageKind::Video, mime: "video/webm".into() };
        assert_eq!(prepare(VP8_WEBM.to_vec(), "v.webm".into(), video.clone(), None).expect("kept").sniffed, video);
        assert_eq!(with_ogg_extension("voz"), "voz.ogg");
        assert_eq!(with_ogg_extension(".webm"), ".webm.ogg");
    }

    fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = bytes.windows(from.len()).position(|w| w == from).expect("present");
        let mut out = bytes.to_vec();
        out[at..at + from.len()].copy_from_slice(to);
        out
    }

    /// An EBML element: id bytes, an 8-byte size, the body.
    fn element(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.push(0x01);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    /// A WebM with one Opus track (mono, 48 kHz, 6.5 ms codec delay) and one cluster of simple
    /// blocks, written by hand so the tests can vary what Chromium never does.
    fn minimal_webm(codec_private: Option<&[u8]>, packets: &[Vec<u8>]) -> Vec<u8> {
        let header = element(
            b"\x1A\x45\xDF\xA3",
            &[element(b"\x42\x82", b"webm"), element(b"\x42\x87", &[4]), element(b"\x42\x85", &[2])].concat(),
        );
        let info = element(
            b"\x15\x49\xA9\x66",
            &[
                element(b"\x2A\xD7\xB1", &1_000_000_u32.to_be_bytes()),
                element(b"\x4D\x80", b"test"),
                element(b"\x57\x41", b"test"),
            ]
            .concat(),
        );
        let audio = element(b"\xE1", &[element(b"\xB5", &48_000_f64.to_be_bytes()), element(b"\x9F", &[1])].concat());
        let mut entry = vec![
            element(b"\xD7", &[1]),
            element(b"\x73\xC5", &[1]),
            element(b"\x83", &[2]),
            element(b"\x86", b"A_OPUS"),
            element(b"\x56\xAA", &6_500_000_u32.to_be_bytes()),
            audio,
        ];
        if let Some(private) = codec_private {
            entry.push(element(b"\x63\xA2", private));
        }
        let tracks = element(b"\x16\x54\xAE\x6B", &element(b"\xAE", &entry.concat()));
        let mut cluster = element(b"\xE7", &[0]);
        for (i, packet) in packets.iter().enumerate() {
            // Block times are relative to the cluster's and signed 16-bit; the remux ignores them.
            let time = u16::try_from(i % 1000 * 20).unwrap_or(0).to_be_bytes();
            cluster.extend(element(b"\xA3", &[&[0x81, time[0], time[1], 0x80], packet.as_slice()].concat()));
        }
        let segment = element(b"\x18\x53\x80\x67", &[info, tracks, element(b"\x1F\x43\xB6\x75", &cluster)].concat());
        [header, segment].concat()
    }
}
