//! The web kit: what every feature's form handlers and server functions share —
//! the application state and its deployment settings, who is asking (callers and
//! the extractors that refuse anyone else), rendering a page and rendering it
//! again with what was typed, refusing, and the rate limits.

pub mod answer;
pub mod caller;
pub mod context;
pub mod cookie;
pub mod deployment;
pub mod limits;
pub mod page;
pub mod session;
pub mod shown;
pub mod state;
pub mod status;
pub mod zone;
