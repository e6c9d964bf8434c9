//! Integer ids as distinct types, so a queue id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    CompanyId,
    UserId,
    QueueId,
    ApiTokenId,
    ContactId,
    ConnectionId,
    TicketId,
    MessageId,
    TicketLogId,
    TagId,
    NoteId,
    ScheduleId,
    JobId,
    StickerId,
    QuickReplyId,
    ProtocolId,
    BoardId,
    LaneId,
    RatingId,
    ContactImportId,
    WebhookId,
    WebhookDeliveryId,
);
