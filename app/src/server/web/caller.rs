//! Who is asking, and what they may do: the caller of a form post or a server
//! function, and the extractors that refuse anyone else before a handler runs —
//! [`SignedIn`], [`Staff`] and [`Admin`] (anyone at all is a [`Caller`]).

use super::status::refuse;
use crate::domain::{Account, Role, Viewer};
use crate::error::AppError;
use crate::server::store::audit::{self, Actor};
use axum::extract::FromRequestParts;
use axum::response::Response;
use chrono::Utc;

/// Who may call a server function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Any signed-in account.
    SignedIn,
    /// Agents and admins.
    Staff,
    /// Admins only.
    Admin,
    /// Admins, and agents given the right to write knowledge articles.
    Author,
}

/// Checks the caller against `access`: not signed in is 401, the wrong role 403.
pub fn authorize(viewer: &Viewer, access: Access) -> Result<Account, AppError> {
    let account = viewer.account().ok_or(AppError::SignInRequired)?;
    let allowed = match access {
        Access::SignedIn => true,
        Access::Staff => account.role.is_staff(),
        Access::Admin => account.role == Role::Admin,
        Access::Author => account.may_author(),
    };
    if allowed {
        Ok(account.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The network address a request came from (through trusted proxies), for rate
/// limits and the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub String);

/// Who is posting: the session's viewer and the client's address.
#[derive(Clone)]
pub struct Caller {
    pub viewer: Viewer,
    pub address: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            viewer: parts
                .extensions
                .get::<Viewer>()
                .cloned()
                .unwrap_or_default(),
            address: parts
                .extensions
                .get::<ClientAddress>()
                .map(|a| a.0.clone())
                .unwrap_or_else(|| "local".into()),
        })
    }
}

/// The caller, if they have `access`; anyone else is answered 401 or 403.
async fn caller_with<S: Send + Sync>(
    parts: &mut http::request::Parts,
    state: &S,
    access: Access,
) -> Result<(Account, Caller), Response> {
    let Ok(caller) = Caller::from_request_parts(parts, state).await;
    match authorize(&caller.viewer, access) {
        Ok(account) => Ok((account, caller)),
        Err(error) => Err(refuse(error)),
    }
}

macro_rules! account_extractor {
    ($(#[$doc:meta])* $name:ident, $field:ident, $access:expr) => {
        $(#[$doc])*
        pub struct $name {
            pub $field: Account,
            pub caller: Caller,
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = Response;

            async fn from_request_parts(
                parts: &mut http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                let ($field, caller) = caller_with(parts, state, $access).await?;
                Ok($name { $field, caller })
            }
        }
    };
}

account_extractor!(
    /// A post by any signed-in account; anyone else gets 401.
    SignedIn,
    account,
    Access::SignedIn
);
account_extractor!(
    /// A post by an agent or an admin; anyone else gets 401 or 403.
    Staff,
    me,
    Access::Staff
);
account_extractor!(
    /// A post by an admin, or an agent given the right to write knowledge.
    Author,
    author,
    Access::Author
);
account_extractor!(
    /// A post by an admin; anyone else gets 401 or 403 and the handler never runs.
    Admin,
    admin,
    Access::Admin
);

impl Admin {
    /// Records `detail` under `event` in the audit log, as this admin.
    pub async fn record(
        &self,
        conn: &mut sqlx::SqliteConnection,
        event: &str,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        audit::record(
            conn,
            Utc::now(),
            &Actor::account(&self.admin),
            event,
            None,
            detail,
            Some(&self.caller.address),
        )
        .await
    }
}
