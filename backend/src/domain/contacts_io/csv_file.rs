//! CSV files as spreadsheets in Brazil write them: UTF-8 with or without a byte-order mark, or
//! Windows-1252 (Excel's "CSV" in a Portuguese Windows), with `;` between fields (Excel pt-BR,
//! whose decimal separator is the comma) or `,` (Google Sheets, LibreOffice in English), quoted
//! fields with separators, quotes and line breaks inside.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// Whether `bytes` are UTF-8; anything else is read as Windows-1252 (a superset of Latin-1 for
/// every printable character, which is what Excel writes). `truncated`: these are the first bytes
/// of a longer file, so a character cut at the very end does not count against UTF-8.
pub fn detect(bytes: &[u8], truncated: bool) -> Encoding {
    match std::str::from_utf8(bytes) {
        Ok(_) => Encoding::Utf8,
        Err(error) if truncated && error.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Windows1252,
    }
}

/// [`detect`] over a whole file, read in chunks.
pub fn detect_file(path: &Path) -> io::Result<Encoding> {
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 64 * 1024];
    // The bytes of a character cut by the end of the previous chunk.
    let mut carried = 0usize;
    loop {
        let read = file.read(&mut buffer[carried..])?;
        let filled = carried + read;
        if read == 0 {
            return Ok(if carried == 0 { Encoding::Utf8 } else { Encoding::Windows1252 });
        }
        match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => carried = 0,
            Err(error) if error.error_len().is_none() => {
                let valid = error.valid_up_to();
                buffer.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(Encoding::Windows1252),
        }
    }
}

/// The characters Windows-1252 puts at 0x80–0x9F (Latin-1 has control codes there); the five
/// bytes it leaves undefined keep their Latin-1 code point, as browsers do.
const HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

fn windows_1252_char(byte: u8) -> char {
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        other => char::from(other),
    }
}

/// Decodes Windows-1252 bytes.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| windows_1252_char(b)).collect()
}

/// A reader that turns Windows-1252 into UTF-8 as it goes.
pub struct Windows1252<R> {
    inner: R,
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
}

impl<R: Read> Windows1252<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, raw: vec![0; 16 * 1024], out: Vec::with_capacity(48 * 1024), at: 0 }
    }
}

impl<R: Read> Read for Windows1252<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.out.len() {
            let read = self.inner.read(&mut self.raw)?;
            if read == 0 {
                return Ok(0);
            }
            self.out.clear();
            self.at = 0;
            let mut utf8 = [0u8; 4];
            for &byte in &self.raw[..read] {
                if byte.is_ascii() {
                    self.out.push(byte);
                } else {
                    self.out.extend_from_slice(windows_1252_char(byte).encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
        let count = buf.len().min(self.out.len() - self.at);
        buf[..count].copy_from_slice(&self.out[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

/// The text of a file's start for sniffing and previews (without a byte-order mark).
pub fn decode_start(bytes: &[u8], encoding: Encoding) -> String {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            // A character cut by the end of a truncated start.
            Err(error) => String::from_utf8_lossy(&bytes[..error.valid_up_to()]).into_owned(),
        },
        Encoding::Windows1252 => decode_windows_1252(bytes),
    }
}

/// The field separator of a file, from its first line: whichever of `;`, `,` and tab appears
/// most often outside quotes (`,` when none does: a file of one column).
pub fn sniff_delimiter(text: &str) -> u8 {
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(1);
    if counts[best] == 0 { b',' } else { candidates[best] }
}

/// The file as UTF-8, without its byte-order mark.
pub fn open(path: &Path, encoding: Encoding) -> io::Result<Box<dyn Read + Send>> {
    let mut reader = BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
    let start = reader.fill_buf()?;
    if start.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok(match encoding {
        Encoding::Utf8 => Box::new(reader),
        Encoding::Windows1252 => Box::new(Windows1252::new(reader)),
    })
}

/// A CSV reader over UTF-8 text: every line a record (the header too), rows of any length.
pub fn records<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(reader)
}

/// A record's fields as text, trimmed; a leading `'` that protects a formula-like cell (as the
/// export writes it) is taken off.
pub fn fields(record: &csv::ByteRecord) -> Vec<String> {
    record.iter().map(|field| unescape(String::from_utf8_lossy(field).trim()).to_owned()).collect()
}

pub fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(String::is_empty)
}

fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

fn unescape(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => text,
    }
}

/// A cell for the export: one a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) gets a
/// leading `'`, which the import takes off again.
pub fn escape(text: &str) -> String {
    if formula_like(text) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_decodes_accents_and_the_high_block() {
        assert_eq!(decode_windows_1252(b"Jo\xe3o \xc9rica \x80 \x93ok\x94"), "João Érica € “ok”");
        let mut text = String::new();
        Windows1252::new(&b"S\xe3o Paulo;Cora\xe7\xe3o"[..]).read_to_string(&mut text).unwrap_or_default();
        assert_eq!(text, "São Paulo;Coração");
    }

    #[test]
    fn encoding_is_utf8_only_when_valid() {
        assert_eq!(detect("João".as_bytes(), false), Encoding::Utf8);
        assert_eq!(detect(b"Jo\xe3o", false), Encoding::Windows1252);
        // "ã" cut in half by the end of a preview slice.
        assert_eq!(detect(b"Jo\xc3", true), Encoding::Utf8);
        assert_eq!(detect(b"Jo\xc3", false), Encoding::Windows1252);
    }

    #[test]
    fn the_delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(sniff_delimiter("Nome;Telefone;E-mail\n1,2,3,4"), b';');
        assert_eq!(sniff_delimiter("name,phone,email"), b',');
        assert_eq!(sniff_delimiter("\"Silva, Ana\";telefone"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("telefone"), b',');
    }

    #[test]
    fn formula_cells_round_trip() {
        assert_eq!(escape("=1+1"), "'=1+1");
        assert_eq!(escape("Ana"), "Ana");
        assert_eq!(unescape("'=1+1"), "=1+1");
        assert_eq!(unescape("'quoted"), "'quoted");
    }
}
