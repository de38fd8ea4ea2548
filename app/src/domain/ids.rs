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
