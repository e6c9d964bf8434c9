//! A quick reply's variables, filled in when the agent inserts it (who can still edit the text
//! before sending). Pure, so it is tested on the host.
//!
//! `{{nome}}` the contact's name, `{{primeiro_nome}}` its first word, `{{protocolo}}` the ticket's
//! latest protocol number (nothing when it has none), `{{atendente}}` the signed-in user's name,
//! `{{saudacao}}` "Bom dia" / "Boa tarde" / "Boa noite" for the hour in the company's time zone. A
//! `{{word}}` that is none of these is left as it is.

use shared::protocols::Protocol;

/// What the variables stand for at the moment of inserting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    pub contact_name: String,
    /// The latest protocol number of the ticket, if it has one.
    pub protocol: Option<String>,
    pub agent_name: String,
    pub greeting: String,
}

impl Variables {
    fn value(&self, name: &str) -> Option<String> {
        Some(match name {
            "nome" => self.contact_name.trim().to_owned(),
            "primeiro_nome" => self.contact_name.split_whitespace().next().unwrap_or_default().to_owned(),
            "protocolo" => self.protocol.clone().unwrap_or_default(),
            "atendente" => self.agent_name.trim().to_owned(),
            "saudacao" => self.greeting.clone(),
            _ => return None,
        })
    }
}

/// `template` with every known `{{variable}}` (spaces inside the braces allowed) replaced.
pub fn fill(template: &str, variables: &Variables) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match variables.value(name.trim()) {
            // A name never holds braces: `{{{{nome}}` keeps the first two as text.
            Some(value) if !name.contains('{') => {
                out.push_str(&value);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The number of the ticket's latest protocol (the highest id) from `TicketDetail::protocols`.
pub fn latest_protocol(protocols: &[Protocol]) -> Option<String> {
    protocols.iter().max_by_key(|p| p.id).map(|p| p.number.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maria() -> Variables {
        Variables {
            contact_name: "Maria  da Silva ".into(),
            protocol: Some("20261128-0042".into()),
            agent_name: "Bruno Agente".into(),
            greeting: "Boa tarde".into(),
        }
    }

    #[test]
    fn every_variable_is_filled() {
        assert_eq!(
            fill("{{saudacao}}, {{primeiro_nome}}! Sou {{atendente}}. Protocolo {{protocolo}}. ({{nome}})", &maria()),
            "Boa tarde, Maria! Sou Bruno Agente. Protocolo 20261128-0042. (Maria  da Silva)"
        );
        assert_eq!(fill("{{ primeiro_nome }}{{primeiro_nome}}", &maria()), "MariaMaria");
    }

    #[test]
    fn unknown_and_unclosed_variables_stay_as_they_are() {
        assert_eq!(fill("{{x}} {{Nome}} {{}} {{nome", &maria()), "{{x}} {{Nome}} {{}} {{nome");
        assert_eq!(fill("{{{{nome}}}}", &maria()), "{{Maria  da Silva}}");
        assert_eq!(fill("sem variáveis {", &maria()), "sem variáveis {");
        assert_eq!(fill("ção {{primeiro_nome}} ção", &maria()), "ção Maria ção");
    }

    #[test]
    fn missing_values_insert_nothing() {
        let empty = Variables::default();
        assert_eq!(fill("[{{protocolo}}][{{primeiro_nome}}][{{nome}}]", &empty), "[][][]");
    }

    #[test]
    fn the_latest_protocol_is_the_one_with_the_highest_id() {
        assert_eq!(latest_protocol(&[]), None);
        let protocol = |id: i64, number: &str| Protocol {
            id: shared::ids::ProtocolId(id),
            number: number.into(),
            ticket_id: shared::ids::TicketId(1),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let protocols =
            [protocol(7, "20261128-000007"), protocol(9, "20261128-000009"), protocol(8, "20261128-000008")];
        assert_eq!(latest_protocol(&protocols).as_deref(), Some("20261128-000009"));
    }
}
