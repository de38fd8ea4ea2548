//! "Did this answer your question?": one click under an article, no account
//! needed, counted once per browser session (the `answered` cookie lists the
//! articles this browser answered for), shown to authors on the knowledge list.

use crate::domain::{ArticleId, ArticleState};
use crate::error::AppError;
use crate::server::store::knowledge;
use crate::server::web::caller::Caller;
use crate::server::web::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

/// The cookie of the articles this browser session has answered for.
const ANSWERED_COOKIE: &str = "answered";
/// How many answered articles the cookie remembers (the oldest go first).
const REMEMBERED: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedbackForm {
    /// "yes" or "no".
    answer: String,
}

/// `POST /articles/{slug}/feedback`: whoever may read a published article says
/// whether it answered their question.
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> Response {
    let helpful = match form.answer.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return crate::server::web::status::refuse(AppError::BadRequest(
                "Answer yes or no.".into(),
            ))
        }
    };
    let article = async {
        let mut conn = state.db.reader.acquire().await?;
        super::readable(&mut conn, &slug, &caller.viewer).await
    };
    let article = match article.await {
        Ok(article) if article.state == ArticleState::Published => article,
        Ok(_) => return crate::server::web::status::refuse(AppError::NotFound),
        Err(error) => return crate::server::web::status::refuse(error),
    };
    let mut answered = answered_in(&headers);
    // One answer per article per browser session, and a client flooding answers
    // without its cookie is thanked like anyone but no longer counted.
    if !answered.contains(&article.id) && state.limits.answer(&caller.address) {
        let counted = async {
            let mut conn = state.db.writer.acquire().await?;
            knowledge::record_feedback(&mut conn, article.id, helpful).await
        };
        if let Err(error) = counted.await {
            return crate::server::web::status::refuse(AppError::internal(error));
        }
        answered.push(article.id);
    }
    let words = if helpful { "yes" } else { "no" };
    let mut response = Redirect::to(&format!(
        "/articles/{}?answered={words}#feedback",
        article.slug
    ))
    .into_response();
    if let Ok(cookie) =
        HeaderValue::from_str(&answered_cookie(&answered, state.settings.secure_cookies))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The articles the `answered` cookie lists.
fn answered_in(headers: &HeaderMap) -> Vec<ArticleId> {
    crate::server::web::cookie::cookie(headers, ANSWERED_COOKIE)
        .unwrap_or_default()
        .split('.')
        .filter_map(|id| id.parse().ok().map(ArticleId))
        .collect()
}

/// The cookie listing `answered` (the newest [`REMEMBERED`]) until the browser
/// session ends.
fn answered_cookie(answered: &[ArticleId], secure: bool) -> String {
    let skip = answered.len().saturating_sub(REMEMBERED);
    let ids: Vec<String> = answered[skip..].iter().map(|id| id.0.to_string()).collect();
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{ANSWERED_COOKIE}={}; Path=/articles; HttpOnly; SameSite=Lax{secure}",
        ids.join(".")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_remembers_the_newest_answers() {
        let many: Vec<ArticleId> = (1..=150).map(ArticleId).collect();
        let cookie = answered_cookie(&many, false);
        let mut headers = HeaderMap::new();
        let pair = cookie.split(';').next().unwrap().to_string();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        let read = answered_in(&headers);
        assert_eq!(read.len(), REMEMBERED);
        assert_eq!(read.first(), Some(&ArticleId(51)));
        assert_eq!(read.last(), Some(&ArticleId(150)));
    }
}
