//! Typed ids, so that a ticket's id is never passed where an account's is
//! expected. On the wire each is its number (`serde(transparent)`); in the
//! database an INTEGER (`server::store::ids`).

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }
    };
}

id_type!(
    /// A service the desk supports (e-mail, VPN, …).
    ServiceId
);
id_type!(
    /// A category within one service.
    CategoryId
);
id_type!(
    /// A knowledge article (FAQ or known error).
    ArticleId
);
id_type!(
    /// The database id of a ticket; users see the [`super::TicketNumber`] instead.
    TicketId
);
id_type!(
    /// A service-failure notice.
    NoticeId
);
id_type!(
    /// An account: an end user, an agent or an admin.
    UserId
);
id_type!(
    /// An assignment group of the service desk.
    GroupId
);
id_type!(
    /// A business calendar: working hours and holidays in a time zone.
    CalendarId
);
id_type!(
    /// An incident model: a category, impact and urgency, and checklist steps.
    ModelId
);
