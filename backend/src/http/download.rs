//! The headers of a file download: what the browser may show inline, and a `Content-Disposition`
//! that no file name can break.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::domain::media;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A stored file as the answer to a download the caller was allowed: streamed from the media
/// store (the data dir or the bucket) with its length and `file_headers`. `missing` names what is
/// not found when the file is gone.
pub async fn serve(
    state: &AppState,
    stored: &str,
    mime: &str,
    name: &str,
    missing: &'static str,
) -> AppResult<Response> {
    let file = state.media.open(stored).await?.ok_or(AppError::NotFound(missing))?;
    let mut response = (file_headers(mime, name), Body::from_stream(file.body)).into_response();
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(file.len));
    Ok(response)
}

/// `Content-Type`, `Content-Disposition`, `X-Content-Type-Options` and `Cache-Control` for serving a
/// stored file. Only raster images, audio and video are inline and keep their type; anything else
/// (SVG, HTML, XML, scripts, documents) is an `application/octet-stream` attachment, so a file can
/// never run as a page of the app's origin. The browser is told not to second-guess the type.
pub fn file_headers(mime: &str, name: &str) -> [(HeaderName, String); 4] {
    let inline = media::is_inline_safe(mime);
    let content_type = if inline { mime.to_owned() } else { media::OCTET_STREAM.to_owned() };
    [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, content_disposition(inline, name)),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
    ]
}

/// RFC 6266: `inline|attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<percent-encoded>`.
/// Quotes, backslashes, control characters (CR/LF included) and non-ASCII never appear raw, so the
/// value is always a valid header.
pub fn content_disposition(inline: bool, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        // RFC 8187 attr-char: sent as it is; anything else percent-encoded.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let disposition = if inline { "inline" } else { "attachment" };
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn any_name_gives_a_valid_header() {
        for name in ["nota.pdf", "a\r\nb.pdf", "a\"b\\c.pdf", "relatório ção.pdf", "\u{0}\u{7f}x", "😀.png", ""] {
            let value = content_disposition(false, name);
            assert!(HeaderValue::from_str(&value).is_ok(), "{name:?}: {value}");
            assert!(!value.contains(['\r', '\n']), "{value}");
        }
    }

    #[test]
    fn names_keep_their_meaning() {
        assert_eq!(content_disposition(true, "foto.png"), "inline; filename=\"foto.png\"; filename*=UTF-8''foto.png");
        assert_eq!(
            content_disposition(false, "relatório final.pdf"),
            "attachment; filename=\"relat_rio final.pdf\"; filename*=UTF-8''relat%C3%B3rio%20final.pdf"
        );
        assert_eq!(
            content_disposition(false, "a\"b\r\n.pdf"),
            "attachment; filename=\"a_b__.pdf\"; filename*=UTF-8''a%22b%0D%0A.pdf"
        );
    }

    #[test]
    fn only_safe_types_are_inline() {
        let headers = |mime: &str| {
            let [(_, content_type), (_, disposition), (_, nosniff), _] = file_headers(mime, "f");
            (content_type, disposition.split(';').next().unwrap_or_default().to_owned(), nosniff)
        };
        assert_eq!(headers("image/png"), ("image/png".into(), "inline".into(), "nosniff".into()));
        assert_eq!(headers("audio/ogg"), ("audio/ogg".into(), "inline".into(), "nosniff".into()));
        for active in ["image/svg+xml", "text/html", "application/xml", "text/javascript", "application/pdf"] {
            assert_eq!(headers(active), ("application/octet-stream".into(), "attachment".into(), "nosniff".into()));
        }
    }
}
