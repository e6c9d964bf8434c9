//! Reading a contact's answer to the survey: a score from 1 to the scale, or nothing.
//!
//! Digits win ("5", "nota 4", "4/5", "4 de 5"); without digits, quality words ("ótimo", "ruim",
//! "muito bom") are placed on the scale, and then number words ("cinco"). A reply must be about
//! the score: any word outside a small vocabulary (a question, an order number, a complaint)
//! makes it no answer, so a contact who writes about something else is asked again, not rated.

/// The score `text` gives on a scale of 1 to `scale`, if it gives exactly one.
pub fn parse_score(text: &str, scale: u8) -> Option<u8> {
    let folded = fold(text);
    if folded.chars().count() > MAX_CHARS {
        return None;
    }
    if let Some(stars) = only_stars(text) {
        return in_scale(stars, scale);
    }
    let tokens = tokenize(&folded);
    if tokens.is_empty() || tokens.len() > MAX_TOKENS {
        return None;
    }
    let words: Vec<&str> = tokens.iter().filter_map(Token::word).collect();
    if words.iter().any(|w| NEGATIONS.contains(w)) {
        return None;
    }
    let numbers: Vec<(usize, u32)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| if let Token::Number(n) = t { Some((i, *n)) } else { None })
        .collect();
    if !numbers.is_empty() {
        if words.iter().any(|w| !FILLER.contains(w) && quality(w).is_none() && number_word(w).is_none()) {
            return None;
        }
        return match numbers.as_slice() {
            [(_, n)] => in_scale(*n, scale),
            // "4/5", "4 de 5": out of the scale the contact was asked on.
            [(i, n), (j, of)] if *j == i + 2 && tokens[i + 1].is_out_of() && *of == u32::from(scale) => {
                in_scale(*n, scale)
            }
            _ => None,
        };
    }
    words_score(&words, scale)
}

/// Longer than this is a message, not a score.
const MAX_CHARS: usize = 80;
const MAX_TOKENS: usize = 12;

const NEGATIONS: &[&str] = &["nao", "nem", "nunca", "jamais"];

/// Words that may stand around a score without changing it.
const FILLER: &[&str] = &[
    "a",
    "o",
    "e",
    "eh",
    "de",
    "do",
    "da",
    "dou",
    "daria",
    "minha",
    "meu",
    "nota",
    "foi",
    "esta",
    "sim",
    "pra",
    "para",
    "voces",
    "vcs",
    "voce",
    "vc",
    "atendimento",
    "atendente",
    "servico",
    "estrela",
    "estrelas",
    "ponto",
    "pontos",
    "obrigado",
    "obrigada",
    "obg",
    "brigado",
    "valeu",
    "muito",
    "super",
    "bem",
    "bastante",
    "dia",
    "tarde",
    "noite",
    "ola",
    "oi",
];

/// The quality of a word, 1 (péssimo) to 5 (excelente).
fn quality(word: &str) -> Option<u8> {
    Some(match word {
        "pessimo" | "pessima" | "horrivel" | "terrivel" | "horroroso" | "horrorosa" => 1,
        "ruim" => 2,
        "regular" | "razoavel" | "mediano" | "mediana" => 3,
        "bom" | "boa" | "legal" => 4,
        "otimo" | "otima" | "excelente" | "perfeito" | "perfeita" | "maravilhoso" | "maravilhosa" | "sensacional"
        | "top" | "excepcional" => 5,
        _ => return None,
    })
}

fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "um" | "uma" => 1,
        "dois" | "duas" => 2,
        "tres" => 3,
        "quatro" => 4,
        "cinco" => 5,
        "seis" => 6,
        "sete" => 7,
        "oito" => 8,
        "nove" => 9,
        "dez" => 10,
        _ => return None,
    })
}

/// Quality words first (with "muito bom", "muito ruim", "mais ou menos" and the greetings "bom
/// dia", "boa tarde", "boa noite", which say nothing); then number words.
fn words_score(words: &[&str], scale: u8) -> Option<u8> {
    let mut levels = Vec::new();
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (word, next) = (words[i], words.get(i + 1).copied());
        match (word, next) {
            ("bom" | "boa", Some("dia" | "tarde" | "noite")) => i += 1,
            ("muito", Some("bom" | "boa")) => {
                levels.push(5);
                i += 1;
            }
            ("muito", Some("ruim")) => {
                levels.push(1);
                i += 1;
            }
            ("mais", Some("ou")) if words.get(i + 2) == Some(&"menos") => {
                levels.push(3);
                i += 2;
            }
            _ => {
                if let Some(level) = quality(word) {
                    levels.push(level);
                } else if let Some(n) = number_word(word) {
                    numbers.push(n);
                } else if !FILLER.contains(&word) {
                    return None;
                }
            }
        }
        i += 1;
    }
    levels.sort_unstable();
    levels.dedup();
    match levels.as_slice() {
        [level] => return Some(on_scale(*level, scale)),
        [] => {}
        _ => return None,
    }
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.len() > 1 {
        // "dou um cinco": "um" is the article.
        numbers.retain(|n| *n != 1);
    }
    match numbers.as_slice() {
        [n] => in_scale(*n, scale),
        _ => None,
    }
}

/// A quality level (1–5) placed on a scale of 3, 5 or 10 (any other: proportionally).
fn on_scale(level: u8, scale: u8) -> u8 {
    let index = usize::from(level.clamp(1, 5) - 1);
    match scale {
        5 => level,
        3 => [1, 1, 2, 3, 3][index],
        10 => [1, 3, 5, 8, 10][index],
        _ => {
            let steps = f64::from(scale.max(2) - 1) * f64::from(level - 1) / 4.0;
            1 + steps.round() as u8
        }
    }
}

fn in_scale(n: u32, scale: u8) -> Option<u8> {
    u8::try_from(n).ok().filter(|n| (1..=scale).contains(n))
}

/// "⭐⭐⭐⭐" (and nothing else): the number of stars.
fn only_stars(text: &str) -> Option<u32> {
    let mut stars = 0;
    for c in text.chars() {
        match c {
            '⭐' | '★' | '🌟' => stars += 1,
            // Emoji presentation selectors and spaces between stars.
            '\u{FE0F}' | '\u{FE0E}' => {}
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    (stars > 0).then_some(stars)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Number(u32),
    Word(String),
    Slash,
}

impl Token {
    fn word(&self) -> Option<&str> {
        if let Token::Word(w) = self { Some(w) } else { None }
    }

    /// "/" or "de" between a score and its scale.
    fn is_out_of(&self) -> bool {
        matches!(self, Token::Slash) || self.word() == Some("de")
    }
}

/// Numbers, words and slashes; everything else separates them.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            // A long run of digits (an order, a phone number) is no score.
            tokens.push(Token::Number(digits.parse().unwrap_or(u32::MAX)));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&l) = chars.peek().filter(|l| l.is_alphabetic()) {
                word.push(l);
                chars.next();
            }
            tokens.push(Token::Word(word));
        } else {
            if c == '/' {
                tokens.push(Token::Slash);
            }
            chars.next();
        }
    }
    tokens
}

/// Lower case without the accents of Portuguese, so "Ótimo", "otimo" and "ÓTIMO" are one word.
fn fold(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_score;

    #[test]
    fn digits_alone_or_with_a_few_words() {
        for (text, score) in [
            ("5", 5),
            (" 4 ", 4),
            ("nota 4", 4),
            ("Nota: 3!", 3),
            ("4/5", 4),
            ("4 / 5", 4),
            ("4 de 5", 4),
            ("dou 5", 5),
            ("5 estrelas", 5),
            ("minha nota é 2", 2),
            ("1", 1),
            ("5, obrigado!", 5),
            ("5 ótimo", 5),
        ] {
            assert_eq!(parse_score(text, 5), Some(score), "{text:?}");
        }
    }

    #[test]
    fn digits_out_of_the_scale_or_ambiguous_are_no_answer() {
        for text in ["0", "6", "10", "4/10", "4,5", "3 ou 4", "12345", "99999999999999999999", "-"] {
            assert_eq!(parse_score(text, 5), None, "{text:?}");
        }
        assert_eq!(parse_score("10", 10), Some(10));
        assert_eq!(parse_score("8/10", 10), Some(8));
        assert_eq!(parse_score("3", 3), Some(3));
        assert_eq!(parse_score("4", 3), None);
    }

    #[test]
    fn a_message_about_something_else_is_no_answer() {
        for text in [
            "quero cancelar o pedido 3",
            "qual o horário de vocês?",
            "o produto chegou ruim, quero trocar",
            "não foi bom",
            "nem bom nem ruim",
            "bom dia",
            "Boa tarde!",
            "",
            "   ",
            "obrigado",
            &"5 ".repeat(50),
        ] {
            assert_eq!(parse_score(text, 5), None, "{text:?}");
        }
    }

    #[test]
    fn portuguese_words_on_a_five_point_scale() {
        for (text, score) in [
            ("péssimo", 1),
            ("Pessimo", 1),
            ("horrível", 1),
            ("muito ruim", 1),
            ("ruim", 2),
            ("regular", 3),
            ("mais ou menos", 3),
            ("bom", 4),
            ("Boa", 4),
            ("ótimo", 5),
            ("ÓTIMO!!", 5),
            ("excelente", 5),
            ("muito bom", 5),
            ("O atendimento foi excelente, obrigada", 5),
            ("bom dia, foi ótimo", 5),
        ] {
            assert_eq!(parse_score(text, 5), Some(score), "{text:?}");
        }
        // Two different opinions: no answer.
        assert_eq!(parse_score("bom e ruim", 5), None);
    }

    #[test]
    fn words_are_placed_on_the_configured_scale() {
        let on = |text, scale| parse_score(text, scale);
        assert_eq!(
            [on("péssimo", 3), on("ruim", 3), on("regular", 3), on("bom", 3), on("excelente", 3)],
            [Some(1), Some(1), Some(2), Some(3), Some(3)]
        );
        assert_eq!(
            [on("péssimo", 10), on("ruim", 10), on("regular", 10), on("bom", 10), on("ótimo", 10)],
            [Some(1), Some(3), Some(5), Some(8), Some(10)]
        );
    }

    #[test]
    fn number_words_from_um_to_dez() {
        let words = ["um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez"];
        for (i, word) in words.iter().enumerate() {
            assert_eq!(parse_score(word, 10), Some(i as u8 + 1), "{word}");
        }
        assert_eq!(parse_score("nota cinco", 5), Some(5));
        assert_eq!(parse_score("dou um cinco", 5), Some(5));
        assert_eq!(parse_score("uma", 5), Some(1));
        assert_eq!(parse_score("seis", 5), None, "out of the scale");
        assert_eq!(parse_score("três ou quatro", 5), None);
    }

    #[test]
    fn stars() {
        assert_eq!(parse_score("⭐⭐⭐⭐", 5), Some(4));
        assert_eq!(parse_score("⭐️⭐️⭐️⭐️⭐️", 5), Some(5));
        assert_eq!(parse_score("⭐⭐⭐⭐⭐⭐", 5), None);
    }
}
