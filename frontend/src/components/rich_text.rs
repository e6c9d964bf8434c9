//! Message text as WhatsApp shows it: `*bold*`, `_italic_`, `~strike~`, ```` ```mono``` ```` and
//! web links. The text is split into spans that become text nodes inside `<strong>`, `<em>`, ...:
//! nothing a contact writes is ever parsed as HTML.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Italic,
    Strike,
    Mono,
    Link,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub style: Style,
    pub text: String,
}

fn marker_style(c: char) -> Option<Style> {
    match c {
        '*' => Some(Style::Bold),
        '_' => Some(Style::Italic),
        '~' => Some(Style::Strike),
        _ => None,
    }
}

fn push(spans: &mut Vec<Span>, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(last) = spans.last_mut()
        && last.style == style
        && style == Style::Plain
    {
        last.text.push_str(text);
        return;
    }
    spans.push(Span { style, text: text.to_owned() });
}

/// Where a web link starting at `start` ends (exclusive), if one starts there.
fn link_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return None;
    }
    let mut end = start + rest.find(char::is_whitespace).unwrap_or(rest.len());
    // Trailing punctuation belongs to the sentence, not the link.
    while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'']) {
        end -= 1;
    }
    let scheme_len = if rest.starts_with("https://") { 8 } else { 7 };
    (end > start + scheme_len).then_some(end)
}

/// Splits message text into styled spans (plain text when markers do not pair up).
pub fn parse(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let word_start = i == 0 || text[..i].ends_with(|c: char| c.is_whitespace() || "([{\"'".contains(c));
        if let Some(end) = link_end(text, i).filter(|_| word_start) {
            push(&mut spans, Style::Plain, &text[plain_start..i]);
            push(&mut spans, Style::Link, &text[i..end]);
            i = end;
            plain_start = i;
            continue;
        }
        if word_start
            && text[i..].starts_with("```")
            && let Some(close) = text[i + 3..].find("```").filter(|len| *len > 0)
        {
            push(&mut spans, Style::Plain, &text[plain_start..i]);
            push(&mut spans, Style::Mono, &text[i + 3..i + 3 + close]);
            i += close + 6;
            plain_start = i;
            continue;
        }
        let c = bytes[i] as char;
        if let Some(style) = marker_style(c).filter(|_| word_start) {
            // The closing marker: same line, not after a space, not followed by a letter or digit.
            let body_start = i + 1;
            let line_end = text[body_start..].find('\n').map_or(text.len(), |n| body_start + n);
            let first = text[body_start..line_end].chars().next();
            if first.is_some_and(|f| !f.is_whitespace() && f != c) {
                let close = text[body_start..line_end].char_indices().find_map(|(offset, ch)| {
                    let at = body_start + offset;
                    // `ch == c` first: only then is `at + 1` a character boundary (markers are ASCII).
                    let closes = ch == c
                        && at > body_start
                        && !text[..at].ends_with(char::is_whitespace)
                        && !text[at + 1..].starts_with(char::is_alphanumeric);
                    closes.then_some(at)
                });
                if let Some(close) = close {
                    push(&mut spans, Style::Plain, &text[plain_start..i]);
                    push(&mut spans, style, &text[body_start..close]);
                    i = close + 1;
                    plain_start = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    push(&mut spans, Style::Plain, &text[plain_start..]);
    spans
}

/// The text as styled spans of text nodes.
#[component]
pub fn RichText(#[prop(into)] text: String) -> impl IntoView {
    parse(&text)
        .into_iter()
        .map(|span| match span.style {
            Style::Plain => span.text.into_any(),
            Style::Bold => view! { <strong>{span.text}</strong> }.into_any(),
            Style::Italic => view! { <em>{span.text}</em> }.into_any(),
            Style::Strike => view! { <s>{span.text}</s> }.into_any(),
            Style::Mono => view! { <code class="mono">{span.text}</code> }.into_any(),
            Style::Link => {
                let href = span.text.clone();
                view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{span.text}</a> }.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(text: &str) -> Vec<(Style, &'static str)> {
        parse(text).into_iter().map(|s| (s.style, &*Box::leak(s.text.into_boxed_str()))).collect()
    }

    #[test]
    fn markers_pair_like_whatsapp() {
        assert_eq!(styles("*Ana*:\nOlá"), vec![(Style::Bold, "Ana"), (Style::Plain, ":\nOlá")]);
        assert_eq!(
            styles("um _dois_ ~três~ ```x y```"),
            vec![
                (Style::Plain, "um "),
                (Style::Italic, "dois"),
                (Style::Plain, " "),
                (Style::Strike, "três"),
                (Style::Plain, " "),
                (Style::Mono, "x y")
            ]
        );
        assert_eq!(styles("2*3*4 e a * b *"), vec![(Style::Plain, "2*3*4 e a * b *")]);
        assert_eq!(styles("snake_case_name"), vec![(Style::Plain, "snake_case_name")]);
        assert_eq!(styles("**"), vec![(Style::Plain, "**")]);
        assert_eq!(styles("*ação* é ótima"), vec![(Style::Bold, "ação"), (Style::Plain, " é ótima")]);
        assert_eq!(styles("_olá ñandú"), vec![(Style::Plain, "_olá ñandú")]);
    }

    #[test]
    fn html_stays_text() {
        assert_eq!(styles("<img src=x onerror=alert(1)>"), vec![(Style::Plain, "<img src=x onerror=alert(1)>")]);
    }

    #[test]
    fn only_web_links_become_links() {
        assert_eq!(
            styles("veja https://exemplo.com/a?b=1. ok"),
            vec![(Style::Plain, "veja "), (Style::Link, "https://exemplo.com/a?b=1"), (Style::Plain, ". ok")]
        );
        assert_eq!(styles("javascript:alert(1)"), vec![(Style::Plain, "javascript:alert(1)")]);
        assert_eq!(styles("https://"), vec![(Style::Plain, "https://")]);
    }
}
