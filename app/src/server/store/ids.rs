//! The typed ids of the domain (`crate::domain::ids`) as SQLite INTEGERs, so
//! they bind and decode like the `i64` inside them.

use crate::domain::{
    ArticleId, CalendarId, CategoryId, GroupId, ModelId, NoticeId, ServiceId, TicketId, UserId,
};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, Type};

macro_rules! integer_id {
    ($($id:ident),*) => {$(
        impl Type<Sqlite> for $id {
            fn type_info() -> SqliteTypeInfo {
                <i64 as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <i64 as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $id {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<'q, Sqlite>>::encode_by_ref(&self.0, buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $id {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok($id(<i64 as Decode<'r, Sqlite>>::decode(value)?))
            }
        }
    )*};
}

integer_id!(
    ArticleId, CalendarId, CategoryId, GroupId, ModelId, NoticeId, ServiceId, TicketId, UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ids_bind_and_decode_as_integers() {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect("sqlite::memory:")
            .await
            .unwrap();
        let (user, ticket): (UserId, TicketId) = sqlx::query_as("SELECT ? + 1, ?")
            .bind(UserId(41))
            .bind(TicketId(7))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!((user, ticket), (UserId(42), TicketId(7)));
    }
}
