//! Columns that hold one of a fixed set of words map to enums, so a stored word the code does not
//! know is a read error rather than a plausible default. Each store enum mirrors a wire enum of
//! `shared` (which cannot depend on sea-orm), with conversions both ways.

use sea_orm::entity::prelude::*;

macro_rules! column_enum {
    ($(#[$meta:meta])* $name:ident <=> $wire:ty { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $(#[sea_orm(string_value = $text)] $variant,)*
        }

        impl From<$name> for $wire {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => <$wire>::$variant,)* }
            }
        }

        impl From<$wire> for $name {
            fn from(value: $wire) -> Self {
                match value { $(<$wire>::$variant => $name::$variant,)* }
            }
        }
    };
}

column_enum!(TicketStatus <=> shared::tickets::TicketStatus { Open = "open", Pending = "pending", Closed = "closed" });
column_enum!(TicketKind <=> shared::tickets::TicketKind { Private = "private", Group = "group" });
column_enum!(MessageKind <=> shared::tickets::MessageKind {
    Text = "text", Image = "image", Audio = "audio", Video = "video", Document = "document",
    Sticker = "sticker", Location = "location", Reaction = "reaction", System = "system",
});
column_enum!(MessageStatus <=> shared::tickets::MessageStatus {
    Pending = "pending", Sent = "sent", Delivered = "delivered", Read = "read", Failed = "failed", Received = "received",
    Unknown = "unknown",
});
column_enum!(TicketLogKind <=> shared::tickets::TicketLogKind {
    Access = "access", Created = "created", Accepted = "accepted", Transferred = "transferred",
    Returned = "returned", Resolved = "resolved", Reopened = "reopened", Tagged = "tagged",
    Untagged = "untagged", NoteAdded = "note_added", WalletSet = "wallet_set",
    ProtocolGenerated = "protocol_generated", RatingRequested = "rating_requested",
    RatingReceived = "rating_received", BotSwitched = "bot_switched", KanbanMoved = "kanban_moved",
});
column_enum!(ScheduleStatus <=> shared::schedules::ScheduleStatus {
    Scheduled = "scheduled", Sent = "sent", Failed = "failed", Canceled = "canceled",
});
column_enum!(Role <=> shared::auth::Role { Admin = "admin", Supervisor = "supervisor", Agent = "agent" });
column_enum!(ConnectionKind <=> shared::contacts::ConnectionKind {
    Simulator = "simulator", CloudApi = "cloud_api", WhatsappWeb = "whatsapp_web",
});
column_enum!(ConnectionStatus <=> shared::contacts::ConnectionStatus {
    Connected = "connected", Pairing = "pairing", Disconnected = "disconnected", Error = "error",
});
column_enum!(ImportStatus <=> shared::contact_imports::ImportStatus {
    Running = "running", Done = "done", Failed = "failed", Interrupted = "interrupted",
});
column_enum!(ImportExisting <=> shared::contact_imports::ImportExisting { Update = "update", Skip = "skip" });

#[cfg(test)]
mod tests {
    use sea_orm::ActiveEnum;

    use super::*;

    /// The column words are the wire words: both sides spell each value the same way.
    #[test]
    fn column_words_are_the_wire_words() {
        for status in shared::tickets::TicketStatus::ALL {
            assert_eq!(TicketStatus::from(*status).to_value(), status.as_str());
        }
        for kind in shared::tickets::MessageKind::ALL {
            assert_eq!(MessageKind::from(*kind).to_value(), kind.as_str());
        }
        for status in shared::tickets::MessageStatus::ALL {
            assert_eq!(MessageStatus::from(*status).to_value(), status.as_str());
        }
        for kind in shared::tickets::TicketLogKind::ALL {
            assert_eq!(TicketLogKind::from(*kind).to_value(), kind.as_str());
        }
        for status in shared::schedules::ScheduleStatus::ALL {
            assert_eq!(ScheduleStatus::from(*status).to_value(), status.as_str());
        }
        for role in shared::auth::Role::ALL {
            assert_eq!(Role::from(*role).to_value(), role.as_str());
        }
        for kind in shared::contacts::ConnectionKind::ALL {
            assert_eq!(ConnectionKind::from(*kind).to_value(), kind.as_str());
        }
        for status in shared::contacts::ConnectionStatus::ALL {
            assert_eq!(ConnectionStatus::from(*status).to_value(), status.as_str());
        }
        for status in shared::contact_imports::ImportStatus::ALL {
            assert_eq!(ImportStatus::from(*status).to_value(), status.as_str());
        }
        for existing in shared::contact_imports::ImportExisting::ALL {
            assert_eq!(ImportExisting::from(*existing).to_value(), existing.as_str());
        }
        assert!(TicketStatus::try_from_value(&"archived".to_owned()).is_err(), "unknown words are refused");
    }
}
column_enum!(DeliveryStatus <=> shared::webhooks::DeliveryStatus {
    Pending = "pending", Delivered = "delivered", Failed = "failed",
});
column_enum!(BotKind <=> shared::tickets::BotKind { Typebot = "typebot", Chatgpt = "chatgpt", Dialogflow = "dialogflow" });
column_enum!(MessageChannel <=> shared::tickets::MessageChannel { Sms = "sms" });
